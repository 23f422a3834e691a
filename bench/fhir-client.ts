// A small FHIR client for the benchmark's set-up steps (loading data, probing, counting).
import { Pool } from 'undici';

export interface FhirReply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of any FHIR shape
}

/** A FHIR base URL as the origin to connect to and the path prefix of every request ('/fhir/'). */
export function splitBase(base: string): { origin: string; prefix: string } {
  const url = new URL(base);
  return { origin: url.origin, prefix: url.pathname.replace(/\/+$/, '') + '/' };
}

export class FhirClient {
  private readonly pool: Pool;
  private readonly origin: string;
  private readonly prefix: string;

  constructor(
    base: string,
    private readonly token?: string,
    connections = 16
  ) {
    ({ origin: this.origin, prefix: this.prefix } = splitBase(base));
    this.pool = new Pool(this.origin, { connections });
  }

  request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<FhirReply> {
    return this.requestWithHeaders(method, path, {}, body);
  }

  /** A URL the server returned (e.g. a next link), as a path below the base. */
  relativePath(url: string): string {
    const parsed = new URL(url);
    const full = parsed.pathname + parsed.search;
    return full.startsWith(this.prefix) ? full.slice(this.prefix.length) : full.replace(/^\//, '');
  }

  async requestWithHeaders(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    extraHeaders: Record<string, string>,
    body?: unknown
  ): Promise<FhirReply> {
    // A request's own Authorization (a workload acting as another caller) wins over the client's token.
    const headers: Record<string, string> = { accept: 'application/fhir+json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...extraHeaders };
    if (body !== undefined) {
      headers['content-type'] = 'application/fhir+json';
    }
    const options = { origin: this.origin, method, path: this.prefix + path, headers, body: body === undefined ? undefined : JSON.stringify(body) };
    let res;
    try {
      res = await this.pool.request(options);
    } catch (err) {
      // A pooled connection the server closed as idle just as it was reused: the request never
      // reached the server, so sending it once more on a fresh connection is safe.
      if (!isClosedConnection(err)) {
        throw err;
      }
      res = await this.pool.request(options);
    }
    if (res.statusCode === 408) {
      // Node's own answer when a request had not fully arrived in time (server.requestTimeout,
      // headersTimeout): on a loaded machine a kept-alive connection can be cut so just as it is reused.
      // The application never saw the request, so it is sent once more.
      await res.body.text();
      res = await this.pool.request(options);
    }
    const text = await res.body.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.statusCode, body: parsed };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

function isClosedConnection(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE';
}

/** A short description of a failed reply, for reports. */
export function describeFailure(reply: FhirReply): string {
  const text = reply.body?.issue?.[0]?.details?.text ?? reply.body?.issue?.[0]?.diagnostics;
  return `HTTP ${reply.status}${text ? `: ${text}` : ''}`;
}
