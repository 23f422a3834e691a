// The server side of `npm run bench:ceiling`: one process answering every GET with the same stored
// Patient's JSON text, through express (our HTTP stack) or node:http alone (CEILING_MODE=http). No
// security, store, JSON or logging: what is left is what the platform itself costs per request.
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { patientRecord } from './generator/patient-records';

const body = JSON.stringify(patientRecord(1, 7)[0]);
const answer = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
  res.writeHead(200, { 'content-type': 'application/fhir+json; charset=utf-8', etag: 'W/"1"' });
  res.end(body);
};

const server =
  process.env.CEILING_MODE === 'http'
    ? http.createServer(answer)
    : http.createServer(express().get('/fhir/:type/:id', (req, res) => answer(req, res)));
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port, bytes: Buffer.byteLength(body) });
});
