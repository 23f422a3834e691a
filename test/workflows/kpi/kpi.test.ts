// The management figures over HTTP on the hand-built network of kpi-fixture.ts: every figure equals the
// hand computation written next to it; the strata, the previous-period change, $lastn and who may evaluate.
import type { Bundle, MeasureReport, Observation, Parameters } from '@medplum/fhirtypes';
import assert from 'node:assert/strict';
import { createAuthTestServer, type AuthTestServer } from '../../helpers/auth';
import { loadKpiNetwork } from './kpi-fixture';

const year2025 = 'periodStart=2025-01-01T00:00:00%2B08:00&periodEnd=2025-12-31T23:59:59%2B08:00';

const count = (report: MeasureReport, code: string): number | undefined =>
  report.group?.[0].population?.find((p) => p.code?.coding?.[0].code === code)?.count;
const score = (report: MeasureReport): number | undefined => report.group?.[0].measureScore?.value;
const stratum = (report: MeasureReport, stratifier: string, value: string): { counts: Record<string, number>; score?: number } | undefined => {
  const found = report.group?.[0].stratifier?.find((s) => s.code?.[0].text === stratifier)?.stratum?.find((s) => s.value?.text === value);
  return found && {
    counts: Object.fromEntries((found.population ?? []).map((p) => [p.code?.coding?.[0].code as string, p.count as number])),
    ...(found.measureScore?.value !== undefined ? { score: found.measureScore.value } : {}),
  };
};

