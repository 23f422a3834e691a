// Structured JSON logs (pino). Each request gets a child logger carrying its request id (see app.ts).
import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  // Written asynchronously: a line is handed to the stream and written off the event loop, the lines
  // logged meanwhile together (a synchronous write per request was a tenth of a search's time on the
  // server's thread, docs/performance.md "Per-request CPU"). pino writes what is left at exit, a
  // crash's last lines included; only SIGKILL loses them.
  return pino({ level, base: { service: 'dhc-fhir-server' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: 1, sync: false }));
}
