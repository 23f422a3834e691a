// Structured logs: every line about a request carries its requestId, the one sent back in X-Request-Id.
import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import pino from 'pino';
import supertest from 'supertest';
import { createApp } from '../../server/app';
import { administratorToken, testAuthServer } from '../helpers/auth';
import { memoryStore, testConfig, testRegistry } from '../helpers/test-server';

describe('request logging', () => {
  it('puts the request id on every line logged for a request, including errors', async () => {
    const lines: Record<string, unknown>[] = [];
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
    const store = memoryStore();
    const auth = testAuthServer(store);
    const app = createApp({
      config: { ...testConfig, maxBodyBytes: 1024 * 1024 },
      store,
      registry: testRegistry(),
      logger: pino({ level: 'debug' }, sink),
      auth,
    });
    const res = await supertest(app)
      .post('/Patient')
      .set('Authorization', `Bearer ${administratorToken(auth)}`)
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
