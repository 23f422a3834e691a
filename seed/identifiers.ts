// The network's identifiers with their check characters: resident ID card numbers (GB 11643), unified
// social credit codes (GB 32100), organization codes (GB 11714) and medical institution registration
// numbers. Every region code starts with 99: GB/T 2260 assigns no province 99 (provinces are 11-82), so a
// generated resident ID number can never be a real person's, yet it passes the check-character rule.
import { residentIdCheckCharacter, usccCheckCharacter } from '../server/integrity/check-characters';

/** The region code of the benchmark's and the old examples' numbers. */
export const unassignedRegionCode = '990000';
/** The fictional city 青禾市: province 99 (unassigned), city 01; its districts are 990101-990116. */
export const cityRegionCode = '990100';

/** birthDate as YYYY-MM-DD; the sequence's last digit is odd for men, even for women. */
export function residentId(birthDate: string, sequence: number, male: boolean, region = unassignedRegionCode): string {
  const base = Math.floor(sequence % 500) * 2 + (male ? 1 : 0);
  const first17 = region + birthDate.replaceAll('-', '') + String(base).padStart(3, '0');
  return first17 + residentIdCheckCharacter(first17);
}

/** Resident numbers from this index on belong to the network's staff, below it to residents. */
export const staffResidentIndexBase = 4_500_000;

/**
 * A resident ID number unique to `index` whatever the birth date: the index picks one of 9,801 region
 * codes 99CCDD (CC, DD 01-99, none assigned) and one of 500 sequence numbers per sex, so numbers are
 * distinct for indexes below 4,900,500 (residents below 4,500,000, staff from there).
 */
export function uniqueResidentId(index: number, birthDate: string, male: boolean): string {
  const block = Math.floor(index / 500) % 9801;
  const region = `99${String(1 + (block % 99)).padStart(2, '0')}${String(1 + Math.floor(block / 99)).padStart(2, '0')}`;
  return residentId(birthDate, index % 500, male, region);
}

export { residentIdCheckCharacter, usccCheckCharacter };

const organizationCodeWeights = [3, 7, 9, 10, 5, 8, 4, 2];

/** The check character of an organization code (GB 11714): digits 0-9, letters A-Z valued 10-35. */
export function organizationCodeCheckCharacter(first8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = first8[i];
    sum += (c >= 'A' ? c.charCodeAt(0) - 55 : Number(c)) * organizationCodeWeights[i];
  }
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

/** A 9-character organization code: 'MB' (a public institution's prefix here) and a 6-digit serial. */
export function organizationCode(serial: number): string {
  const first8 = `MB${String(serial).padStart(6, '0')}`;
  return first8 + organizationCodeCheckCharacter(first8);
}

/**
 * A unified social credit code: registration authority and kind ('12' public institution, '91'
 * company), the 6-digit region code, the 9-character organization code and the check character.
 */
export function uscc(kind: '12' | '91', region: string, orgCode: string): string {
  const first17 = kind + region + orgCode;
  return first17 + usccCheckCharacter(first17);
}

/**
 * A medical institution's registration number (医疗机构登记号, 22 characters): the organization code (9),
 * the region code (6), the economic type (2: 11 state-owned), the WS 218 institution category (4, e.g.
 * B100) and the management class (1: 1 non-profit).
 */
export function institutionRegistrationNumber(orgCode: string, region: string, ws218: string): string {
  return `${orgCode}${region}11${ws218}1`;
}

/**
 * The 12-digit code of a community station or village clinic, which has no organization code: region
 * (6), the site's serial in its district (4), kind (1: 2 health station, 3 village clinic) and ownership
 * (1: 1 health department, 3 collective).
 */
export function siteInstitutionCode(region: string, serial: number, kind: 'station' | 'village-clinic'): string {
  return `${region}${String(serial).padStart(4, '0')}${kind === 'station' ? '21' : '33'}`;
}
