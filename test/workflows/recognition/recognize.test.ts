// Observation/$recognize and DiagnosticReport/$recognize (server/workflows/recognition): a grassroots
// clinic's result recognized at a tertiary hospital, refused for each rule on its own, converted from
// mg/dL with its code, found for a patient, recorded as a Provenance of the reuse, and asked only by
// those the policy lets ask.
import type { Observation, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { clinic, creatinine, hospital, recognitionServer, useDate, withoutMark, type RecognitionServer } from './recognition-fixtures';

type Recognition = { result?: string; recognized?: boolean; source?: string; code?: string; value?: number; unit?: string; provenance?: string; rules: Record<string, { verdict: string; message: string }> };

function recognitions(body: Parameters): Recognition[] {
  return (body.parameter ?? [])
    .filter((p) => p.name === 'recognition')
    .map((p) => {
      const part = (name: string): ParametersParameter | undefined => p.part?.find((q) => q.name === name);
      const rules: Recognition['rules'] = {};
      for (const rule of p.part?.filter((q) => q.name === 'rule') ?? []) {
        const field = (name: string): string => (rule.part?.find((q) => q.name === name)?.valueCode ?? rule.part?.find((q) => q.name === name)?.valueString) as string;
        rules[field('name')] = { verdict: field('verdict'), message: field('message') };
      }
      return {
        result: part('result')?.valueReference?.reference,
        recognized: part('recognized')?.valueBoolean,
        source: part('source')?.valueReference?.reference,
        code: part('code')?.valueCoding?.code,
        value: part('value')?.valueQuantity?.value,
        unit: part('value')?.valueQuantity?.code,
        provenance: part('provenance')?.valueReference?.reference,
        rules,
      };
    });
}

/** The rules that did not pass, with their verdicts. */
function refusedBy(r: Recognition): Record<string, string> {
  return Object.fromEntries(Object.entries(r.rules).filter(([, v]) => v.verdict !== 'pass').map(([k, v]) => [k, v.verdict]));
}

describe('$recognize: mutual recognition of laboratory results', function () {
  this.timeout(120_000);
  let server: RecognitionServer;

  before(async () => {
    server = await recognitionServer();
  });
  after(() => server.close());

  const store = async (observation: Observation): Promise<void> => {
    const res = await server.http.put(`/Observation/${observation.id}`).send(observation);
    assert.ok(res.status < 300, JSON.stringify(res.body));
  };
  const judge = async (id: string, query = '', date = useDate): Promise<Recognition> => {
    const res = await server.http.get(`/Observation/${id}/$recognize?organization=${hospital}&date=${date}${query}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [only, ...more] = recognitions(res.body as Parameters);
    assert.equal(more.length, 0);
    return only;
  };
  const judgeInline = async (observation: Observation, extra: ParametersParameter[] = []): Promise<Recognition> => {
    const res = await server.http.post('/Observation/$recognize').send({
      resourceType: 'Parameters',
      parameter: [{ name: 'organization', valueReference: { reference: hospital } }, { name: 'date', valueDate: useDate }, { name: 'result', resource: observation }, ...extra],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return recognitions(res.body as Parameters)[0];
  };

  it("recognizes a clinic's creatinine at the tertiary hospital, every rule passing", async () => {
    await store(creatinine('rec-crea'));
    const r = await judge('rec-crea', `&patient=Patient/rec-pat-a`);
    assert.deepEqual(refusedBy(r), {});
    assert.equal(r.recognized, true);
    assert.equal(r.result, 'Observation/rec-crea');
    assert.equal(r.source, clinic);
    assert.deepEqual([r.code, r.value, r.unit], ['14682-9', 78, 'umol/L']);
    assert.deepEqual(Object.keys(r.rules).sort(), ['code', 'patient', 'profile', 'quality-assessment', 'status', 'unit', 'window']);
    assert.match(r.rules['quality-assessment'].message, /VerificationResult\/rec-eqa-14682-9/);
  });

  it('refuses a unit that cannot be converted to the item unit (mg/dL on the molar creatinine code)', async () => {
    const r = await judgeInline(creatinine('x', { valueQuantity: { value: 0.9, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' } }));
    assert.deepEqual(refusedBy(r), { unit: 'fail' });
    assert.match(r.rules.unit.message, /mg\/dL cannot be converted to umol\/L/);
    assert.equal(r.value, undefined);
  });

  it('refuses a unit that is not UCUM', async () => {
    const r = await judgeInline(creatinine('x', { valueQuantity: { value: 78, unit: 'µmol/L' } }));
    assert.equal(r.rules.unit.verdict, 'fail');
    assert.match(r.rules.unit.message, /not coded in UCUM/);
  });

  it("refuses a specimen older than the item's validity window (creatinine: 30 days)", async () => {
    await store(creatinine('rec-crea-old', { effectiveDateTime: '2026-09-01T08:10:00+08:00', issued: '2026-09-01T11:00:00+08:00' }));
    const r = await judge('rec-crea-old');
    assert.deepEqual(refusedBy(r), { window: 'fail' });
    assert.match(r.rules.window.message, /80 days before 2026-11-20: 血肌酐 is recognized for 30 days only/);
    // The same result on a date inside its window is recognized.
    assert.equal((await recognitions((await server.http.get(`/Observation/rec-crea-old/$recognize?organization=${hospital}&date=2026-09-20`)).body)[0]).recognized, true);
  });

  it('refuses a result of a laboratory that failed the quality assessment of the item, whatever the result declares', async () => {
    // LDL cholesterol: the quality-control centre recorded val-fail; the result still says "passed" and carries HR.
    const ldl = creatinine('rec-ldl', {
      code: { coding: [{ system: 'http://loinc.org', code: '22748-8', display: 'Cholesterol in LDL [Moles/volume] in Serum or Plasma' }] },
      valueQuantity: { value: 2.9, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
    });
    await store(ldl);
    const r = await judge('rec-ldl');
    assert.deepEqual(refusedBy(r), { 'quality-assessment': 'fail' });
    assert.match(r.rules['quality-assessment'].message, /failed the quality assessment of 22748-8/);
  });

  it('refuses a result of a laboratory with no pass at the time of collection', async () => {
    // The clinic's pass for creatinine holds from 2025-12-10: a specimen of 2025-11 predates it.
    const r = await (async () => {
      await store(creatinine('rec-crea-2025', { effectiveDateTime: '2025-11-05T08:10:00+08:00', issued: '2025-11-05T11:00:00+08:00' }));
      return judge('rec-crea-2025', '', '2025-11-20');
    })();
    assert.deepEqual(refusedBy(r), { 'quality-assessment': 'fail' });
    assert.match(r.rules['quality-assessment'].message, /held no quality-assessment pass for 14682-9 when the specimen was collected/);
  });

  it('refuses a preliminary result', async () => {
    await store(withoutMark(creatinine('rec-crea-prelim', { status: 'preliminary' })));
    const r = await judge('rec-crea-prelim');
    assert.deepEqual(refusedBy(r), { status: 'fail' });
    assert.match(r.rules.status.message, /preliminary: only final, amended, corrected/);
  });

  it('refuses a local code that no ConceptMap maps to LOINC (the profile, which asks for LOINC, fails with it)', async () => {
    // 100103 (餐后2小时葡萄糖（静脉）) is listed as unmatched in the clinic's map.
    const local = { coding: [{ system: 'https://fhir.dhc.example/CodeSystem/local-lab/clinic-b100-0001', code: '100103', display: '餐后2小时葡萄糖（静脉）' }] };
    const r = await judgeInline(creatinine('x', { code: local, valueQuantity: { value: 8.1, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' } }));
    assert.equal(r.recognized, false);
    assert.deepEqual(refusedBy(r), { code: 'fail', profile: 'fail', unit: 'not-evaluated', 'quality-assessment': 'not-evaluated', window: 'not-evaluated' });
    assert.match(r.rules.code.message, /clinic-b100-0001\|100103\) is not LOINC and no ConceptMap maps it/);
    assert.match(r.rules.profile.message, /dhc-lab-1|LOINC/);
  });

  it('recognizes a local code that a ConceptMap maps to the LOINC item, judging the profile with the mapped code', async () => {
    // 100401 肌酐（酶法） maps to 14682-9 (wider: LOINC names no method).
    const local = { coding: [{ system: 'https://fhir.dhc.example/CodeSystem/local-lab/clinic-b100-0001', code: '100401', display: '肌酐（酶法）' }] };
    const r = await judgeInline(creatinine('x', { code: local }));
    assert.deepEqual(refusedBy(r), {});
    assert.equal(r.code, '14682-9');
    assert.match(r.rules.code.message, /100401 maps to LOINC 14682-9/);
    assert.equal(r.result, undefined, 'an inline result is not a stored reference');
  });

  it("refuses another patient's result", async () => {
    const r = await judge('rec-crea', '&patient=Patient/rec-pat-b');
    assert.deepEqual(refusedBy(r), { patient: 'fail' });
    assert.match(r.rules.patient.message, /another person/);
  });

  it('converts glucose from mg/dL to mmol/L with the molar mass, and the mass code 2345-7 to the molar 14749-6', async () => {
    const glucose = creatinine('rec-glu-mass', {
      code: { coding: [{ system: 'http://loinc.org', code: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma' }] },
      effectiveDateTime: '2026-11-18T07:40:00+08:00',
      issued: '2026-11-18T10:00:00+08:00',
      valueQuantity: { value: 126, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
    });
    await store(glucose);
    const r = await judge('rec-glu-mass');
    assert.deepEqual(refusedBy(r), {});
    // 126 mg/dL = 1.26 g/L / 180.16 g/mol = 6.99 mmol/L.
    assert.deepEqual([r.code, r.value, r.unit], ['14749-6', 6.99, 'mmol/L']);
    assert.match(r.rules.unit.message, /126 mg\/dL is 6.99 mmol\/L with the molar mass 180.16 g\/mol, LOINC 2345-7 becoming 14749-6/);
  });

  it("fetches every result of the patient its institution may recognize today (patient, no code), and one item's (code)", async () => {
    const all = await server.http.get(`/Observation/$recognize?patient=Patient/rec-pat-a&organization=${hospital}&date=${useDate}`);
    assert.equal(all.status, 200, JSON.stringify(all.body));
    const judged = recognitions(all.body as Parameters);
    const byId = Object.fromEntries(judged.map((r) => [r.result, r.recognized]));
    assert.equal(byId['Observation/rec-crea'], true);
    assert.equal(byId['Observation/rec-glu-mass'], true);
    assert.equal(byId['Observation/rec-ldl'], false);
    const recognizedOnly = await server.http.get(`/Observation/$recognize?patient=rec-pat-a&organization=${hospital}&date=${useDate}&onlyRecognized=true`);
    assert.deepEqual(recognitions(recognizedOnly.body as Parameters).map((r) => r.result).sort(), ['Observation/rec-crea', 'Observation/rec-glu-mass']);
    // The item 14749-6 includes the result that arrived as its mass code 2345-7.
    const glucose = await server.http.get(`/Observation/$recognize?patient=Patient/rec-pat-a&code=http://loinc.org|14749-6&organization=${hospital}&date=${useDate}`);
    assert.deepEqual(recognitions(glucose.body as Parameters).map((r) => r.result), ['Observation/rec-glu-mass']);
  });

  it('judges a DiagnosticReport and each result it groups', async () => {
    const report = {
      resourceType: 'DiagnosticReport',
      id: 'rec-report',
      meta: { profile: ['https://fhir.dhc.example/StructureDefinition/dhc-lab-report'] },
      extension: creatinine('x').extension,
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB', display: 'Laboratory' }] }],
      code: { text: '肾功能、血脂' },
      subject: { reference: 'Patient/rec-pat-a' },
      effectiveDateTime: '2026-11-05T08:10:00+08:00',
      issued: '2026-11-05T11:42:00+08:00',
      performer: [{ reference: clinic }],
      result: [{ reference: 'Observation/rec-crea' }, { reference: 'Observation/rec-ldl' }],
    };
    const put = await server.http.put('/DiagnosticReport/rec-report').send(report);
    assert.ok(put.status < 300, JSON.stringify(put.body));
    const res = await server.http.get(`/DiagnosticReport/rec-report/$recognize?organization=${hospital}&date=${useDate}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [whole, crea, ldl] = recognitions(res.body as Parameters);
    assert.deepEqual([whole.result, crea.result, ldl.result], ['DiagnosticReport/rec-report', 'Observation/rec-crea', 'Observation/rec-ldl']);
    assert.deepEqual(refusedBy(whole), { results: 'fail' });
    assert.deepEqual([crea.recognized, ldl.recognized], [true, false]);
  });

  it('records the reuse as a Provenance (record=true, POST), which the documented search counts', async () => {
    const token = server.tokenFor(['hospital-doctor'], [hospital]);
    const res = await server.http
      .post('/Observation/rec-crea/$recognize')
      .set('Authorization', `Bearer ${token}`)
      .send({ resourceType: 'Parameters', parameter: [{ name: 'organization', valueReference: { reference: hospital } }, { name: 'date', valueDate: useDate }, { name: 'record', valueBoolean: true }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [r] = recognitions(res.body as Parameters);
    assert.match(r.provenance ?? '', /^Provenance\//);
    const provenance = (await server.http.get(`/${r.provenance}`)).body;
    assert.deepEqual(provenance.target, [{ reference: 'Observation/rec-crea' }]);
    assert.equal(provenance.activity.coding[0].code, 'reused');
    assert.deepEqual(provenance.agent.map((a: { who: { reference: string } }) => a.who.reference), [hospital, 'Practitioner/rec-doctor']);
    assert.match(provenance.entity[0].what.reference, /^Observation\/rec-crea\/_history\/\d+$/);
    assert.deepEqual(provenance.policy, ['https://fhir.dhc.example/recognition/rule-set|1.0.0']);
    const count = await server.http.get('/Provenance?activity=https://fhir.dhc.example/CodeSystem/recognition|reused&_summary=count');
    assert.equal(count.body.total, 1);
    const atHospital = await server.http.get(`/Provenance?activity=https://fhir.dhc.example/CodeSystem/recognition|reused&agent=${hospital}&_summary=count`);
    assert.equal(atHospital.body.total, 1);
    // A refused result is not recorded; a GET never records.
    const refused = await server.http.post('/Observation/rec-ldl/$recognize').send({ resourceType: 'Parameters', parameter: [{ name: 'organization', valueString: hospital }, { name: 'date', valueDate: useDate }, { name: 'record', valueBoolean: true }] });
    assert.equal(recognitions(refused.body as Parameters)[0].provenance, undefined);
    const viaGet = await server.http.get(`/Observation/rec-crea/$recognize?organization=${hospital}&record=true`);
    assert.equal(viaGet.status, 400);
    assert.equal(viaGet.body.issue[0].expression[0], 'record');
    assert.equal((await server.http.get('/Provenance?activity=https://fhir.dhc.example/CodeSystem/recognition|reused&_summary=count')).body.total, 1);
  });

  it('lets clinicians and hospital doctors ask for their own organizations only, auditors for any, and nobody else', async () => {
    const ask = (token: string, organization = hospital): Promise<{ status: number; body: { issue?: { code: string; details?: { text?: string } }[] } }> =>
      server.http.get(`/Observation/rec-crea/$recognize?organization=${organization}&date=${useDate}`).set('Authorization', `Bearer ${token}`);
    assert.equal((await ask(server.tokenFor(['hospital-doctor'], [hospital]))).status, 200);
    const elsewhere = await ask(server.tokenFor(['clinician'], [clinic]), hospital);
    assert.equal(elsewhere.status, 403);
    assert.match(elsewhere.body.issue?.[0].details?.text ?? '', /your own organizations only, not for Organization\/rec-hospital/);
    assert.equal((await ask(server.tokenFor(['clinician'], [clinic]), clinic)).status, 200);
    assert.equal((await ask(server.tokenFor(['auditor'], []))).status, 200);
    const pharmacist = await ask(server.tokenFor(['pharmacist'], [hospital]));
    assert.equal(pharmacist.status, 403);
    assert.equal(pharmacist.body.issue?.[0].code, 'forbidden');
    // An auditor looks, but does not record a reuse.
    const record = await server.http
      .post('/Observation/rec-crea/$recognize')
      .set('Authorization', `Bearer ${server.tokenFor(['auditor'], [])}`)
      .send({ resourceType: 'Parameters', parameter: [{ name: 'organization', valueString: hospital }, { name: 'record', valueBoolean: true }] });
    assert.equal(record.status, 403);
    assert.equal((await server.http.get(`/Observation/rec-crea/$recognize?organization=${hospital}`).unset('Authorization')).status, 401);
  });

  it('answers bad input with an OperationOutcome naming the parameter', async () => {
    const cases: [string, number, string][] = [
      [`/Observation/rec-crea/$recognize?date=${useDate}`, 400, 'organization'],
      [`/Observation/rec-crea/$recognize?organization=${hospital}&date=20-11-2026`, 400, 'date'],
      [`/Observation/rec-crea/$recognize?organization=Organization/nowhere`, 400, 'organization'],
      [`/Observation/$recognize?organization=${hospital}`, 400, 'patient'],
      [`/Observation/$recognize?organization=${hospital}&patient=Patient/nobody`, 400, 'patient'],
      [`/Observation/$recognize?organization=${hospital}&patient=Patient/rec-pat-a&code=glucose`, 400, 'code'],
    ];
    for (const [url, status, parameter] of cases) {
      const res = await server.http.get(url);
      assert.equal(res.status, status, `${url}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.resourceType, 'OperationOutcome');
      assert.equal(res.body.issue[0].expression?.[0], parameter, url);
    }
    assert.equal((await server.http.get(`/Observation/nothing/$recognize?organization=${hospital}`)).status, 404);
  });

  it('is declared in the CapabilityStatement with its OperationDefinition, which the server serves, on its two types only', async () => {
    const statement = (await server.http.get('/metadata')).body;
    for (const type of ['Observation', 'DiagnosticReport']) {
      const resource = statement.rest[0].resource.find((r: { type: string }) => r.type === type);
      const operation = resource.operation.find((o: { name: string }) => o.name === 'recognize');
      assert.equal(operation.definition, 'https://fhir.dhc.example/OperationDefinition/recognize');
    }
    const patient = statement.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    assert.ok(!patient.operation?.some((o: { name: string }) => o.name === 'recognize'));
    const definition = await server.http.get('/OperationDefinition/recognize');
    assert.equal(definition.status, 200);
    assert.deepEqual([definition.body.code, definition.body.resource], ['recognize', ['Observation', 'DiagnosticReport']]);
    const elsewhere = await server.http.get(`/Patient/rec-pat-a/$recognize?organization=${hospital}`);
    assert.equal(elsewhere.status, 404);
    assert.match(elsewhere.body.issue[0].details.text, /defined on Observation and DiagnosticReport, not on Patient/);
  });

  it('is decided on the scopes for the type, and a result outside the grant is refused before it is judged', async () => {
    // A clinician whose app was granted Observation only, at user level.
    // The quality-control centre's records and the organizations are read as the server's reference data.
    const narrow = server.tokenFor(['clinician'], [clinic], ['user/Observation.rs', 'user/Patient.rs']);
    const scoped = await server.http.get(`/Observation/rec-crea/$recognize?organization=${clinic}&date=${useDate}`).set('Authorization', `Bearer ${narrow}`);
    assert.equal(scoped.status, 200, JSON.stringify(scoped.body));
    assert.equal(recognitions(scoped.body as Parameters)[0].recognized, true);
    // Without a scope for the type, the operation is refused.
    const other = server.tokenFor(['clinician'], [clinic], ['user/Patient.rs']);
    assert.equal((await server.http.get(`/Observation/rec-crea/$recognize?organization=${clinic}`).set('Authorization', `Bearer ${other}`)).status, 403);
    // A hospital doctor of another hospital, where patient A never was: the result is outside the grant.
    const stranger = server.tokenFor(['hospital-doctor'], ['Organization/rec-clinic-elsewhere']);
    const hidden = await server.http.get(`/Observation/rec-crea/$recognize?organization=Organization/rec-clinic-elsewhere`).set('Authorization', `Bearer ${stranger}`);
    assert.equal(hidden.status, 403);
    assert.match(hidden.body.issue[0].details.text, /Observation\/rec-crea is outside your grant/);
  });
});
