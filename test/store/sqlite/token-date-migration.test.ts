// Migration 9 (server/store/sqlite/schema.ts): token rows of a store written before it get their
// resource's newest `date`, exactly as a write now stores it, and the token and date index is built.
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { observation, patient } from '../../helpers/fixtures';
import { fileStore } from '../../helpers/test-server';
import { scratchDir } from '../../helpers/scratch-dir';

describe('SQLite migration 9: the token and date index', function () {
  this.timeout(60_000);
  const dir = scratchDir('fhir-token-date-');

  it('fills date_high of every token row from its resource as a write would, and indexes it', async () => {
    const file = path.join(dir(), 'fhir.sqlite');
    const store = fileStore(file);
    await store.update(patient({ id: 'p1' }));
    await store.update(observation('p1', { id: 'dated', effectiveDateTime: '2026-03-05' }));
    await store.update(observation('p1', { id: 'period', effectiveDateTime: undefined, effectivePeriod: { start: '2026-01-01', end: '2026-02-01' } }));
    await store.update(observation('p1', { id: 'undated', effectiveDateTime: undefined }));
    await store.close();
    const rowsNow = (db: DatabaseSync): unknown[] =>
      db.prepare('SELECT r.id, t.param_id, t.code, t.date_high FROM idx_token t JOIN resources r ON r.key = t.key ORDER BY t.rowid').all();

    // The file as a server before migration 9 left it.
    const db = new DatabaseSync(file);
    const written = rowsNow(db);
    db.exec('DROP INDEX idx_token_date; ALTER TABLE idx_token DROP COLUMN date_high; PRAGMA user_version = 8;');
    db.close();

    await fileStore(file).close();
    const migrated = new DatabaseSync(file);
    try {
      assert.deepEqual(rowsNow(migrated), written);
      // Each row's date is its resource's highest `date` value (a period counts by its end).
      const mismatched = migrated
        .prepare(
          `SELECT r.id FROM idx_token t JOIN resources r ON r.key = t.key
           WHERE t.date_high IS NOT (SELECT max(d.high) FROM idx_date d JOIN search_params p ON p.param_id = d.param_id AND p.code = 'date' WHERE d.key = t.key)`
        )
        .all();
      assert.deepEqual(mismatched, []);
      const datedRows = migrated.prepare("SELECT count(*) AS n FROM idx_token t JOIN resources r ON r.key = t.key WHERE r.id IN ('dated', 'period') AND t.date_high IS NOT NULL").get() as { n: number };
      assert.ok(datedRows.n >= 2);
      assert.equal((migrated.prepare("SELECT count(*) AS n FROM idx_token t JOIN resources r ON r.key = t.key WHERE r.id = 'undated' AND t.date_high IS NOT NULL").get() as { n: number }).n, 0);
      assert.ok(migrated.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'idx_token_date'").get());
    } finally {
      migrated.close();
    }
  });
});
