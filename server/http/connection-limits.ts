// Bounds on what one client can hold of the server: how long a request may take to arrive (headers and
// body; a client sending its body a byte at a time would otherwise hold a connection and a parser for
// minutes) and how many connections may be open at once. Node enforces both
// (https://nodejs.org/api/http.html#serverrequesttimeout, #servermaxconnections).
import http from 'node:http';
import type { ServerConfig } from '../config';

export type ConnectionLimits = Pick<ServerConfig, 'requestTimeoutMs' | 'maxConnections'>;

/**
 * The HTTP server with the limits applied. Node answers a request that has not fully arrived in time with
 * 408 and closes its connection; it looks once a second, so the cut comes at most a second late.
 */
export function createLimitedServer(limits: ConnectionLimits, options: http.ServerOptions = {}): http.Server {
  const requestTimeout = limits.requestTimeoutMs;
  const server = http.createServer({
    ...options,
    requestTimeout,
    // The headers must arrive within the whole request's time.
    headersTimeout: Math.min(options.headersTimeout ?? requestTimeout, requestTimeout),
    connectionsCheckingInterval: 1000,
  });
  // Connections past the cap are closed as they arrive, before any byte is read.
  server.maxConnections = limits.maxConnections;
  return server;
}
