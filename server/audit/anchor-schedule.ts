// The periodic anchor: every FHIR_ANCHOR_MINUTES the server signs an anchor of its history
// (anchor-digest.ts, anchor-token.ts) into a file of FHIR_DATA_DIR/anchors, which auditors copy away
// from the server (a file left beside the database proves nothing against someone who can edit both).
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { SigningKeyRing } from '../auth/signing-keys';
import type { StoreOperations } from '../store/port';
import { digestHistory } from './anchor-digest';
import { signAnchor } from './anchor-token';

export interface AnchorFileOptions {
  store: StoreOperations;
  keys: SigningKeyRing;
  /** The server's base URL, the anchor's issuer. */
  issuer: string;
  /** Where anchor files are written. */
  dir: string;
}

/** Writes one anchor file (atomically: a reader never sees half of one); returns its path. */
export async function writeAnchorFile(options: AnchorFileOptions, now = new Date()): Promise<string> {
  const token = signAnchor(await digestHistory(options.store), options.keys, options.issuer);
  fs.mkdirSync(options.dir, { recursive: true });
  const file = path.join(options.dir, `anchor-${now.toISOString().replace(/:/g, '-')}.jws`);
  fs.writeFileSync(`${file}.tmp`, `${token}\n`);
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

/** Writes an anchor file every `minutes`; `stop` ends it (at shutdown). */
export function scheduleAnchorFiles(options: AnchorFileOptions & { minutes: number; logger: Logger }): { stop(): void } {
  const timer = setInterval(() => {
    writeAnchorFile(options)
      .then((file) => options.logger.info({ file }, 'history anchor written'))
      .catch((err: unknown) => options.logger.error({ err }, 'cannot write the history anchor; retried at the next interval'));
  }, options.minutes * 60_000);
  // The schedule never keeps the process alive on its own.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
