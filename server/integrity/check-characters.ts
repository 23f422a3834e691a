// The check characters of the network's national identifiers: the resident ID card number (GB 11643,
// ISO 7064 MOD 11-2) and the unified social credit code (GB 32100, MOD 31). The identifier-check rule
// uses them on every write, the seed generator to make valid numbers.

/** The systems whose values carry a check character, by identifier system. */
export const residentIdSystem = 'urn:oid:2.16.156.10011.1.3';
export const usccSystem = 'https://fhir.dhc.example/sid/uscc';

const residentWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const residentCheckCharacters = '10X98765432';

export function residentIdCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += Number(first17[i]) * residentWeights[i];
  }
  return residentCheckCharacters[sum % 11];
}

/** 17 digits and the check character (0-9 or X). */
export function isValidResidentId(value: string): boolean {
  return /^\d{17}[\dX]$/.test(value) && residentIdCheckCharacter(value) === value[17];
}

const usccCharacters = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const usccWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += usccCharacters.indexOf(first17[i]) * usccWeights[i];
  }
  return usccCharacters[(31 - (sum % 31)) % 31];
}

/** Registration authority and kind, the 6-digit region code, the 9-character organization code, the check character. */
export function isValidUscc(value: string): boolean {
  return /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(value) && usccCheckCharacter(value) === value[17];
}
