import { strict as assert } from 'node:assert';
import type { Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createLimitedServer } from '../../server/http/connection-limits';
import { createTestServer, type TestServer } from '../helpers/test-server';

/** Opens a connection, writes `text`, and resolves with what the server sent until it closed the connection. */
function exchange(port: number, text: string, closeAfterMs = 10_000): Promise<{ received: string; elapsedMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let received = '';
    const timer = setTimeout(() => socket.destroy(), closeAfterMs);
    socket.on('data', (d) => (received += d.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ received, elapsedMs: Date.now() - started });
    });
  });
}

describe('connection limits', () => {
  let fhir: TestServer;
  let server: Server;
  let port: number;
  beforeEach(async () => {
    fhir = createTestServer();
    server = createLimitedServer({ requestTimeoutMs: 1000, maxConnections: 2 });
    server.on('request', fhir.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await fhir.close();
  });

  it('answers 408 and closes the connection when a body arrives too slowly', async () => {
    const head = `POST /Patient HTTP/1.1\r\nHost: x\r\nAuthorization: ${fhir.app.locals.testAuthorization as string}\r\nContent-Type: application/fhir+json\r\nContent-Length: 100\r\n\r\n{"resou`;
    const { received, elapsedMs } = await exchange(port, head);
    assert.match(received, /^HTTP\/1\.1 408/);
    assert.ok(elapsedMs < 5000, `cut after ${elapsedMs} ms`);
  });

  it('serves a request that arrives in time', async () => {
    const body = '{"resourceType":"Patient"}';
    const request = `POST /Patient HTTP/1.1\r\nHost: x\r\nAuthorization: ${fhir.app.locals.testAuthorization as string}\r\nContent-Type: application/fhir+json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
    const { received } = await exchange(port, request);
    assert.match(received, /^HTTP\/1\.1 201/);
  });

  it('closes connections past the cap as they arrive, and serves again once others close', async () => {
    const held = [net.connect(port, '127.0.0.1'), net.connect(port, '127.0.0.1')];
    await Promise.all(held.map((s) => new Promise((resolve) => s.on('connect', resolve))));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { received, elapsedMs } = await exchange(port, `GET /Patient HTTP/1.1\r\nHost: x\r\nAuthorization: ${fhir.app.locals.testAuthorization as string}\r\n\r\n`);
    assert.equal(received, '');
    assert.ok(elapsedMs < 2000);
    held.forEach((s) => s.destroy());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = await exchange(port, `GET /Patient HTTP/1.1\r\nHost: x\r\nAuthorization: ${fhir.app.locals.testAuthorization as string}\r\nConnection: close\r\n\r\n`);
    assert.match(again.received, /^HTTP\/1\.1 200/);
  });
});
