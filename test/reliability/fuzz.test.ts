// Property-based fuzzing of the HTTP API (fast-check): resources, raw bodies, search strings, patches and
// Bundles, built from the names the server knows mixed with arbitrary JSON and text. Whatever is sent,
// the answer is never a 5xx, every error is an OperationOutcome, and the server keeps serving.
// FUZZ_RUNS sets the cases per kind (default 600, about 3,000 in all); a failure prints the seed to replay.
import fc from 'fast-check';
import pino from 'pino';
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { patientRecord } from '../../bench/generator/patient-records';
import { createTestServer, fhirJson, type TestServer } from '../helpers/test-server';

const runs = Number(process.env.FUZZ_RUNS ?? 600);
/** Each kind stops after this long even if its cases are not all run, so CI time stays bounded. */
const timeLimitMs = Number(process.env.FUZZ_TIME_LIMIT_MS ?? 25_000);

const types = ['Patient', 'Observation', 'Bundle', 'ValueSet', 'MedicationRequest', 'Organization', 'Parameters', 'Basic', 'Nope'];
const elementNames = [
  'resourceType', 'id', 'meta', 'profile', 'name', 'given', 'family', 'text', 'gender', 'birthDate', 'identifier', 'system', 'value',
  'extension', 'url', 'valueString', 'valueQuantity', 'valueDecimal', 'code', 'coding', 'subject', 'reference', 'status',
  'contained', 'entry', 'resource', 'request', 'method', 'fullUrl', 'parameter', 'part', 'compose', 'include', 'concept',
  'constructor', '__proto__', 'toString', 'hasOwnProperty', '_birthDate', 'valueOf', '',
];
const jsonLeaf = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('1.50', '2020-01-01', 'http://x.example/a', 'Patient/p1', 'urn:uuid:0c6d1e9b-2b1a-4d8b-9f3e-1a2b3c4d5e6f', 'male', 'final', '旺'),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null)
);
const { json: fhirish } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonLeaf,
    fc.array(tie('json'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...elementNames), tie('json'), { maxKeys: 5 })
  ),
}));
const resource = fc
  .tuple(fc.constantFrom(...types), fc.dictionary(fc.constantFrom(...elementNames), fhirish, { maxKeys: 6 }))
  .map(([resourceType, rest]) => ({ ...rest, resourceType }));

/** Realistic resources of the network (the benchmark's generator), to mutate: these reach indexing and storage. */
const realistic = patientRecord(2, 7).filter((r) => r.resourceType !== 'Patient' || r.id);

