// Structured logs: every line about a request carries its requestId, the one sent back in X-Request-Id.
import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import pino from 'pino';
import supertest from 'supertest';
import { createApp } from '../../server/app';
import { administratorToken, testAuthServer } from '../helpers/auth';
import type { ResourceStore } from '../../server/store/port';
import { memoryStore, testConfig, testRegistry } from '../helpers/test-server';

/** An app logging into `lines`, with security on; `store` may fail on purpose. */
function loggedApp(store: ResourceStore, lines: Record<string, unknown>[]): { app: ReturnType<typeof createApp>; token: string } {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunk
        .toString()
        .split('\n')
        .filter(Boolean)
        .forEach((line) => lines.push(JSON.parse(line) as Record<string, unknown>));
      done();
    },
  });
  const auth = testAuthServer(store);
  const app = createApp({ config: { ...testConfig, maxBodyBytes: 1024 * 1024 }, store, registry: testRegistry(), logger: pino({ level: 'debug' }, sink), auth });
  return { app, token: administratorToken(auth) };
}

describe('request logging', () => {
  it('closes each request with one line: method, URL without identifier values, status, headers without the token, time', async () => {
    const lines: Record<string, unknown>[] = [];
    const store = memoryStore();
    const { app, token } = loggedApp(store, lines);
    const res = await supertest(app)
      .get('/Patient?identifier=urn:oid:2.16.156.10011.1.3|120101198001010012&_count=5')
      .set('Authorization', `Bearer ${token}`)
      .set('X-Request-Id', 'his-vendor-7');
    assert.equal(res.status, 200);
    await new Promise((r) => setImmediate(r));
    const closing = lines.filter((l) => l.msg === 'request completed');
    assert.equal(closing.length, 1, JSON.stringify(lines));
    const line = closing[0] as { requestId: string; level: number; req: { id: string; method: string; url: string; headers: Record<string, string> }; res: { statusCode: number; headers: Record<string, string> }; responseTime: number };
    assert.equal(line.requestId, 'his-vendor-7');
    assert.equal(line.level, 30);
    assert.deepEqual([line.req.id, line.req.method, line.req.url], ['his-vendor-7', 'GET', '/Patient?identifier=[REDACTED]&_count=5']);
    assert.equal(line.req.headers.authorization, '[REDACTED]');
    assert.equal(line.res.statusCode, 200);
    assert.equal(line.res.headers['x-request-id'], 'his-vendor-7');
    assert.equal(typeof line.responseTime, 'number');
    assert.ok(!JSON.stringify(lines).includes(token) && !JSON.stringify(lines).includes('120101198001010012'));
    await store.close();
  });

  it('closes a request that failed with a server error at level error', async () => {
    const lines: Record<string, unknown>[] = [];
    const real = memoryStore();
    const failing: ResourceStore = Object.create(real) as ResourceStore;
    failing.readCurrent = async () => {
      throw new Error('disk on fire');
    };
    const { app, token } = loggedApp(failing, lines);
    const res = await supertest(app).get('/Patient/p1').set('Authorization', `Bearer ${token}`);
    assert.equal(res.status, 500);
    await new Promise((r) => setImmediate(r));
    const forRequest = lines.filter((l) => l.requestId === res.headers['x-request-id']);
    assert.ok(forRequest.some((l) => l.msg === 'request failed with a server error' && l.level === 50), JSON.stringify(lines));
    assert.ok(forRequest.some((l) => l.msg === 'request errored' && l.level === 50 && (l.res as { statusCode: number }).statusCode === 500), JSON.stringify(lines));
    await real.close();
  });

  it('puts the request id on every line logged for a request, including errors', async () => {
    const lines: Record<string, unknown>[] = [];
    const store = memoryStore();
    const { app, token } = loggedApp(store, lines);
    const res = await supertest(app)
      .post('/Patient')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/fhir+json')
      .send({ resourceType: 'Nope' });
    assert.equal(res.status, 400);
    const id = res.headers['x-request-id'];
    await new Promise((r) => setImmediate(r));
    const forRequest = lines.filter((l) => l.requestId === id);
    assert.ok(forRequest.some((l) => l.msg === 'request refused'), JSON.stringify(lines));
    assert.ok(forRequest.some((l) => l.msg === 'request completed'), JSON.stringify(lines));
    assert.ok(lines.every((l) => l.requestId === id), 'no line about the request lacks its id');
    await store.close();
  });
});
