// Structured JSON logs (pino). Each request gets a child logger carrying its request id (see app.ts).
import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'dhc-fhir-server' }, timestamp: pino.stdTimeFunctions.isoTime });
}