/** Every path to a value in `value`, as lists of keys. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) {
    return [prefix];
  }
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => pathsOf((value as Record<string | number, unknown>)[k], [...prefix, k]))];
}

/** A realistic resource with a few of its values replaced, removed or added to. */
const mutatedResource = fc
  .tuple(fc.nat(), fc.array(fc.tuple(fc.nat(), fc.constantFrom('set', 'delete', 'add'), fc.constantFrom(...elementNames), fhirish), { minLength: 1, maxLength: 3 }))
  .map(([which, edits]) => {
    const copy = structuredClone(realistic[which % realistic.length]) as unknown as Record<string, unknown>;
    for (const [at, how, name, value] of edits) {
      const paths = pathsOf(copy).filter((p) => p.length > 0 && p[0] !== 'resourceType');
      if (!paths.length) {
        break;
      }
      const path = paths[at % paths.length];
      const holder = path.slice(0, -1).reduce<unknown>((h, k) => (h as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown>;
      const key = path[path.length - 1];
      if (how === 'delete') {
        delete holder[key];
      } else if (how === 'set') {
        holder[key] = value;
      } else if (typeof holder[key] === 'object' && holder[key] !== null && !Array.isArray(holder[key])) {
        (holder[key] as Record<string, unknown>)[name] = value;
      }
    }
    return copy;
  });

const searchNames = [
  'name', 'family', 'given', 'gender', 'birthdate', 'identifier', 'code', 'date', 'subject', 'patient', 'value-quantity',
  'organization', '_id', '_lastUpdated', '_count', '_sort', '_include', '_revinclude', '_summary', '_elements', '_total',
  '_cursor', '_has:Observation:patient:code', 'subject.name', 'subject:Patient.birthdate', 'general-practitioner.name', 'x',
];
const modifiers = ['', ':exact', ':contains', ':missing', ':not', ':text', ':in', ':not-in', ':above', ':below', ':of-type', ':Patient', ':iterate', ':identifier'];
const searchValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('ge2020', 'lt2020-01-01T00:00:00Z', 'eq1.5|http://unitsofmeasure.org|mm[Hg]', 'http://loinc.org|14770-2', 'true', '-name', 'Patient:organization', '*', 'Patient/p1', 'sa', 'ap2020-13', '0', '1000', '%', '\\,', 'a,b,c', '|', 'http://x.example/ValueSet/v')
);
const searchQuery = fc
  .array(fc.tuple(fc.constantFrom(...searchNames), fc.constantFrom(...modifiers), searchValue), { maxLength: 5 })
  .map((parts) => parts.map(([n, m, v]) => `${encodeURIComponent(n + m)}=${encodeURIComponent(v)}`).join('&'));

const pointer = fc.array(fc.oneof(fc.constantFrom(...elementNames), fc.constantFrom('0', '1', '-', '~1', '~0', '99')), { maxLength: 4 }).map((s) => '/' + s.join('/'));
const jsonPatch = fc.array(
  fc.record({ op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'), path: pointer, from: pointer, value: fhirish }, { requiredKeys: ['op', 'path'] }),
  { maxLength: 4 }
);
const fhirPathPatch = fc
  .array(
    fc.record({
      type: fc.constantFrom('add', 'insert', 'delete', 'replace', 'move', 'bogus'),
      path: fc.constantFrom('Patient', 'Patient.name', 'Patient.name[0]', 'Patient.name.where(use = \'official\')', 'Patient.birthDate', 'Patient.identifier[5]', '%%', 'Patient.extension'),
      name: fc.constantFrom(...elementNames),
      value: fhirish,
      index: fc.integer({ min: -2, max: 5 }),
    }),
    { maxLength: 3 }
  )
  .map((ops) => ({
    resourceType: 'Parameters',
    parameter: ops.map((op) => ({
      name: 'operation',
      part: [
        { name: 'type', valueCode: op.type },
        { name: 'path', valueString: op.path },
        { name: 'name', valueString: op.name },
        { name: 'index', valueInteger: op.index },
        typeof op.value === 'string' ? { name: 'value', valueString: op.value } : { name: 'value', valueBoolean: !!op.value },
      ],
    })),
  }));
const bundle = fc
  .tuple(
    fc.constantFrom('batch', 'transaction', 'searchset', 'nonsense'),
    fc.array(
      fc.record({
        fullUrl: fc.constantFrom('urn:uuid:0c6d1e9b-2b1a-4d8b-9f3e-1a2b3c4d5e6f', 'urn:uuid:1c6d1e9b-2b1a-4d8b-9f3e-1a2b3c4d5e6f', 'Patient/p1', 'x'),
        resource: fc.oneof(resource, fhirish),
        request: fc.record({
          method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'BREW'),
          url: fc.oneof(fc.constantFrom('Patient', 'Patient/p1', 'Patient?name=a', 'Observation/_history', '$everything', 'Patient/p1/$validate', ''), fc.string({ maxLength: 15 })),
          ifNoneExist: fc.constantFrom('identifier=a|b', 'name=x', ''),
          ifMatch: fc.constantFrom('W/"1"', 'nope'),
        }, { requiredKeys: ['method', 'url'] }),
      }, { requiredKeys: [] }),
      { maxLength: 4 }
    )
  )
  .map(([type, entry]) => ({ resourceType: 'Bundle', type, entry }));
const rawBody = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.json({ maxDepth: 3 }),
  resource.map((r) => JSON.stringify(r)).chain((text) => fc.nat({ max: Math.max(text.length - 1, 0) }).map((cut) => text.slice(0, cut))),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('latin1'))
);

