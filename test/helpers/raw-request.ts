// Byte-exact HTTP requests to an app: supertest re-serializes a Buffer sent with a JSON content type,
// so bodies with a byte-order mark, invalid UTF-8 or a false Content-Encoding go through node:http.
import type { Express } from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: { resourceType?: string; issue?: { code: string; details?: { text?: string } }[]; [key: string]: unknown };
}

export async function rawRequest(
  app: Express,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer | string
): Promise<RawResponse> {
  // The test server's administrator token (createTestServer keeps it in app.locals), unless the test sets its own.
  const token = (app.locals as { testAuthorization?: string }).testAuthorization;
  if (token && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
    headers = { ...headers, Authorization: token };
  }
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<RawResponse>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: RawResponse['json'];
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
