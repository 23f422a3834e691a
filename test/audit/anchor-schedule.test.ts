// The periodic anchor file: a signed anchor of the history in FHIR_DATA_DIR/anchors that checks against
// the store as it was, and no longer once a version up to it is rewritten.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeAnchorFile } from '../../server/audit/anchor-schedule';
import { readAnchor } from '../../server/audit/anchor-token';
import { compareWithAnchor } from '../../server/audit/verify-anchor';
import { testKeyRing } from '../helpers/auth';
import { patient } from '../helpers/fixtures';
import { memoryStore, testBaseUrl } from '../helpers/test-server';

describe('history anchor files', () => {
  it('writes a signed anchor that the history agrees with, until a version up to it changes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anchors-'));
    const store = memoryStore();
    const keys = testKeyRing();
    try {
      await store.create(patient({ id: 'p1' }), { author: { kind: 'server' } });
      const file = await writeAnchorFile({ store, keys, issuer: testBaseUrl, dir: path.join(dir, 'anchors') }, new Date('2026-12-06T08:00:00Z'));
      assert.equal(path.basename(file), 'anchor-2026-12-06T08-00-00.000Z.jws');
      assert.deepEqual(fs.readdirSync(path.dirname(file)), [path.basename(file)], 'no temporary file left');
      const anchor = readAnchor(fs.readFileSync(file, 'utf8').trim(), keys, testBaseUrl);
      assert.deepEqual(anchor.types.Patient.versions, 1);
      // Later writes are beyond the anchor's position: still in agreement.
      await store.update(patient({ id: 'p1', gender: 'female' }), { author: { kind: 'server' } });
      assert.deepEqual(await compareWithAnchor(store, anchor), []);
      // Another issuer's (or key's) anchor is refused.
      assert.throws(() => readAnchor(fs.readFileSync(file, 'utf8').trim(), keys, 'http://elsewhere.test'), /signature does not verify/);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