describe('fuzzing the HTTP API: never a 5xx', function () {
  this.timeout(timeLimitMs * 6 + 60_000);
  let server: TestServer;
  let httpServer: http.Server;
  let agent: http.Agent;
  let port: number;
  const serverErrors: string[] = [];
  before(async () => {
    // Server errors are kept, so that a failing case shows the stack of what broke.
    server = createTestServer({ logger: pino({ level: 'error' }, { write: (line: string) => serverErrors.push(line) }) });
    httpServer = http.createServer(server.app);
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    port = (httpServer.address() as AddressInfo).port;
    agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    await send('PUT', '/Patient/p1', JSON.stringify({ resourceType: 'Patient', id: 'p1', name: [{ family: 'Wang', given: ['Xiaoming'] }] }));
    await send('PUT', '/Observation/o1', JSON.stringify({ resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/p1' } }));
  });
  after(async () => {
    agent.destroy();
    await new Promise((resolve) => httpServer.close(resolve));
    await server.close();
  });

  function send(method: string, path: string, body?: string, contentType = fhirJson): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = body === undefined ? {} : { 'Content-Type': contentType };
      const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** The property every answer has: below 500, and an OperationOutcome when it is an error. */
  async function answersWell(method: string, path: string, body?: string, contentType?: string): Promise<void> {
    const res = await send(method, path, body, contentType);
    const what = `${method} ${path} ${body?.slice(0, 300) ?? ''} -> ${res.status} ${res.text.slice(0, 300)}`;
    assert.ok(res.status < 500, `${what}\n${serverErrors.at(-1)?.slice(0, 1500) ?? ''}`);
    if (res.status >= 400 && method !== 'HEAD' && res.text) {
      assert.equal((JSON.parse(res.text) as { resourceType: string }).resourceType, 'OperationOutcome', what);
    }
  }

  const check = async (property: fc.IAsyncPropertyWithHooks<never> | fc.IAsyncProperty<never>): Promise<void> => {
    await fc.assert(property as fc.IAsyncProperty<never>, { numRuns: runs, interruptAfterTimeLimit: timeLimitMs, markInterruptAsFailure: false });
    await answersWell('GET', '/Patient/p1');
  };

  it('writes and validates arbitrary resources', async () => {
    await check(
      fc.asyncProperty(resource, fc.constantFrom('POST', 'PUT', 'VALIDATE'), async (r, how) => {
        const type = String(r.resourceType);
        if (how === 'PUT') {
          await answersWell('PUT', `/${type}/fz-1`, JSON.stringify({ ...r, id: 'fz-1' }));
        } else {
          await answersWell('POST', how === 'POST' ? `/${type}` : `/${type}/$validate`, JSON.stringify(r));
        }
      }) as never
    );
  });

  it('writes, validates and searches for realistic resources with some values changed', async () => {
    await check(
      fc.asyncProperty(mutatedResource, fc.constantFrom('POST', 'PUT', 'VALIDATE', 'TRANSACTION'), async (r, how) => {
        const type = String(r.resourceType);
        if (how === 'PUT') {
          await answersWell('PUT', `/${type}/${typeof r.id === 'string' && /^[A-Za-z0-9.-]{1,64}$/.test(r.id) ? r.id : 'fz-2'}`, JSON.stringify(r));
        } else if (how === 'TRANSACTION') {
          const entry = [{ fullUrl: 'urn:uuid:0c6d1e9b-2b1a-4d8b-9f3e-1a2b3c4d5e6f', resource: r, request: { method: 'POST', url: type } }];
          await answersWell('POST', '/', JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }));
        } else {
          await answersWell('POST', how === 'POST' ? `/${type}` : `/${type}/$validate`, JSON.stringify(r));
        }
      }) as never
    );
  });

  it('reads arbitrary bodies with every content type', async () => {
    await check(
      fc.asyncProperty(rawBody, fc.constantFrom(fhirJson, 'application/json', 'application/json-patch+json', 'application/x-www-form-urlencoded', 'text/plain'), fc.constantFrom('POST /Patient', 'PUT /Patient/p1', 'PATCH /Patient/p1', 'POST /', 'POST /Patient/_search'), async (body, type, route) => {
        const [method, path] = route.split(' ');
        await answersWell(method, path, body, type);
      }) as never
    );
  });

  it('answers arbitrary searches, histories and conditional requests', async () => {
    await check(
      fc.asyncProperty(searchQuery, fc.constantFrom('/Patient', '/Observation', '/Patient/p1/Observation', '/_history', '/Patient/_history', '/Patient/p1/$everything', '/ValueSet/$expand'), async (query, path) => {
        await answersWell('GET', `${path}?${query}`);
      }) as never
    );
  });

  it('applies arbitrary JSON Patches and FHIRPath Patches', async () => {
    await check(
      fc.asyncProperty(fc.oneof(jsonPatch.map((p) => ({ json: true, body: p })), fhirPathPatch.map((p) => ({ json: false, body: p }))), async ({ json, body }) => {
        await answersWell('PATCH', '/Patient/p1', JSON.stringify(body), json ? 'application/json-patch+json' : fhirJson);
      }) as never
    );
  });

  it('processes arbitrary batch and transaction Bundles', async () => {
    await check(
      fc.asyncProperty(bundle, async (b) => {
        await answersWell('POST', '/', JSON.stringify(b));
      }) as never
    );
  });
});
