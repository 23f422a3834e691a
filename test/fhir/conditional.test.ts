// Conditional create, update, delete and read (https://hl7.org/fhir/R4/http.html#ccreate, #cond-update,
// #3.1.0.7.1, #cread).
import { strict as assert } from 'node:assert';
import { patient } from '../helpers/fixtures';
import { createTestServer, fhirJson, type TestServer } from '../helpers/test-server';

// A clinic's medical record numbers: free text, unlike resident ID numbers, which carry a check character.
const system = 'https://fhir.test/sid/clinic-mrn';

function withIdentifier(value: string, overrides = {}) {
  return patient({ identifier: [{ system, value }], ...overrides });
}

describe('conditional interactions', () => {
  let server: TestServer;
  beforeEach(() => {
    server = createTestServer();
  });
  afterEach(() => server.close());

  const post = (body: unknown, ifNoneExist?: string) => {
    const req = server.http.post('/Patient').set('Content-Type', fhirJson);
    return ifNoneExist === undefined ? req.send(body as object) : req.set('If-None-Exist', ifNoneExist).send(body as object);
  };
  const countWith = async (value: string): Promise<number> =>
    (await server.http.get(`/Patient?identifier=${encodeURIComponent(`${system}|${value}`)}&_total=accurate`)).body.total;

  describe('create with If-None-Exist', () => {
    it('creates when nothing matches, and returns the match with 200 when one does', async () => {
      const first = await post(withIdentifier('A1'), `identifier=${system}|A1`);
      assert.equal(first.status, 201);
      const second = await post(withIdentifier('A1', { gender: 'female' }), `identifier=${system}|A1`);
      assert.equal(second.status, 200);
      assert.equal(second.body.id, first.body.id);
      assert.equal(second.body.gender, 'male', 'the existing resource, not the posted one');
      assert.equal(second.headers.etag, 'W/"1"');
      assert.equal(await countWith('A1'), 1);
    });

    it('accepts the criteria prefixed with the type, as some clients send them', async () => {
      await post(withIdentifier('A2'));
      const res = await post(withIdentifier('A2'), `Patient?identifier=${system}|A2`);
      assert.equal(res.status, 200);
    });

    it('refuses with 412 when several match, and writes nothing', async () => {
      await post(withIdentifier('A3'));
      await post(withIdentifier('A3'));
      const res = await post(withIdentifier('A3'), `identifier=${system}|A3`);
      assert.equal(res.status, 412);
      assert.equal(res.body.issue[0].code, 'conflict');
      assert.equal(await countWith('A3'), 2);
    });

    it('refuses unknown parameters and empty criteria with 400, since they would match too much', async () => {
      const unknown = await post(withIdentifier('A4'), 'no-such-param=1');
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.issue[0].details.text, /unknown search parameter/);
      const empty = await post(withIdentifier('A4'), '_count=1');
      assert.equal(empty.status, 400);
      assert.equal(await countWith('A4'), 0);
    });

    it('creates one resource when many identical requests race', async () => {
      const replies = await Promise.all(Array.from({ length: 12 }, () => post(withIdentifier('A5'), `identifier=${system}|A5`)));
      assert.deepEqual(
        replies.map((r) => r.status).sort(),
        [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201]
      );
      assert.equal(await countWith('A5'), 1);
    });
  });

  describe('update by search (PUT [type]?criteria)', () => {
    it('updates the one match, keeping its id', async () => {
      const created = await post(withIdentifier('B1'));
      const res = await server.http
        .put(`/Patient?identifier=${system}|B1`)
        .set('Content-Type', fhirJson)
        .send(withIdentifier('B1', { gender: 'female' }));
      assert.equal(res.status, 200);
      assert.equal(res.body.id, created.body.id);
      assert.equal(res.body.meta.versionId, '2');
      assert.equal(res.body.gender, 'female');
    });

    it('creates when nothing matches: with a new id, or with the id the body gives', async () => {
      const fresh = await server.http.put(`/Patient?identifier=${system}|B2`).set('Content-Type', fhirJson).send(withIdentifier('B2'));
      assert.equal(fresh.status, 201);
      assert.ok(fresh.body.id);
      const named = await server.http
        .put(`/Patient?identifier=${system}|B3`)
        .set('Content-Type', fhirJson)
        .send(withIdentifier('B3', { id: 'chosen-b3' }));
      assert.equal(named.status, 201);
      assert.equal(named.body.id, 'chosen-b3');
    });

    it('refuses a body id that differs from the match (400) and several matches (412)', async () => {
      await post(withIdentifier('B4'));
      const other = await server.http
        .put(`/Patient?identifier=${system}|B4`)
        .set('Content-Type', fhirJson)
        .send(withIdentifier('B4', { id: 'someone-else' }));
      assert.equal(other.status, 400);
      assert.deepEqual(other.body.issue[0].expression, ['Patient.id']);
      await post(withIdentifier('B4'));
      const several = await server.http.put(`/Patient?identifier=${system}|B4`).set('Content-Type', fhirJson).send(withIdentifier('B4'));
      assert.equal(several.status, 412);
    });
  });

  describe('delete by search (DELETE [type]?criteria)', () => {
    it('deletes the one match and says so', async () => {
      const created = await post(withIdentifier('C1'));
      const res = await server.http.delete(`/Patient?identifier=${system}|C1`);
      assert.equal(res.status, 200);
      assert.equal(res.body.resourceType, 'OperationOutcome');
      assert.match(res.body.issue[0].details.text, new RegExp(`Patient/${created.body.id}`));
      assert.equal((await server.http.get(`/Patient/${created.body.id}`)).status, 410);
    });

    it('deletes nothing, successfully, when nothing matches', async () => {
      const res = await server.http.delete(`/Patient?identifier=${system}|nobody`);
      assert.equal(res.status, 200);
      assert.match(res.body.issue[0].details.text, /nothing deleted/);
    });

    it('refuses several matches with 412 unless multiple deletes are configured', async () => {
      const a = await post(withIdentifier('C2'));
      await post(withIdentifier('C2'));
      const refused = await server.http.delete(`/Patient?identifier=${system}|C2`);
      assert.equal(refused.status, 412);
      assert.match(refused.body.issue[0].details.text, /FHIR_CONDITIONAL_DELETE_MULTIPLE/);
      assert.equal((await server.http.get(`/Patient/${a.body.id}`)).status, 200);

      const multiple = createTestServer({ store: server.store, conditionalDeleteMultiple: true });
      const res = await multiple.http.delete(`/Patient?identifier=${system}|C2`);
      assert.equal(res.status, 200);
      assert.equal(await countWith('C2'), 0);
    });

    it('refuses a delete without criteria with 400', async () => {
      const res = await server.http.delete('/Patient?_count=5');
      assert.equal(res.status, 400);
    });
  });

  describe('read with If-None-Match and If-Modified-Since', () => {
    it('answers 304 without a body for the current version, 200 otherwise', async () => {
      const created = await post(withIdentifier('D1'));
      const url = `/Patient/${created.body.id}`;
      const same = await server.http.get(url).set('If-None-Match', 'W/"1"');
      assert.equal(same.status, 304);
      assert.equal(same.headers.etag, 'W/"1"');
      assert.equal(same.text, '');
      const other = await server.http.get(url).set('If-None-Match', 'W/"7"');
      assert.equal(other.status, 200);
      assert.equal(other.body.id, created.body.id);
    });

    it('compares If-Modified-Since with the last update, at HTTP-date precision', async () => {
      const created = await post(withIdentifier('D2'));
      const url = `/Patient/${created.body.id}`;
      const later = new Date(Date.now() + 60_000).toUTCString();
      assert.equal((await server.http.get(url).set('If-Modified-Since', later)).status, 304);
      const lastModified = created.headers['last-modified'];
      assert.equal((await server.http.get(url).set('If-Modified-Since', lastModified)).status, 304);
      const earlier = new Date(Date.now() - 3_600_000).toUTCString();
      assert.equal((await server.http.get(url).set('If-Modified-Since', earlier)).status, 200);
    });
  });
});
