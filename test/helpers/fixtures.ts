// Typed builders for the resources the tests write.
import type { Observation, Patient } from '@medplum/fhirtypes';

export function patient(overrides: Partial<Patient> = {}): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: '120101198001010012' }],
    name: [{ text: '王小明', family: '王', given: ['小明'] }],
    gender: 'male',
    birthDate: '1980-01-01',
    ...overrides,
  };
}

export function observation(subjectId: string, overrides: Partial<Observation> = {}): Observation {
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8480-6', display: 'Systolic blood pressure' }] },
    subject: { reference: `Patient/${subjectId}` },
    effectiveDateTime: '2026-03-05T09:30:00+08:00',
    valueQuantity: { value: 132, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    ...overrides,
  };
}
