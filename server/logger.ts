// Structured JSON logs (pino). Each request gets a child logger carrying its request id (see app.ts).
import pino, { type Logger } from 'pino';

/**
 * Lines wait in memory until this many bytes are waiting (a few requests' closing lines) or `flushMs`
 * has passed, then go in one write. Each write is handed to a libuv thread, and waking that thread cost
 * the server's thread more per request than the line itself (docs/performance.md, main7).
 */
const batchBytes = 8192;
/** The longest a line waits before it is written, however few lines follow it. */
const flushMs = 100;

/** A logger writing to the file descriptor `dest` (standard output unless given). */
export function createLogger(level: string, dest = 1): Logger {
  // Written asynchronously: lines are handed to the stream and written off the event loop, the lines
  // logged meanwhile together (a synchronous write per request was a tenth of a search's time on the
  // server's thread, docs/performance.md "Per-request CPU"). pino writes what is left at exit, a
  // crash's last lines included; only SIGKILL loses them (at most the last `flushMs` of lines).
  return pino(
    { level, base: { service: 'dhc-fhir-server' }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest, sync: false, minLength: batchBytes, periodicFlush: flushMs })
  );
}
