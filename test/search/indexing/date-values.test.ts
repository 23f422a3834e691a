import { strict as assert } from 'node:assert';
import type { Condition, Observation, Patient } from '@medplum/fhirtypes';
import { farFuture, farPast } from '../../../server/search/indexing/date-values';
import { entriesOf, ms, valuesOf } from './r4-registry';

describe('indexing: date values', () => {
  const birthdate = (birthDate: string): unknown =>
    valuesOf(entriesOf({ resourceType: 'Patient', birthDate } as Patient), 'dates', 'birthdate');

  it('turns a date into the range its precision covers, in UTC', () => {
    assert.deepEqual(birthdate('1980'), [{ low: ms('1980-01-01T00:00:00Z'), high: ms('1981-01-01T00:00:00Z') }]);
    assert.deepEqual(birthdate('1980-02'), [{ low: ms('1980-02-01T00:00:00Z'), high: ms('1980-03-01T00:00:00Z') }]);
    assert.deepEqual(birthdate('1980-02-29'), [{ low: ms('1980-02-29T00:00:00Z'), high: ms('1980-03-01T00:00:00Z') }]);
  });

  it('does not index what is not a date', () => {
    assert.deepEqual(birthdate('1980-02-30'), []);
  });

  const observation = (overrides: Partial<Observation>): Observation => ({
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
    ...overrides,
  });

  it('gives a dateTime to the second one second, in its own zone', () => {
    const entries = entriesOf(observation({ effectiveDateTime: '2026-03-05T09:30:00+08:00' }));
    assert.deepEqual(valuesOf(entries, 'dates', 'date'), [{ low: ms('2026-03-05T01:30:00Z'), high: ms('2026-03-05T01:30:01Z') }]);
  });

  it('spans a Period from the start of its start to the end of its end, open ends reaching far', () => {
    const closed = entriesOf(observation({ effectivePeriod: { start: '2026-03-05T08:00:00+08:00', end: '2026-03-05' } }));
    assert.deepEqual(valuesOf(closed, 'dates', 'date'), [{ low: ms('2026-03-05T00:00:00Z'), high: ms('2026-03-06T00:00:00Z') }]);
    const open = entriesOf(observation({ effectivePeriod: { start: '2026-03' } }));
    assert.deepEqual(valuesOf(open, 'dates', 'date'), [{ low: ms('2026-03-01T00:00:00Z'), high: farFuture }]);
    const noStart = entriesOf(observation({ effectivePeriod: { end: '2026' } }));
    assert.deepEqual(valuesOf(noStart, 'dates', 'date'), [{ low: farPast, high: ms('2027-01-01T00:00:00Z') }]);
  });

  it('gives an instant with milliseconds one millisecond', () => {
    const entries = entriesOf({
      resourceType: 'AuditEvent',
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
      recorded: '2026-03-05T01:02:03.456Z',
      agent: [{ requestor: true }],
      source: { observer: { reference: 'Device/d1' } },
    });
    assert.deepEqual(valuesOf(entries, 'dates', 'date'), [{ low: ms('2026-03-05T01:02:03.456Z'), high: ms('2026-03-05T01:02:03.457Z') }]);
  });

  it('spans a Timing over its events and its bounds', () => {
    const entries = entriesOf({
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: 'Patient/p1' },
      occurrenceTiming: {
        event: ['2026-03-10', '2026-03-02T10:00:00+08:00'],
        repeat: { boundsPeriod: { start: '2026-03-01', end: '2026-03-31' }, frequency: 1, period: 1, periodUnit: 'wk' },
      },
    });
    assert.deepEqual(valuesOf(entries, 'dates', 'occurrence'), [{ low: ms('2026-03-01T00:00:00Z'), high: ms('2026-04-01T00:00:00Z') }]);
  });

  it('indexes MedicationRequest authoredOn as authoredon', () => {
    const entries = entriesOf({
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: 'Patient/p1' },
      medicationCodeableConcept: { text: 'metformin' },
      authoredOn: '2026-03-05T10:00:00+08:00',
    });
    assert.deepEqual(valuesOf(entries, 'dates', 'authoredon'), [{ low: ms('2026-03-05T02:00:00Z'), high: ms('2026-03-05T02:00:01Z') }]);
  });

  it('gives a Condition with an Age onset no onset-date, and a dateTime onset one', () => {
    const condition: Condition = {
      resourceType: 'Condition',
      subject: { reference: 'Patient/p1' },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '38341003' }] },
      onsetAge: { value: 45, unit: 'years', system: 'http://unitsofmeasure.org', code: 'a' },
      recordedDate: '2026-03-05',
    };
    assert.deepEqual(valuesOf(entriesOf(condition), 'dates', 'onset-date'), []);
    assert.deepEqual(valuesOf(entriesOf(condition), 'dates', 'recorded-date'), [{ low: ms('2026-03-05T00:00:00Z'), high: ms('2026-03-06T00:00:00Z') }]);
    const dated = entriesOf({ ...condition, onsetAge: undefined, onsetDateTime: '2019-06' });
    assert.deepEqual(valuesOf(dated, 'dates', 'onset-date'), [{ low: ms('2019-06-01T00:00:00Z'), high: ms('2019-07-01T00:00:00Z') }]);
  });
});
