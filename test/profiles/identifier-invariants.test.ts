// The resident ID card (GB 11643) and unified social credit code (GB 32100) invariants, evaluated by
// @medplum/core's validator over many numbers: every well-formed number passes, and each kind of mistake
// fails with the invariant that names it.
import type { Organization, Patient, StructureDefinition } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { residentId, residentIdCheckCharacter } from '../../seed/identifiers';
import { examplesDir, indexGeneratedProfiles, readJsonFile, validateWithProfile } from './profile-validation';

const residentIdSystem = 'urn:oid:2.16.156.10011.1.3';
const usccSystem = 'https://fhir.dhc.example/sid/uscc';
const usccCharacters = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const usccWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += usccCharacters.indexOf(first17[i]) * usccWeights[i];
  }
  return usccCharacters[(31 - (sum % 31)) % 31];
}

/** A small deterministic generator, so a failure names a number that can be replayed. */
function* sequence(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2147483648;
    yield x;
  }
}

function failedKeys(errors: { details?: { text?: string } }[]): string[] {
  return errors.map((e) => /Constraint (\S+) not met/.exec(e.details?.text ?? '')?.[1] ?? e.details?.text ?? '').sort();
}

describe('identifier invariants', () => {
  let patientProfile: StructureDefinition;
  let organizationProfile: StructureDefinition;
  let patient: Patient;
  let organization: Organization;
  before(() => {
    const sds = indexGeneratedProfiles();
    patientProfile = sds.find((sd) => sd.id === 'dhc-patient') as StructureDefinition;
    organizationProfile = sds.find((sd) => sd.id === 'dhc-organization') as StructureDefinition;
    patient = readJsonFile<Patient>(path.join(examplesDir, 'valid', 'dhc-patient--zhangwei.json'));
    organization = readJsonFile<Organization>(path.join(examplesDir, 'valid', 'dhc-organization--tertiary-hospital.json'));
  });

  const withResidentId = (value: string, birthDate: string, gender: Patient['gender']): Patient => ({
    ...patient,
    identifier: [{ system: residentIdSystem, value }],
    birthDate,
    gender,
  });

  it('accepts resident ID numbers of every kind of birth date, both sexes and check characters 0-9 and X', () => {
    const random = sequence(11643);
    const checks = new Set<string>();
    const dates = ['1900-01-01', '1949-10-01', '1960-02-29', '2000-02-29', '1999-12-31', '2024-02-29', '1987-04-30', '2010-11-30'];
    for (let i = 0; i < 120; i++) {
      const n = random.next().value as number;
      const birthDate = dates[i % dates.length] ?? '1980-01-01';
      const male = n % 2 === 0;
      const id = residentId(birthDate, n % 997, male);
      checks.add(id[17]);
      const { errors } = validateWithProfile(withResidentId(id, birthDate, male ? 'male' : 'female'), patientProfile);
      assert.deepEqual(failedKeys(errors), [], `${id} born ${birthDate}`);
    }
    assert.ok(checks.has('X') && checks.size >= 8, `check characters seen: ${[...checks].sort().join('')}`);
  });

  it('rejects every wrong check character (dhc-pat-3) and every impossible birth date (dhc-pat-2)', () => {
    const id = residentId('1958-03-12', 15, true);
    for (const wrong of '0123456789X'.split('').filter((c) => c !== id[17])) {
      const { errors } = validateWithProfile(withResidentId(id.slice(0, 17) + wrong, '1958-03-12', 'male'), patientProfile);
      assert.deepEqual(failedKeys(errors), ['dhc-pat-3'], `${id.slice(0, 17)}${wrong}`);
    }
    for (const yyyymmdd of ['19570229', '19000229', '19580431', '19581301', '19580300', '18991231', '19580632']) {
      const first17 = `990000${yyyymmdd}015`;
      const value = first17 + residentIdCheckCharacter(first17);
      const { errors } = validateWithProfile(withResidentId(value, '1958-03-12', 'male'), patientProfile);
      assert.deepEqual(failedKeys(errors), ['dhc-pat-2'], value);
    }
  });

  it('rejects a malformed number (dhc-pat-1) without reporting the checks that need its shape', () => {
    for (const value of ['99000019580312015', '9900001958031201511', '99000019580312015x', '99000019580312O15X']) {
      const { errors } = validateWithProfile(withResidentId(value, '1958-03-12', 'male'), patientProfile);
      assert.deepEqual(failedKeys(errors), ['dhc-pat-1'], value);
    }
  });

  it('accepts unified social credit codes with their check character and rejects every other one (dhc-org-2)', () => {
    const random = sequence(32100);
    for (let i = 0; i < 60; i++) {
      let body = '';
      for (let j = 0; j < 17; j++) {
        const n = random.next().value as number;
        body += j >= 2 && j < 8 ? String(n % 10) : usccCharacters[n % 31];
      }
      const check = usccCheckCharacter(body);
      const ok = { ...organization, identifier: [{ system: usccSystem, value: body + check }, ...(organization.identifier ?? []).slice(1)] };
      assert.deepEqual(failedKeys(validateWithProfile(ok, organizationProfile).errors), [], body + check);
      const wrong = usccCharacters[(usccCharacters.indexOf(check) + 1 + (i % 30)) % 31];
      const bad = { ...ok, identifier: [{ system: usccSystem, value: body + wrong }, ...(organization.identifier ?? []).slice(1)] };
      assert.deepEqual(failedKeys(validateWithProfile(bad, organizationProfile).errors), ['dhc-org-2'], body + wrong);
    }
  });
});