describe('management figures ($evaluate-measure, $evaluate-all) and $lastn', () => {
  let server: AuthTestServer;
  let admin: string;
  before(async () => {
    server = createAuthTestServer();
    await loadKpiNetwork(server.store);
    admin = server.token();
  });
  after(() => server.close());

  const evaluate = async (measure: string, query: string, token = admin): Promise<{ status: number; body: MeasureReport & { issue?: { code: string; expression?: string[] }[] } }> => {
    const res = await server.http.get(`/Measure/${measure}/$evaluate-measure?${query}`).set('Authorization', `Bearer ${token}`);
    return { status: res.status, body: res.body };
  };

  it('counts the patients under management per disease', async () => {
    // Hypertension: p1 (I10), p2 (I11.9), p4 (I10) = 3; p5's asthma does not count. Diabetes: p2, p3 = 2.
    const hypertension = await evaluate('hypertension-under-management', year2025);
    assert.equal(hypertension.status, 200);
    assert.equal(hypertension.body.resourceType, 'MeasureReport');
    assert.equal(count(hypertension.body, 'initial-population'), 3);
    assert.equal(score(hypertension.body), undefined);
    const diabetes = await evaluate('diabetes-under-management', year2025);
    assert.equal(count(diabetes.body, 'initial-population'), 2);
  });

  it('computes the standardized-management rates (at least 4 follow-ups in the year)', async () => {
    // Hypertension 2025: p1 4 (yes), p2 4 (yes), p4 1 (no): 2/3.
    const hypertension = await evaluate('hypertension-standardized-management', year2025);
    assert.deepEqual([count(hypertension.body, 'denominator'), count(hypertension.body, 'numerator'), score(hypertension.body)], [3, 2, 0.666667]);
    // Diabetes 2025: p2 3 (no), p3 5 (yes): 1/2.
    const diabetes = await evaluate('diabetes-standardized-management', year2025);
    assert.deepEqual([count(diabetes.body, 'denominator'), count(diabetes.body, 'numerator'), score(diabetes.body)], [2, 1, 0.5]);
  });

  it('computes the control rates from the latest value with the age-dependent targets', async () => {
    // p1 145/85 at 65: on target (below 150/90 from 65); p2 138/88 at 45: on target; p4 no reading: not. 2/3.
    const pressure = await evaluate('blood-pressure-control', year2025);
    assert.deepEqual([count(pressure.body, 'denominator'), count(pressure.body, 'numerator'), score(pressure.body)], [3, 2, 0.666667]);
    // p2 latest 6.5 (June's 8.0 is older): on target; p3 7.0 is not below 7.0. 1/2.
    const glucose = await evaluate('blood-glucose-control', year2025);
    assert.deepEqual([count(glucose.body, 'numerator'), score(glucose.body)], [1, 0.5]);
  });

  it('stratifies by district and by clinic', async () => {
    const { body } = await evaluate('blood-pressure-control', year2025);
    // 临江区 = clinic A: p1, p2 both on target (2/2); 青山区 = clinic B: p4 not (0/1).
    assert.deepEqual(stratum(body, 'district', '临江区'), { counts: { 'initial-population': 2, denominator: 2, numerator: 2 }, score: 1 });
    assert.deepEqual(stratum(body, 'district', '青山区'), { counts: { 'initial-population': 1, denominator: 1, numerator: 0 }, score: 0 });
    assert.deepEqual(stratum(body, 'clinic', 'Organization/clinic-b')?.counts, { 'initial-population': 1, denominator: 1, numerator: 0 });
  });

  it('evaluates for a clinic, a family-doctor team and a district', async () => {
    // Clinic B's hypertension patients: p4 only, with one follow-up: 0/1.
    const clinic = await evaluate('hypertension-standardized-management', `${year2025}&subject=Organization/clinic-b`);
    assert.deepEqual([count(clinic.body, 'denominator'), count(clinic.body, 'numerator')], [1, 0]);
    assert.equal(clinic.body.reporter?.reference, 'Organization/clinic-b');
    // Team A (general practitioner gp-a): p1 and p2, both with 4 follow-ups: 2/2.
    const team = await evaluate('hypertension-standardized-management', `${year2025}&subject=CareTeam/team-a`);
    assert.deepEqual([count(team.body, 'denominator'), count(team.body, 'numerator')], [2, 2]);
    // 临江区: clinic A's p1 and p2.
    const district = await evaluate('hypertension-under-management', `${year2025}&district=${encodeURIComponent('临江区')}`);
    assert.equal(count(district.body, 'initial-population'), 2);
  });

  it('evaluates for a Group of patients: its active members, and who manages it decides who may', async () => {
    // group-a: p1 (4 follow-ups: yes) and p4 (1: no); p6's diagnosis is not current; p3 is an inactive member: 1/2.
    const group = await evaluate('hypertension-standardized-management', `${year2025}&subject=Group/group-a`);
    assert.equal(group.status, 200);
    assert.deepEqual([count(group.body, 'denominator'), count(group.body, 'numerator')], [2, 1]);
    assert.equal(group.body.subject?.reference, 'Group/group-a');
    assert.equal(group.body.reporter?.reference, 'Organization/clinic-a');
    assert.equal(count((await evaluate('diabetes-under-management', `${year2025}&subject=Group/group-a`)).body, 'initial-population'), 0);
    // A clinician of clinic A evaluates the group clinic A manages, not one nobody manages (only auditors and administrators).
    const clinician = server.token({ account: 'dr-a', fhirUser: 'Practitioner/dr-a', roles: ['clinician'], organizations: ['Organization/clinic-a'], scopes: ['user/*.rs'] });
    assert.equal((await evaluate('blood-pressure-control', `${year2025}&subject=Group/group-a`, clinician)).status, 200);
    assert.equal((await evaluate('blood-pressure-control', `${year2025}&subject=Group/group-b`, clinician)).status, 403);
    assert.equal(count((await evaluate('hypertension-under-management', `${year2025}&subject=Group/group-b`)).body, 'initial-population'), 1);
    const devices = await evaluate('blood-pressure-control', `${year2025}&subject=Group/group-devices`);
    assert.equal(devices.status, 400);
    assert.equal((await evaluate('blood-pressure-control', `${year2025}&subject=Group/none`)).status, 404);
  });

  it('lists the patients of each population with reportType=subject-list', async () => {
    const { body } = await evaluate('blood-glucose-control', `${year2025}&reportType=subject-list`);
    assert.equal(body.type, 'subject-list');
    const list = (id: string): string[] | undefined =>
      (body.contained as { id?: string; entry?: { item: { reference?: string } }[] }[] | undefined)?.find((c) => c.id === id)?.entry?.map((e) => e.item.reference as string);
    assert.deepEqual(list('denominator'), ['Patient/p2', 'Patient/p3']);
    assert.deepEqual(list('numerator'), ['Patient/p2']);
    assert.equal(body.group?.[0].population?.find((p) => p.code?.coding?.[0].code === 'numerator')?.subjectResults?.reference, '#numerator');
  });

  it('returns every indicator with the previous period and the change in percentage points', async () => {
    const res = await server.http.get(`/Measure/$evaluate-all?periodStart=2025-01-01&periodEnd=2025-12-31`).set('Authorization', `Bearer ${admin}`);
    assert.equal(res.status, 200);
    const parameters = res.body as Parameters;
    const byMeasure = new Map(
      (parameters.parameter ?? []).map((p) => {
        const report = p.part?.find((x) => x.name === 'report')?.resource as MeasureReport;
        const previous = p.part?.find((x) => x.name === 'previous')?.resource as MeasureReport;
        return [report.measure.split('/').pop(), { report, previous, change: p.part?.find((x) => x.name === 'change')?.valueDecimal }];
      })
    );
    assert.equal(byMeasure.size, 6);
    // Hypertension standardized management: 2025 2/3; 2024 p1 2 (no), p2 4 (yes), p4 3 (no): 1/3. +33.33 points.
    const standardized = byMeasure.get('hypertension-standardized-management')!;
    assert.equal(score(standardized.previous), 0.333333);
    assert.equal(standardized.previous.period.start, '2024-01-01T00:00:00.000Z');
    assert.equal(standardized.change, 33.33);
    // Blood pressure 2024: p1 150/88 at 64 is not below 140/90 (the same reading passes at 65), p2 142/80 not,
    // p4 130/80 yes: 1/3; 2025 2/3: +33.33 points.
    assert.equal(score(byMeasure.get('blood-pressure-control')!.previous), 0.333333);
    assert.equal(byMeasure.get('blood-pressure-control')!.change, 33.33);
    // Glucose 2024: p2 7.5 no, p3 6.0 yes: 1/2, as in 2025: 0 points.
    assert.equal(byMeasure.get('blood-glucose-control')!.change, 0);
    // Patients under management do not depend on the period: no change.
    assert.equal(byMeasure.get('hypertension-under-management')!.change, 0);
  });

  it('refuses a missing period, an unknown report type, and a subject that is not a clinic or team', async () => {
    const noPeriod = await evaluate('blood-pressure-control', 'periodEnd=2025-12-31');
    assert.equal(noPeriod.status, 400);
    assert.deepEqual(noPeriod.body.issue?.[0].expression, ['periodStart']);
    const individual = await evaluate('blood-pressure-control', `${year2025}&reportType=individual`);
    assert.equal(individual.status, 400);
    assert.deepEqual(individual.body.issue?.[0].expression, ['reportType']);
    const patient = await evaluate('blood-pressure-control', `${year2025}&subject=Patient/p1`);
    assert.equal(patient.status, 400);
    assert.deepEqual(patient.body.issue?.[0].expression, ['subject']);
    assert.equal((await evaluate('no-such-measure', year2025)).status, 404);
  });

  it('lets a clinician evaluate their own clinic only; auditors evaluate the network', async () => {
    const clinician = server.token({ account: 'dr-a', fhirUser: 'Practitioner/dr-a', roles: ['clinician'], organizations: ['Organization/clinic-a'], scopes: ['user/*.rs'] });
    assert.equal((await evaluate('blood-pressure-control', `${year2025}&subject=Organization/clinic-a`, clinician)).status, 200);
    assert.equal((await evaluate('blood-pressure-control', `${year2025}&subject=CareTeam/team-a`, clinician)).status, 200);
    const other = await evaluate('blood-pressure-control', `${year2025}&subject=Organization/clinic-b`, clinician);
    assert.equal(other.status, 403);
    assert.equal(other.body.issue?.[0].code, 'forbidden');
    assert.equal((await evaluate('blood-pressure-control', year2025, clinician)).status, 403);
    const auditor = server.token({ account: 'audit', fhirUser: 'Practitioner/audit', roles: ['auditor'], organizations: [], scopes: ['user/*.rs'] });
    assert.equal((await evaluate('blood-pressure-control', year2025, auditor)).status, 200);
    const pharmacist = server.token({ account: 'ph', fhirUser: 'Practitioner/ph', roles: ['pharmacist'], organizations: [], scopes: ['user/*.rs'] });
    assert.equal((await evaluate('blood-pressure-control', year2025, pharmacist)).status, 403);
  });

  it('$lastn returns the latest max values of each code for a patient', async () => {
    const res = await server.http.get('/Observation/$lastn?patient=Patient/p2&max=2&code=http://loinc.org|14770-2,http://loinc.org|85354-9').set('Authorization', `Bearer ${admin}`);
    assert.equal(res.status, 200);
    const bundle = res.body as Bundle<Observation>;
    // Glucose: 2025-12-01 (6.5) and 2025-06-01 (8.0), not 2024's 7.5; blood pressure: 2025-12-01 and 2024-12-01.
    const values = (bundle.entry ?? []).map((e) => [e.resource?.code?.coding?.[0].code, e.resource?.effectiveDateTime?.slice(0, 10)]);
    assert.deepEqual(values.sort(), [
      ['14770-2', '2025-06-01'],
      ['14770-2', '2025-12-01'],
      ['85354-9', '2024-12-01'],
      ['85354-9', '2025-12-01'],
    ]);
    const one = await server.http.get('/Observation/$lastn?patient=Patient/p3&code=http://loinc.org|14770-2').set('Authorization', `Bearer ${admin}`);
    assert.deepEqual((one.body as Bundle<Observation>).entry?.map((e) => e.resource?.valueQuantity?.value), [7.0]);
    const noPatient = await server.http.get('/Observation/$lastn?code=http://loinc.org|14770-2').set('Authorization', `Bearer ${admin}`);
    assert.equal(noPatient.status, 400);
    assert.deepEqual(noPatient.body.issue[0].expression, ['patient']);
  });

  it('declares the operations in the CapabilityStatement', async () => {
    const res = await server.http.get('/metadata').set('Authorization', `Bearer ${admin}`);
    const operations = (type: string): string[] =>
      (res.body.rest[0].resource as { type: string; operation?: { name: string }[] }[]).find((r) => r.type === type)?.operation?.map((o) => o.name) ?? [];
    assert.ok(operations('Measure').includes('evaluate-measure'));
    assert.ok(operations('Measure').includes('evaluate-all'));
    assert.ok(operations('Observation').includes('lastn'));
  });
});
