import { strict as assert } from 'node:assert';
import type { MedicationRequest, Patient } from '@medplum/fhirtypes';
import { entriesOf, valuesOf } from './r4-registry';

describe('indexing: token values', () => {
  const patient: Patient = {
    resourceType: 'Patient',
    meta: {
      tag: [{ system: 'https://fhir.dhc.example/CodeSystem/data-source', code: 'his-clinic', display: '基层HIS上传' }],
      security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N', display: 'normal' }],
    },
    identifier: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NI' }], text: '居民身份证' },
        system: 'urn:oid:2.16.156.10011.1.3',
        value: '120101198001010012',
      },
      { system: 'https://fhir.dhc.example/sid/mrn', value: 'HP001' },
    ],
    active: true,
    gender: 'female',
    telecom: [
      { system: 'phone', value: '+86-139-0000-1234', use: 'mobile' },
      { system: 'email', value: 'li.na@mail.example.cn' },
      { system: 'phone', use: 'home' },
    ],
    communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'zh-CN', display: 'Chinese (China)' }], text: '普通话' } }],
  };

  it('indexes a code primitive as a code without system', () => {
    assert.deepEqual(valuesOf(entriesOf(patient), 'tokens', 'gender'), [{ code: 'female' }]);
  });

  it('indexes a boolean as true/false', () => {
    const entries = entriesOf(patient);
    assert.deepEqual(valuesOf(entries, 'tokens', 'active'), [{ code: 'true' }]);
    // R4 deceased is "deceased.exists() and deceased != false": a living patient is deceased=false.
    assert.deepEqual(valuesOf(entries, 'tokens', 'deceased'), [{ code: 'false' }]);
    assert.deepEqual(valuesOf(entriesOf({ ...patient, deceasedDateTime: '2024-01-01' }), 'tokens', 'deceased'), [{ code: 'true' }]);
  });

  it('indexes an identifier as system|value, plus its type coding for :of-type and its type text for :text', () => {
    assert.deepEqual(valuesOf(entriesOf(patient), 'tokens', 'identifier'), [
      { system: 'urn:oid:2.16.156.10011.1.3', code: '120101198001010012', text: '居民身份证' },
      {
        system: 'urn:oid:2.16.156.10011.1.3',
        code: '120101198001010012',
        text: '居民身份证',
        typeSystem: 'http://terminology.hl7.org/CodeSystem/v2-0203',
        typeCode: 'NI',
      },
      { system: 'https://fhir.dhc.example/sid/mrn', code: 'HP001' },
    ]);
  });

  it('matches telecom on the value only, and phone/email through their own parameters', () => {
    const entries = entriesOf(patient);
    assert.deepEqual(valuesOf(entries, 'tokens', 'telecom'), [{ code: '+86-139-0000-1234' }, { code: 'li.na@mail.example.cn' }]);
    assert.deepEqual(valuesOf(entries, 'tokens', 'phone'), [{ code: '+86-139-0000-1234' }]);
    assert.deepEqual(valuesOf(entries, 'tokens', 'email'), [{ code: 'li.na@mail.example.cn' }]);
  });

  it('indexes each coding of a CodeableConcept with its display, and the text on its own, for :text', () => {
    assert.deepEqual(valuesOf(entriesOf(patient), 'tokens', 'language'), [
      { system: 'urn:ietf:bcp:47', code: 'zh-CN', text: 'chinese (china)' },
      { text: '普通话' },
    ]);
  });

  it('indexes meta.tag and meta.security as _tag and _security', () => {
    const entries = entriesOf(patient);
    assert.deepEqual(valuesOf(entries, 'tokens', '_tag'), [
      { system: 'https://fhir.dhc.example/CodeSystem/data-source', code: 'his-clinic', text: '基层his上传' },
    ]);
    assert.deepEqual(valuesOf(entries, 'tokens', '_security'), [
      { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N', text: 'normal' },
    ]);
  });

  it('indexes MedicationRequest intent, status and the medication code', () => {
    const request: MedicationRequest = {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: {
        coding: [{ system: 'http://www.whocc.no/atc', code: 'A10BA02', display: 'Metformin' }],
        text: '二甲双胍片',
      },
      subject: { reference: 'Patient/p1' },
    };
    const entries = entriesOf(request);
    assert.deepEqual(valuesOf(entries, 'tokens', 'intent'), [{ code: 'order' }]);
    assert.deepEqual(valuesOf(entries, 'tokens', 'status'), [{ code: 'active' }]);
    assert.deepEqual(valuesOf(entries, 'tokens', 'code'), [
      { system: 'http://www.whocc.no/atc', code: 'A10BA02', text: 'metformin' },
      { text: '二甲双胍片' },
    ]);
    assert.deepEqual(valuesOf(entries, 'references', 'medication'), []);
  });

  it('evaluates only the resource type\'s own branch of a shared expression', () => {
    // 'code' is "AllergyIntolerance.code | ... | Observation.code | ..." in R4.
    const entries = entriesOf({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '8480-6', display: 'Systolic blood pressure' }] },
    });
    assert.deepEqual(valuesOf(entries, 'tokens', 'code'), [
      { system: 'http://loinc.org', code: '8480-6', text: 'systolic blood pressure' },
    ]);
  });

  it('lists each repeated token once', () => {
    const entries = entriesOf({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }, { system: 'http://loinc.org', code: '8480-6' }] },
    });
    assert.deepEqual(valuesOf(entries, 'tokens', 'code'), [{ system: 'http://loinc.org', code: '8480-6' }]);
  });
});
