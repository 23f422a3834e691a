// A search page read on a read thread arrives as stored text and is parsed only where it is used
// (server/json/lazy-resource.ts): the responses and the AuditEvents built for them must be what a page
// read and parsed on the server's thread gives. The same store file is searched through a server
// without read threads and one with a read thread, and both answers and events compared.
import type { AuditEvent } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { restEvents } from '../../server/audit/events-rest';
import type { RequestHook } from '../../server/fhir/pipeline/hooks';
import { createResourceIndexer } from '../../server/search/indexing/resource-indexer';
import { openSqliteStore } from '../../server/store/adapters';
import { createTestServer, fhirJson, testBaseUrl, testRegistry } from '../helpers/test-server';

const resources = [
  { resourceType: 'Patient', id: 'p1', gender: 'female', birthDate: '1970-01-01', name: [{ family: '王', given: ['小明'] }] },
  { resourceType: 'Patient', id: 'p2', gender: 'female', link: [{ other: { reference: 'Patient/p1' }, type: 'seealso' }] },
  { resourceType: 'Patient', id: 'p9', gender: 'male' },
  { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'weight' }, subject: { reference: 'Patient/p1' }, valueQuantity: { value: 72.5, unit: 'kg' } },
  {
    resourceType: 'Observation',
    id: 'o2',
    status: 'final',
    code: { text: 'weight' },
    contained: [{ resourceType: 'Patient', id: 'c1', link: [{ other: { reference: 'Patient/p9' }, type: 'seealso' }] }],
    subject: { reference: 'Patient/p2' },
    performer: [{ reference: '#c1' }],
  },
  {
    resourceType: 'Observation',
    id: 'o3',
    status: 'final',
    code: { text: 'weight' },
    subject: { reference: 'Patient/p2' },
    extension: [{ url: 'http://example.org/witness', valueReference: { reference: 'Patient/p1' } }],
    note: [{ text: '"reference":"Patient/p7"' }],
    valueQuantity: { value: 1e21 },
  },
  { resourceType: 'Encounter', id: 'e1', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'http://fhir.test/Patient/p2' } },
];

const queries = [
  'Observation?status=final',
  'Observation?status=final&_include=Observation:subject',
  'Patient?_revinclude=Observation:subject',
  'Patient?gender=female&_count=1',
  'Observation?_elements=subject',
  'Observation?_summary=true',
  'Observation?_summary=count',
  'Observation?status=final&_pretty=true',
  'Encounter?status=finished',
];

/** Per query: the response's status and text, and the entities of the AuditEvents built for it. */
async function answers(file: string, readThreads: number, write: boolean): Promise<[number, string, unknown][]> {
  const store = openSqliteStore({ file, synchronous: 'NORMAL', indexer: createResourceIndexer(testRegistry()), readThreads });
  const events: AuditEvent[][] = [];
  const capture: RequestHook = {
    name: 'capture',
    after: (call, result) => {
      events.push(restEvents(call, result, testBaseUrl));
    },
  };
  const server = createTestServer({ store, audit: true, pipeline: { hooks: [capture] } });
  try {
    if (write) {
      for (const resource of resources) {
        const written = await server.http.put(`/${resource.resourceType}/${resource.id}`).set('Content-Type', fhirJson).send(JSON.stringify(resource).replace('"value":72.5', '"value":72.50'));
        assert.ok(written.status < 300, written.text);
      }
    }
    const found: [number, string, unknown][] = [];
    for (const query of queries) {
      events.length = 0;
      const reply = await server.http.get(`/${query}`);
      found.push([reply.status, reply.text, events.map((list) => list.map((event) => event.entity))]);
    }
    return found;
  } finally {
    await server.close();
  }
}

describe('search pages read on a read thread', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-lazy-pages-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('answer byte for byte as pages parsed on the server thread, with the same AuditEvent entities', async () => {
    const file = path.join(dir, 'fhir.sqlite');
    const here = await answers(file, 0, true);
    const pooled = await answers(file, 1, false);
    assert.equal(pooled.length, queries.length);
    pooled.forEach((answer, i) => assert.deepEqual(answer, here[i], queries[i]));
    // The cases are the ones meant: a decimal as written, a contained Patient skipped, references in extensions.
    const [, text, entities] = here[0];
    assert.match(text, /"value":72\.50/);
    const patients = JSON.stringify(entities);
    assert.ok(patients.includes('Patient/p1') && patients.includes('Patient/p2') && !patients.includes('Patient/p9') && !patients.includes('Patient/p7'), patients);
    assert.ok((here[0][2] as unknown[][])[0].length >= 2, 'one event per patient');
  });
});

