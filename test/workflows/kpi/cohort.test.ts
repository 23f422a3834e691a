// The cohort aggregation of the storage port (server/store/cohort-port.ts) on every adapter: SQLite's SQL
// and the MongoDB adapter's pipelines (on mingo) select the same rows from the hand-built network.
import assert from 'node:assert/strict';
import { diseaseQuery } from '../../../server/workflows/kpi/figures';
import type { CohortRow } from '../../../server/store/cohort-port';
import type { ResourceStore } from '../../../server/store/port';
import { forEachStoreAdapter } from '../../helpers/store-adapters';
import { loadKpiNetwork } from './kpi-fixture';

const year2025 = { low: Date.parse('2025-01-01T00:00:00+08:00'), high: Date.parse('2026-01-01T00:00:00+08:00') };
const year2024 = { low: Date.parse('2024-01-01T00:00:00+08:00'), high: Date.parse('2025-01-01T00:00:00+08:00') };
const at = (local: string): number => Date.parse(`${local}+08:00`);

describe('cohort aggregation', () => {
  forEachStoreAdapter((adapter) => {
    let store: ResourceStore;
    before(async () => {
      store = await adapter.open();
      await loadKpiNetwork(store, false);
    });
    after(() => store.close());

    it('gives one row per hypertension patient with the year\'s follow-ups and latest blood pressure', async () => {
      const rows = (await store.cohort!(diseaseQuery('hypertension', [year2025], {}))) as CohortRow[];
      // p1, p2 (I11.9) and p4 have a hypertension Condition; p5 (asthma) does not, whatever its follow-up.
      assert.deepEqual(
        rows.map((r) => [r.patientId, r.group, r.counts.followUps0]),
        [
          ['p1', 'clinic-a', 4],
          ['p2', 'clinic-a', 4],
          ['p4', 'clinic-b', 1],
        ]
      );
      assert.deepEqual(rows[0].latest.control0, { at: at('2025-11-01T09:05:00'), values: { systolic: 145, diastolic: 85 } });
      assert.deepEqual(rows[1].latest.control0, { at: at('2025-12-01T09:05:00'), values: { systolic: 138, diastolic: 88 } });
      assert.equal(rows[2].latest.control0, undefined);
      assert.equal(rows[0].birthDate, Date.parse('1960-06-01T00:00:00Z'));
    });

    it('counts current diagnoses only: active, a recurrence, or no status and not abated', async () => {
      // p1 active, p2 recurrence, p4 without a status; p6 resolved, p7 entered in error, p8 refuted and
      // p9 abated without a status are left out, although each has a hypertension diagnosis (kpi-fixture.ts).
      const rows = await store.cohort!(diseaseQuery('hypertension', [year2025], {}));
      assert.deepEqual(rows.map((r) => r.patientId), ['p1', 'p2', 'p4']);
      // The same diagnosis counts again once it is current.
      await store.update({ resourceType: 'Condition', id: 'p6-htn', subject: { reference: 'Patient/p6' }, code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I10' }] }, clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'relapse' }] } });
      try {
        const again = await store.cohort!(diseaseQuery('hypertension', [year2025], {}));
        assert.deepEqual(again.map((r) => [r.patientId, r.counts.followUps0]), [['p1', 4], ['p2', 4], ['p4', 1], ['p6', 4]]);
      } finally {
        await store.delete('Condition', 'p6-htn');
      }
    });

    it('answers a second period in the same request as it answers it alone', async () => {
      const both = await store.cohort!(diseaseQuery('hypertension', [year2025, year2024], {}));
      const alone = await store.cohort!(diseaseQuery('hypertension', [year2024], {}));
      // 2024 by hand: p1 2 follow-ups and 150/88 on 1 October; p2 4 and 142/80 on 1 December; p4 3 and 130/80 on 1 May.
      const bp = (systolic: number, diastolic: number, day: string): unknown => ({ at: at(`${day}T09:05:00`), values: { systolic, diastolic } });
      const expected = [
        ['p1', 2, bp(150, 88, '2024-10-01')],
        ['p2', 4, bp(142, 80, '2024-12-01')],
        ['p4', 3, bp(130, 80, '2024-05-01')],
      ];
      assert.deepEqual(both.map((r) => [r.patientId, r.counts.followUps1, r.latest.control1]), expected);
      assert.deepEqual(alone.map((r) => [r.patientId, r.counts.followUps0, r.latest.control0]), expected);
      assert.deepEqual(both.map((r) => r.counts.followUps0), [4, 4, 1]);
    });

    it('reads a quantity value as the latest glucose, and narrows to the patients of an organization', async () => {
      const rows = await store.cohort!(diseaseQuery('diabetes', [year2025], { within: { param: 'organization', targets: [{ resourceType: 'Organization', id: 'clinic-b' }] } }));
      assert.deepEqual(rows.map((r) => [r.patientId, r.counts.followUps0, r.latest.control0?.values.glucose]), [['p3', 5, 7.0]]);
    });

    it('narrows to the patients of a general practitioner (a family-doctor team)', async () => {
      const rows = await store.cohort!(diseaseQuery('hypertension', [year2025], { within: { param: 'general-practitioner', targets: [{ resourceType: 'PractitionerRole', id: 'gp-a' }] } }));
      assert.deepEqual(rows.map((r) => r.patientId), ['p1', 'p2']);
    });

    it('narrows to given patients (a Group\'s members)', async () => {
      const rows = await store.cohort!(diseaseQuery('hypertension', [year2025], { patients: ['p1', 'p3', 'p4', 'p6', 'nobody'] }));
      // p3 has no hypertension, p6 no current diagnosis.
      assert.deepEqual(rows.map((r) => [r.patientId, r.counts.followUps0]), [['p1', 4], ['p4', 1]]);
      assert.deepEqual(await store.cohort!(diseaseQuery('hypertension', [year2025], { patients: [] })), []);
    });

    it('leaves out a deleted patient and counts nothing outside the period', async () => {
      await store.delete('Patient', 'p4');
      try {
        const rows = await store.cohort!(diseaseQuery('hypertension', [{ low: at('2023-01-01T00:00:00'), high: at('2024-01-01T00:00:00') }], {}));
        assert.deepEqual(rows.map((r) => [r.patientId, r.counts.followUps0, r.latest.control0]), [['p1', 0, undefined], ['p2', 0, undefined]]);
      } finally {
        await store.update({ resourceType: 'Patient', id: 'p4', birthDate: '1970-02-02', managingOrganization: { reference: 'Organization/clinic-b' } });
      }
    });
  });
});
