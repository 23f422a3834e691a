// The budget of large bodies processed at once (server/http/body-budget.ts): two bodies of the largest
// size are taken at once; a third large one is refused with 503, Retry-After and an OperationOutcome
// before it is read; small bodies pass; a finished request gives its share back.
import { strict as assert } from 'node:assert';
import http, { type Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createTestServer, type TestServer } from '../helpers/test-server';

const maxBodyBytes = 1024 * 1024;

/** Sends headers announcing a body of `length` bytes and `sent` bytes of it; the socket stays open. */
function startUpload(port: number, length: number, sent = 0): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/fhir+json\r\nContent-Length: ${length}\r\n\r\n${' '.repeat(sent)}`);
      // The server has read the headers (and admitted the body) once they have crossed the loopback.
      setTimeout(() => resolve(socket), 100);
    });
    socket.on('error', reject);
  });
}

/** A complete POST of `length` bytes of whitespace, without a token: status, headers and body of the answer. */
function post(port: number, length: number): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/', headers: { 'Content-Type': 'application/fhir+json', 'Content-Length': length } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(' '.repeat(length));
  });
}

describe('large body budget', () => {
  let fhir: TestServer;
  let server: Server;
  let port: number;
  const sockets: net.Socket[] = [];
  beforeEach(async () => {
    fhir = createTestServer({ maxBodyBytes });
    server = http.createServer(fhir.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    sockets.forEach((s) => s.destroy());
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await fhir.close();
  });

  it('takes two of the largest bodies at once, refuses a third large one with 503 before reading it, and takes it once one ends', async () => {
    sockets.push(await startUpload(port, maxBodyBytes, 10), await startUpload(port, maxBodyBytes));
    const refused = await post(port, maxBodyBytes / 2);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers['retry-after'], '5');
    const outcome = JSON.parse(refused.body) as { resourceType: string; issue: { code: string; details: { text: string } }[] };
    assert.equal(outcome.resourceType, 'OperationOutcome');
    assert.equal(outcome.issue[0].code, 'transient');
    assert.match(outcome.issue[0].details.text, /other large requests/);
    // A small body is not counted: it reaches the endpoint, which asks for a token (security is on).
    assert.equal((await post(port, 1000)).status, 401);
    // A request that ends (here its client goes away) gives its share back.
    sockets.shift()?.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await post(port, maxBodyBytes / 2)).status, 401);
  });
});
