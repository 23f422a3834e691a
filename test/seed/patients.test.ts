// The patient generator (seed/patients): deterministic for a seed value, the network's case mix and
// calibrated figures on a sample, resident ID numbers that can never be real, codes from the network's
// terminology, and conformance of every generated resource type to its profile.
import type { CodeSystem, Condition, Encounter, MedicationRequest, Observation, Patient, Resource, ServiceRequest } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleFiles, writeBundles } from '../../seed/generate';
import { networkDirectory } from '../../seed/network/directory';
import { networkResources } from '../../seed/network/resources';
import { antidiabetics, antihypertensives } from '../../seed/patients/drugs';
import { patientRecord, patientResidentId } from '../../seed/patients/patient-record';
import { isReferral } from '../../seed/patients/referrals';
import { repoRoot } from '../profiles/profile-validation';
import { checkResidentId, keyOf, profileErrors, unresolvedReferences } from './seed-checks';

const seed = 20261123;

/** A home-care order (the referrals to hospitals are ServiceRequests too). */
const isHomeCareRequest = (r: Resource): boolean => r.resourceType === 'ServiceRequest' && !isReferral(r);

function records(count: number, seedValue = seed, from = 0): Resource[][] {
  return Array.from({ length: count }, (_, i) => patientRecord(from + i, seedValue));
}

function codeSystemCodes(file: string): Map<string, string> {
  const cs = JSON.parse(fs.readFileSync(path.join(repoRoot, 'terminology', 'codesystems', file), 'utf8')) as CodeSystem;
  const codes = new Map<string, string>();
  const walk = (concepts: CodeSystem['concept']): void =>
    concepts?.forEach((c) => {
      codes.set(c.code!, c.display!);
      walk(c.concept);
    });
  walk(cs.concept);
  return codes;
}

