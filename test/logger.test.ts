// The log's destination: lines are batched (server/logger.ts), yet a lone line is written within the
// flush interval, and every line still waiting is written when the process exits.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createLogger } from '../server/logger';

describe('the logger', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logger-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function lines(file: string): Array<Record<string, unknown>> {
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
  }

  it('writes a lone short line without waiting for more lines to fill its batch', async () => {
    const file = path.join(dir, 'log.jsonl');
    const logger = createLogger('info', fs.openSync(file, 'a'));
    try {
      logger.info({ requestId: 'r1' }, 'alone');
      const deadline = Date.now() + 5_000;
      while (!lines(file).some((l) => l.msg === 'alone') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const written = lines(file);
      assert.equal(written.length, 1, 'the line was written');
      assert.equal(written[0].requestId, 'r1');
      assert.equal(written[0].service, 'dhc-fhir-server');
    } finally {
      ((logger as unknown as Record<symbol, { end(): void }>)[pino.symbols.streamSym]).end();
    }
  });

  it('writes every waiting line when the process exits', () => {
    const file = path.join(dir, 'log.jsonl');
    const script = `const { createLogger } = require(${JSON.stringify(path.resolve(__dirname, '../server/logger'))});
      const logger = createLogger('info', require('node:fs').openSync(${JSON.stringify(file)}, 'a'));
      for (let i = 0; i < 3; i++) logger.info({ i }, 'line');
      process.exit(0);`;
    execFileSync(process.execPath, ['-e', script]);
    assert.deepEqual(lines(file).map((l) => l.i), [0, 1, 2]);
  });
});
