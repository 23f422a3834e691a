import { strict as assert } from 'node:assert';
import type { Bundle, MedicationRequest, Observation } from '@medplum/fhirtypes';
import { entriesOf, valuesOf } from './r4-registry';

describe('indexing: reference values', () => {
  const observation = (subject: Observation['subject']): Observation => ({
    resourceType: 'Observation',
    status: 'final',
    code: { text: 'weight' },
    subject,
  });

  it('parses a relative reference into type and id, and patient keeps only references to a Patient', () => {
    const entries = entriesOf(observation({ reference: 'Patient/pat-1', display: '张伟' }));
    assert.deepEqual(valuesOf(entries, 'references', 'subject'), [{ targetType: 'Patient', targetId: 'pat-1' }]);
    assert.deepEqual(valuesOf(entries, 'references', 'patient'), [{ targetType: 'Patient', targetId: 'pat-1' }]);
    const group = entriesOf(observation({ reference: 'Group/cohort-1' }));
    assert.deepEqual(valuesOf(group, 'references', 'subject'), [{ targetType: 'Group', targetId: 'cohort-1' }]);
    assert.deepEqual(valuesOf(group, 'references', 'patient'), []);
  });

  it('keeps an absolute URL as url and also parses its [Type]/[id] end', () => {
    const entries = entriesOf(observation({ reference: 'https://fhir.dhc.example/fhir/Patient/pat-2' }));
    const expected = [{ url: 'https://fhir.dhc.example/fhir/Patient/pat-2', targetType: 'Patient', targetId: 'pat-2' }];
    assert.deepEqual(valuesOf(entries, 'references', 'subject'), expected);
    assert.deepEqual(valuesOf(entries, 'references', 'patient'), expected, 'resolve() in @medplum/core would miss it');
  });

  it('keeps a version and a urn as they are', () => {
    const versioned = entriesOf(observation({ reference: 'Patient/pat-1/_history/3' }));
    assert.deepEqual(valuesOf(versioned, 'references', 'subject'), [{ targetType: 'Patient', targetId: 'pat-1', version: '3' }]);
    const urn = entriesOf(observation({ reference: 'urn:uuid:2b3c2e4e-5f0a-4a8e-9a51-0d3f6a7c1b22' }));
    assert.deepEqual(valuesOf(urn, 'references', 'subject'), [{ url: 'urn:uuid:2b3c2e4e-5f0a-4a8e-9a51-0d3f6a7c1b22' }]);
    assert.deepEqual(valuesOf(urn, 'references', 'patient'), []);
  });

  it('indexes Reference.identifier with Reference.type, and skips contained references', () => {
    const request: MedicationRequest = {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      contained: [{ resourceType: 'Medication', id: 'med1', code: { text: 'metformin' } }],
      medicationReference: { reference: '#med1' },
      subject: { reference: 'Patient/pat-1' },
      requester: { type: 'Practitioner', identifier: { system: 'https://fhir.dhc.example/sid/practitioner-licence', value: '110108000012' } },
    };
    const entries = entriesOf(request);
    assert.deepEqual(valuesOf(entries, 'references', 'requester'), [
      { identifierSystem: 'https://fhir.dhc.example/sid/practitioner-licence', identifierValue: '110108000012', targetType: 'Practitioner' },
    ]);
    assert.deepEqual(valuesOf(entries, 'references', 'medication'), []);
    assert.deepEqual(valuesOf(entries, 'references', 'subject'), [{ targetType: 'Patient', targetId: 'pat-1' }]);
  });

  it('indexes a Patient general practitioner', () => {
    const entries = entriesOf({
      resourceType: 'Patient',
      generalPractitioner: [{ reference: 'Practitioner/prac-liu' }, { reference: 'Organization/org-chc' }],
    });
    assert.deepEqual(valuesOf(entries, 'references', 'general-practitioner'), [
      { targetType: 'Practitioner', targetId: 'prac-liu' },
      { targetType: 'Organization', targetId: 'org-chc' },
    ]);
  });

  it('splits a canonical into url and version', () => {
    const entries = entriesOf({
      resourceType: 'QuestionnaireResponse',
      status: 'completed',
      questionnaire: 'https://fhir.dhc.example/Questionnaire/chronic-followup|2.1',
      subject: { reference: 'Patient/pat-1' },
    });
    assert.deepEqual(valuesOf(entries, 'references', 'questionnaire'), [
      { url: 'https://fhir.dhc.example/Questionnaire/chronic-followup', version: '2.1' },
    ]);
  });

  it('points at an inline resource by its type and id (Bundle composition)', () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'document',
      entry: [{ fullUrl: 'urn:uuid:c1', resource: { resourceType: 'Composition', id: 'comp-1', status: 'final', type: { text: 'summary' }, date: '2026-03-05', author: [{ display: 'x' }], title: 't' } }],
    };
    assert.deepEqual(valuesOf(entriesOf(bundle), 'references', 'composition'), [{ targetType: 'Composition', targetId: 'comp-1' }]);
  });
});
