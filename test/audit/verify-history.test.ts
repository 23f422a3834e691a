// $verify-history and $anchor over a store on a file, edited behind the server's back with node:sqlite as
// an attacker with raw database access would: a changed version, a changed AuditEvent, a whole chain
// rewritten with its hashes recomputed (caught only by an anchor exported before).
import type { CapabilityStatement, OperationOutcome, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { auditLink, versionHash } from '../../server/audit/chain-hash';
import { createAuthTestServer, type AuthTestServer } from '../helpers/auth';
import { auditEvent, patient } from '../helpers/fixtures';
import { fileStore } from '../helpers/test-server';

function value(body: Parameters, name: string): ParametersParameter | undefined {
  return body.parameter?.find((p) => p.name === name);
}

function outcomeOf(body: Parameters): OperationOutcome {
  return value(body, 'outcome')?.resource as OperationOutcome;
}

describe('$verify-history and $anchor', () => {
  let dir: string;
  let file: string;
  let server: AuthTestServer;
  let admin: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-history-'));
    file = path.join(dir, 'fhir.db');
    server = createAuthTestServer({ store: fileStore(file) });
    admin = server.token();
  });

  afterEach(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, token = admin) => server.http.get(url).set('Authorization', `Bearer ${token}`);

  async function writeHistory(): Promise<void> {
    await server.http.put('/Patient/p1').set('Authorization', `Bearer ${admin}`).send(patient({ id: 'p1', gender: 'female' })).expect(201);
    await server.http.put('/Patient/p1').set('Authorization', `Bearer ${admin}`).send(patient({ id: 'p1', gender: 'male' })).expect(200);
    await server.http.put('/Patient/p1').set('Authorization', `Bearer ${admin}`).send(patient({ id: 'p1', gender: 'other' })).expect(200);
    for (const id of ['a1', 'a2', 'a3']) {
      // Written through the store as the server, as the audit trail writes them (the API keeps them immutable).
      await server.store.create(auditEvent(id), { author: { kind: 'server' } });
    }
  }

  /** Runs `sql` on the database file through a connection of its own, as raw database access would. */
  function tamper(sql: string, ...params: (string | number | null)[]): void {
    const db = new DatabaseSync(file);
    try {
      db.prepare(sql).run(...params);
    } finally {
      db.close();
    }
  }

  it('verifies an untouched history, listing each version with its status and author', async () => {
    await writeHistory();
    const res = await get('/Patient/p1/$verify-history').expect(200);
    assert.equal(value(res.body, 'result')?.valueBoolean, true);
    assert.equal(value(res.body, 'verified')?.valueInteger, 3);
    const versions = (res.body as Parameters).parameter?.filter((p) => p.name === 'version') ?? [];
    assert.deepEqual(
      versions.map((v) => v.part?.find((p) => p.name === 'status')?.valueCode),
      ['verified', 'verified', 'verified']
    );
    assert.equal(versions[0].part?.find((p) => p.name === 'author')?.valueReference?.reference, 'Practitioner/admin');
    assert.equal(versions[0].part?.find((p) => p.name === 'client')?.valueString, 'test-client');
    const system = await get('/$verify-history').expect(200);
    assert.equal(value(system.body, 'result')?.valueBoolean, true);
    assert.ok((value(system.body, 'versions')?.valueInteger ?? 0) >= 6);
  });

  it('detects a stored version whose JSON was edited in the database, naming it with expected and found hashes', async () => {
    await writeHistory();
    tamper("UPDATE resource_versions SET content = replace(content, '\"male\"', '\"female\"') WHERE resource_type = 'Patient' AND id = 'p1' AND version_id = 2");
    const res = await get('/Patient/p1/$verify-history').expect(200);
    assert.equal(value(res.body, 'result')?.valueBoolean, false);
    const issues = outcomeOf(res.body).issue;
    assert.equal(issues.length, 1, JSON.stringify(issues));
    assert.equal(issues[0].code, 'processing');
    assert.deepEqual(issues[0].expression, ['Patient/p1/_history/2']);
    assert.match(issues[0].diagnostics ?? '', /^expected [0-9a-f]{64}, found [0-9a-f]{64}$/);
    const system = await get('/$verify-history').expect(200);
    assert.equal(value(system.body, 'result')?.valueBoolean, false);
    assert.deepEqual(outcomeOf(system.body).issue[0].expression, ['Patient/p1/_history/2']);
  });

  it('detects a version removed from the middle of a history', async () => {
    await writeHistory();
    tamper("DELETE FROM resource_versions WHERE resource_type = 'Patient' AND id = 'p1' AND version_id = 2");
    const res = await get('/Patient/p1/$verify-history').expect(200);
    assert.equal(value(res.body, 'result')?.valueBoolean, false);
    assert.match(outcomeOf(res.body).issue[0].details?.text ?? '', /version 2.*missing/);
  });

  it('detects an edited AuditEvent, in its own chain and in the AuditEvent chain, even with its version hash recomputed', async () => {
    await writeHistory();
    // The stored JSON as the API reads it (the table holds it packed; a text without codes is stored as it is).
    const stored = JSON.stringify((await get('/AuditEvent/a2').expect(200)).body);
    const db = new DatabaseSync(file);
    const row = db.prepare("SELECT author, last_updated FROM audit_events WHERE id = 'a2'").get() as { author: string; last_updated: number };
    const forged = stored.replace('Practitioner/admin', 'Practitioner/someone-else');
    assert.notEqual(forged, stored);
    const hash = versionHash(null, { resourceType: 'AuditEvent', id: 'a2', versionId: 1, lastUpdated: row.last_updated, deleted: false, author: row.author, content: forged });
    db.prepare("UPDATE audit_events SET content = ?, hash = ? WHERE id = 'a2'").run(forged, hash);
    db.close();
    const res = await get('/$verify-history').expect(200);
    assert.equal(value(res.body, 'result')?.valueBoolean, false);
    const issues = outcomeOf(res.body).issue;
    assert.ok(issues.some((i) => i.expression?.[0] === 'AuditEvent/a2/_history/1' && /AuditEvent chain/.test(i.details?.text ?? '')), JSON.stringify(issues));
  });

  it('detects a whole chain rewritten consistently, against an anchor exported before', async () => {
    await writeHistory();
    const anchored = await get('/$anchor').expect(200);
    const anchor = value(anchored.body, 'anchor')?.valueString as string;
    assert.match(anchor, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    // Rewrite every version of Patient/p1 and recompute each hash in order, as an attacker would.
    const db = new DatabaseSync(file);
    const rows = db
      .prepare("SELECT seq, version_id, last_updated, deleted, author, content FROM resource_versions WHERE resource_type = 'Patient' AND id = 'p1' ORDER BY version_id")
      .all() as { seq: number; version_id: number; last_updated: number; deleted: number; author: string; content: string }[];
    let previous: string | null = null;
    for (const row of rows) {
      const content = row.content.replace('"gender"', '"birthDate":"1970-01-01","gender"');
      const hash: string = versionHash(previous, { resourceType: 'Patient', id: 'p1', versionId: row.version_id, lastUpdated: row.last_updated, deleted: row.deleted === 1, author: row.author, content });
      db.prepare('UPDATE resource_versions SET content = ?, hash = ? WHERE seq = ?').run(content, hash, row.seq);
      previous = hash;
    }
    db.close();
    const unanchored = await get('/Patient/p1/$verify-history').expect(200);
    assert.equal(value(unanchored.body, 'result')?.valueBoolean, true, 'a consistent rewrite passes the chain checks alone');
    const res = await get(`/Patient/p1/$verify-history?anchor=${anchor}`).expect(200);
    assert.equal(value(res.body, 'result')?.valueBoolean, false);
    const issue = outcomeOf(res.body).issue[0];
    assert.deepEqual(issue.expression, ['Patient']);
    assert.match(issue.diagnostics ?? '', /^expected 3 versions, digest [0-9a-f]{64}, found 3 versions, digest [0-9a-f]{64}$/);
    const system = await server.http
      .post('/$verify-history')
      .set('Authorization', `Bearer ${admin}`)
      .send({ resourceType: 'Parameters', parameter: [{ name: 'anchor', valueString: anchor }] })
      .expect(200);
    assert.equal(value(system.body, 'result')?.valueBoolean, false);
    assert.deepEqual(outcomeOf(system.body).issue.map((i) => i.expression?.[0]), ['Patient']);
  });

  it('detects the AuditEvent chain rewritten from the start, against an anchor', async () => {
    await writeHistory();
    const anchor = value((await get('/$anchor').expect(200)).body, 'anchor')?.valueString as string;
    const db = new DatabaseSync(file);
    db.prepare("DELETE FROM audit_events WHERE id = 'a3'").run();
    db.close();
    const res = await get(`/$verify-history?anchor=${anchor}`).expect(200);
    assert.equal(value(res.body, 'result')?.valueBoolean, false);
    const texts = outcomeOf(res.body).issue.map((i) => i.details?.text ?? '');
    assert.ok(texts.some((t) => /AuditEvent chain up to the anchor/.test(t)), texts.join('\n'));
    assert.ok(texts.some((t) => /AuditEvent versions written up to the anchor/.test(t)), texts.join('\n'));
  });

  it('reports versions written before hashes were kept as unchained, never as verified', async () => {
    await writeHistory();
    // As a database written before migration 5 has them: no hashes at all.
    tamper("UPDATE resource_versions SET hash = NULL WHERE resource_type = 'Patient' AND id = 'p1'");
    const res = await get('/Patient/p1/$verify-history').expect(200);
    assert.equal(value(res.body, 'verified')?.valueInteger, 0);
    assert.equal(value(res.body, 'unchained')?.valueInteger, 3);
    assert.equal(value(res.body, 'result')?.valueBoolean, true, 'no break, but nothing verified');
    assert.equal(outcomeOf(res.body).issue[0].severity, 'warning');
  });

  it('refuses an anchor not signed by the server, and a bad window', async () => {
    await writeHistory();
    const anchor = value((await get('/$anchor').expect(200)).body, 'anchor')?.valueString as string;
    const [header, payload] = anchor.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(342)}`;
    const res = await get(`/$verify-history?anchor=${forged}`).expect(400);
    assert.deepEqual(res.body.issue[0].expression, ['anchor']);
    const window = await get('/$verify-history?start=2026-12-02&end=2026-12-01').expect(400);
    assert.deepEqual(window.body.issue[0].expression, ['end']);
    const malformed = await get('/$verify-history?start=yesterday').expect(400);
    assert.deepEqual(malformed.body.issue[0].expression, ['start']);
    await get('/Patient/nothing/$verify-history').expect(404);
  });

  it('is for auditors and administrators only', async () => {
    await writeHistory();
    const auditor = server.token({ roles: ['auditor'], scopes: ['user/*.rs'], fhirUser: 'Practitioner/inspector' });
    await get('/Patient/p1/$verify-history', auditor).expect(200);
    await get('/$anchor', auditor).expect(200);
    const clinician = server.token({ roles: ['clinician'], organizations: ['Organization/c1'], scopes: ['user/*.cruds'] });
    const refused = await get('/$verify-history', clinician).expect(403);
    assert.equal(refused.body.issue[0].code, 'forbidden');
    await get('/$anchor', clinician).expect(403);
    await server.http.get('/$anchor').expect(401);
  });

  it('keeps the AuditEvent links in write order', async () => {
    await writeHistory();
    const db = new DatabaseSync(file);
    const rows = db.prepare('SELECT hash, audit_hash FROM audit_events ORDER BY seq').all() as { hash: string; audit_hash: string }[];
    db.close();
    let link: string | null = null;
    for (const row of rows) {
      link = auditLink(link, row.hash);
      assert.equal(row.audit_hash, link);
    }
  });
});

describe('$verify-history and $anchor in the CapabilityStatement', () => {
  it('declares $verify-history on every type and on the system, and $anchor on the system, with their OperationDefinitions', async () => {
    const server = createAuthTestServer();
    try {
      const statement = (await server.http.get('/metadata').expect(200)).body as CapabilityStatement;
      const rest = statement.rest?.[0];
      assert.deepEqual(rest?.operation, [
        { name: 'verify-history', definition: 'https://fhir.dhc.example/OperationDefinition/verify-history' },
        { name: 'anchor', definition: 'https://fhir.dhc.example/OperationDefinition/anchor' },
      ]);
      for (const type of ['Patient', 'AuditEvent', 'Observation']) {
        assert.ok(rest?.resource?.find((r) => r.type === type)?.operation?.some((o) => o.name === 'verify-history'), type);
      }
      assert.ok(!rest?.resource?.some((r) => r.operation?.some((o) => o.name === 'anchor')));
    } finally {
      await server.close();
    }
  });
});
