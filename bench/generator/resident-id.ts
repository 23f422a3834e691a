// Resident ID card numbers (GB 11643) that pass the check-character rule but can never be a real
// person's: the region code 990000 is not assigned by GB/T 2260 (no province code 99).
const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const checkCharacters = '10X98765432';

export const unassignedRegionCode = '990000';

export function residentIdCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += Number(first17[i]) * weights[i];
  }
  return checkCharacters[sum % 11];
}

/** birthDate as YYYY-MM-DD; the sequence's last digit is odd for men, even for women. */
export function residentId(birthDate: string, sequence: number, male: boolean): string {
  const base = Math.floor(sequence % 500) * 2 + (male ? 1 : 0);
  const first17 = unassignedRegionCode + birthDate.replaceAll('-', '') + String(base).padStart(3, '0');
  return first17 + residentIdCheckCharacter(first17);
}
