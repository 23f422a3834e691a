// The quality-control centre's records of the seeded laboratories (seed/network/quality-assessment.ts):
// deterministic, one per laboratory, item and round, following each clinic's status so that the seed
// holds refusals, and part of what the seed loads.
import type { Resource, VerificationResult } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { networkDirectory } from '../../seed/network/directory';
import { qualityAssessmentResources } from '../../seed/network/quality-assessment';
import { seedResources } from '../../seed/load';

describe('seed: quality-assessment records of the network laboratories', () => {
  const network = networkDirectory();
  const records = qualityAssessmentResources(network) as VerificationResult[];
  const of = (labId: string, year?: number): VerificationResult[] =>
    records.filter((r) => r.target?.[0]?.reference === `Organization/${labId}` && (year === undefined || r.id?.endsWith(`-${year}`)));

  it('is the same on every run', () => {
    assert.deepEqual(qualityAssessmentResources(networkDirectory()), records);
  });

  it('follows each clinic laboratory status: passed, failed rounds, a lapsed pass, never assessed', () => {
    const clinicsBy = (eqa: string): string[] => network.clinics.filter((c) => c.eqa === eqa).map((c) => c.id);
    for (const id of clinicsBy('not-assessed')) {
      assert.equal(of(id).length, 0, id);
    }
    for (const id of clinicsBy('expired')) {
      assert.equal(of(id, 2025).length, 0, `${id} has no 2025 round`);
      assert.ok(of(id, 2024).every((r) => r.status === 'validated'));
    }
    for (const id of clinicsBy('failed')) {
      assert.ok(of(id).some((r) => r.status === 'val-fail'), `${id} failed some item`);
    }
    const passed = clinicsBy('passed');
    assert.ok(passed.every((id) => of(id, 2024).length === 5 && of(id).every((r) => r.status === 'validated')));
    assert.ok(passed.some((id) => of(id, 2025).length === 4), 'some passing laboratories miss one 2025 round');
    assert.ok(network.hospitals.every((h) => of(h.id).length === 10));
  });

  it('records the item as LOINC and the pass from the round to the next year', () => {
    const record = records[0];
    assert.deepEqual(record.validationProcess?.map((p) => p.coding?.[0].system), ['https://fhir.dhc.example/CodeSystem/recognition', 'http://loinc.org']);
    assert.match(record.lastPerformed ?? '', /^\d{4}-12-\d\dT/);
    assert.match(record.nextScheduled ?? '', /^\d{4}-01-01$/);
  });

  it('is loaded with the network, before the patients', () => {
    const [structure] = seedResources(0, 1);
    const loaded = new Set(structure.filter((r: Resource) => r.resourceType === 'VerificationResult').map((r) => r.id));
    assert.equal(loaded.size, records.length);
  });
});