describe('seed: the patient generator', () => {
  it('is deterministic for a seed value, and another seed value gives other patients', () => {
    assert.deepEqual(records(20, 7), records(20, 7));
    const other = records(20, 8);
    assert.notDeepEqual(records(20, 7), other);
    assert.notEqual(patientResidentId(3, 7), patientResidentId(3, 8));
    assert.equal(patientResidentId(3, 7), (records(4, 7)[3][0] as Patient).identifier![0].value);
  });

  it('writes the same Bundle files for the same seed value', () => {
    const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'seed-gen-')));
    try {
      const counts = dirs.map((dir) => writeBundles({ patients: 30, seed: 7, load: false }, dir, () => undefined));
      assert.equal(counts[0], counts[1]);
      const [a, b] = dirs.map((dir) => bundleFiles(dir).map((f) => fs.readFileSync(f, 'utf8')));
      // Lists are never split: the network's structure is one Bundle, the patients' at most 1,000 entries each.
      const sizes = a.map((text) => (JSON.parse(text) as { entry: unknown[] }).entry.length);
      assert.ok(sizes[0] > 1000, `the network in one Bundle: ${sizes[0]}`);
      assert.ok(sizes.slice(1).every((n) => n <= 1000), sizes.join());
      assert.equal(sizes.reduce((x, y) => x + y, 0), counts[0]);
      assert.deepEqual(a, b);
    } finally {
      dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
    }
  });

  describe('on a sample of 3,000 patients', () => {
    let sample: Resource[][];
    let all: Resource[];
    before(() => {
      sample = records(3000);
      all = sample.flat();
    });
    const ratio = (n: number, d: number): number => (100 * n) / d;
    const near = (actual: number, expected: number, tolerance: number, what: string): void =>
      assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual.toFixed(2)}, expected ${expected} ± ${tolerance}`);

    it('keeps the network case mix: 83.4% hypertension, 33.3% diabetes, 16.6% both', () => {
      const kinds = sample.map((r) => {
        const codes = r.filter((x): x is Condition => x.resourceType === 'Condition').map((c) => c.code!.coding![0].code!);
        return { ht: codes.some((c) => c.startsWith('I1')), dm: codes.some((c) => c.startsWith('E11')) };
      });
      near(ratio(kinds.filter((k) => k.ht).length, 3000), 83.36, 2.5, 'hypertension');
      near(ratio(kinds.filter((k) => k.dm).length, 3000), 33.27, 2.5, 'diabetes');
      near(ratio(kinds.filter((k) => k.ht && k.dm).length, 3000), 16.64, 2, 'both');
      assert.ok(kinds.every((k) => k.ht || k.dm));
    });

    it('manages 76.93% of patient-years to the rule (4 or more follow-ups), and control improves by about 15.84 and 9.78 points', () => {
      let years = 0;
      let managed = 0;
      const bp = { n: 0, first: 0, last: 0 };
      const glucose = { n: 0, first: 0, last: 0 };
      for (const record of sample) {
        const visits = record.filter((r): r is Encounter => r.resourceType === 'Encounter' && r.class.code === 'AMB');
        for (const year of ['2024', '2025']) {
          years++;
          managed += visits.filter((v) => v.period!.start!.startsWith(year)).length >= 4 ? 1 : 0;
        }
        const bps = record.filter((r): r is Observation => r.id!.endsWith('-bp'));
        if (record.some((r) => r.id!.endsWith('-htn') && r.resourceType === 'Condition')) {
          const ok = (o: Observation): number => (o.component![0].valueQuantity!.value! < 140 && o.component![1].valueQuantity!.value! < 90 ? 1 : 0);
          bp.n++;
          bp.first += ok(bps[0]);
          bp.last += ok(bps[bps.length - 1]);
        }
        const glu = record.filter((r): r is Observation => r.id!.endsWith('-glu'));
        if (glu.length) {
          const ok = (o: Observation): number => (o.valueQuantity!.value! >= 4.4 && o.valueQuantity!.value! <= 7.0 ? 1 : 0);
          glucose.n++;
          glucose.first += ok(glu[0]);
          glucose.last += ok(glu[glu.length - 1]);
        }
      }
      near(ratio(managed, years), 76.93, 2, 'standardized management');
      near(ratio(bp.last - bp.first, bp.n), 15.84, 4, 'blood pressure control gain');
      near(ratio(glucose.last - glucose.first, glucose.n), 9.78, 5, 'glucose control gain');
    });

    it('has realistic values: blood pressure, glucose, HbA1c and BMI in their ranges', () => {
      const values = (suffix: string, pick: (o: Observation) => number): number[] =>
        all.filter((r): r is Observation => r.resourceType === 'Observation' && r.id!.endsWith(suffix)).map(pick);
      const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
      near(mean(values('-bp', (o) => o.component![0].valueQuantity!.value!)), 138, 6, 'mean systolic');
      near(mean(values('-bp', (o) => o.component![1].valueQuantity!.value!)), 82, 6, 'mean diastolic');
      near(mean(values('-glu', (o) => o.valueQuantity!.value!)), 7.8, 1, 'mean fasting capillary glucose');
      near(mean(values('-a1c', (o) => o.valueQuantity!.value!)), 7.2, 0.8, 'mean HbA1c');
      near(mean(values('-bmi', (o) => o.valueQuantity!.value!)), 25.6, 1, 'mean BMI');
    });

    it('prescribes through the cloud pharmacy at the network rate, 7.7% delivered home, and gives home care to about 0.7%', () => {
      const prescriptions = all.filter((r): r is MedicationRequest => r.resourceType === 'MedicationRequest');
      near(prescriptions.length / 3000, 1.866, 0.3, 'cloud prescriptions per patient');
      near(ratio(prescriptions.filter((p) => p.extension!.some((e) => e.url.endsWith('/home-address'))).length, prescriptions.length), 7.69, 2.5, 'home delivery');
      const dispensed = all.filter((r) => r.resourceType === 'MedicationDispense').length;
      assert.equal(dispensed, prescriptions.filter((p) => p.status === 'active' || p.status === 'completed').length, 'only approved prescriptions are dispensed');
      const homeCare = sample.filter((r) => r.some(isHomeCareRequest)).length;
      assert.ok(homeCare >= 6 && homeCare <= 45, `home-care patients: ${homeCare}`);
    });

    it('refers patients not controlled at two visits in a row (or at 180/110) to a tertiary hospital, for their conditions', () => {
      const network = networkDirectory();
      const tertiary = new Set(network.hospitals.filter((h) => h.level === 'tertiary').map((h) => `Organization/${h.id}`));
      let referrals = 0;
      for (const record of sample) {
        const byId = new Map(record.map((r) => [`${r.resourceType}/${r.id}`, r]));
        for (const referral of record.filter(isReferral)) {
          referrals++;
          assert.equal(referral.performer?.length, 1);
          assert.ok(tertiary.has(referral.performer![0].reference!), referral.performer![0].reference);
          assert.equal(referral.subject.reference, `Patient/${record[0].id}`);
          assert.ok(referral.reasonReference!.length > 0 && referral.reasonReference!.every((c) => byId.get(c.reference!)?.resourceType === 'Condition'));
          // The visit it was written at was over target in what it gives as the reason.
          const bps = referral.supportingInfo!.map((s) => byId.get(s.reference!) as Observation).filter((o) => o.code.coding![0].code === '85354-9');
          const over = (o: Observation): boolean => o.component![0].valueQuantity!.value! >= 140 || o.component![1].valueQuantity!.value! >= 90;
          const glucose = referral.supportingInfo!.map((s) => byId.get(s.reference!) as Observation).filter((o) => o.code.coding![0].code === '14770-2');
          const urgent = referral.priority === 'urgent';
          assert.equal(bps.length, urgent ? 1 : 2, referral.id);
          assert.ok(bps.every((o, i) => over(o) || glucose[i]?.valueQuantity!.value! >= 7.0), referral.id);
          assert.equal(byId.get(referral.encounter!.reference!)?.resourceType, 'Encounter');
        }
      }
      // About one referral per patient over the two years with the assumed share of the rule's referrals made.
      near(referrals / 3000, 1.0, 0.25, 'referrals per patient');
    });

    it('gives residents distinct ID numbers of the unassigned province 99 that pass the check', () => {
      const patients = all.filter((r): r is Patient => r.resourceType === 'Patient');
      const numbers = patients.map((p) => {
        const value = p.identifier![0].value!;
        checkResidentId(value, p.birthDate!, p.gender!);
        return value;
      });
      assert.equal(new Set(numbers).size, numbers.length);
    });

    it('uses formulary products, home-care services and diagnoses of the network terminology with their displays', () => {
      const formulary = codeSystemCodes('formulary.json');
      for (const drug of [...antihypertensives, ...antidiabetics]) {
        assert.equal(formulary.get(drug.code), drug.display, drug.code);
      }
      const services = codeSystemCodes('home-care-service.json');
      const icd10cn = codeSystemCodes('icd-10-cn-clinical-2.0.json');
      for (const r of all) {
        if (isHomeCareRequest(r)) {
          const c = (r as ServiceRequest).code!.coding![0];
          assert.equal(services.get(c.code!), c.display, c.code);
        }
        if (r.resourceType === 'Condition') {
          assert.ok(icd10cn.has(r.code!.coding![1].code!), r.code!.coding![1].code);
        }
      }
    });
  });

  it('conforms to every profile it claims, and its references resolve to the network or the same patient', function () {
    this.timeout(60_000);
    // The first patients, and the first few with home care (about 0.7% of patients).
    const withHomeCare = records(1500).filter((r) => r.some(isHomeCareRequest)).slice(0, 3);
    const sample = [...records(12), ...withHomeCare];
    const validated = new Set<string>();
    assert.deepEqual(profileErrors(sample.flat(), validated), []);
    const expected = [
      'dhc-blood-pressure', 'dhc-bmi', 'dhc-body-height', 'dhc-body-weight', 'dhc-chronic-condition', 'dhc-cloud-dispense',
      'dhc-cloud-prescription', 'dhc-fasting-glucose', 'dhc-follow-up-panel', 'dhc-hba1c', 'dhc-home-care-request',
      'dhc-home-care-task', 'dhc-lab-report', 'dhc-lab-result', 'dhc-patient', 'dhc-waist-circumference',
    ];
    assert.deepEqual([...validated].sort(), expected);
    const structure = networkResources(networkDirectory());
    const known = new Set([...structure, ...records(200).flat()].map(keyOf));
    assert.deepEqual(unresolvedReferences(records(200).flat(), known), []);
  });
});
