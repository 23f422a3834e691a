// Loading the shipped content directories (terminology/) into the store at start-up.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContentError, loadContentDirectory } from '../../server/content/content-loader';
import { memoryStore } from '../helpers/test-server';

const terminologyDir = path.resolve(__dirname, '../../../terminology');

function copyOf(dir: string): string {
  const target = fs.mkdtempSync(path.join(os.tmpdir(), 'content-'));
  fs.cpSync(dir, target, { recursive: true });
  return target;
}

describe('content loader', () => {
  it('loads every terminology file once, and a second load writes nothing', async () => {
    const store = memoryStore();
    try {
      const files = fs.readdirSync(terminologyDir, { recursive: true }).filter((f) => String(f).endsWith('.json'));
      const first = await loadContentDirectory(store, terminologyDir);
      assert.equal(first.files, files.length);
      assert.equal(first.written, files.length);
      const again = await loadContentDirectory(store, terminologyDir);
      assert.deepEqual({ ...again, owned: again.owned.length }, { files: files.length, written: 0, unchanged: files.length, owned: files.length });
      // Each file owns what it holds, by type, id and canonical url.
      const valueSet = again.owned.find((o) => o.resourceType === 'ValueSet');
      assert.ok(valueSet?.url && valueSet.file.endsWith('.json') && valueSet.id);
      const formulary = await store.readCurrent('CodeSystem', 'formulary');
      assert.equal(formulary?.versionId, '1');
      const history = await store.history({ count: 1000 });
      assert.equal(history.versions.length, files.length, 'one version per file, however often it loads');
    } finally {
      await store.close();
    }
  });

  it('writes one new version for a changed file', async () => {
    const dir = copyOf(terminologyDir);
    const store = memoryStore();
    try {
      await loadContentDirectory(store, dir);
      const file = path.join(dir, 'codesystems', 'organization-type.json');
      const changed = JSON.parse(fs.readFileSync(file, 'utf8'));
      changed.description = `${changed.description} (revised)`;
      fs.writeFileSync(file, JSON.stringify(changed));
      const result = await loadContentDirectory(store, dir);
      assert.equal(result.written, 1);
      const current = await store.readCurrent('CodeSystem', 'organization-type');
      assert.equal(current?.versionId, '2');
      assert.match((current?.resource as { description: string }).description, /revised/);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an invalid file by name and loads nothing of the directory', async () => {
    const dir = copyOf(terminologyDir);
    const store = memoryStore();
    try {
      fs.writeFileSync(path.join(dir, 'valuesets', 'zz-broken.json'), JSON.stringify({ resourceType: 'ValueSet', id: 'zz-broken', status: 'not-a-status' }));
      await assert.rejects(loadContentDirectory(store, dir), (err: unknown) => err instanceof ContentError && /zz-broken\.json is not a valid ValueSet/.test(err.message));
      fs.writeFileSync(path.join(dir, 'valuesets', 'zz-broken.json'), '{ not json');
      await assert.rejects(loadContentDirectory(store, dir), /zz-broken\.json is not valid JSON/);
      assert.equal((await store.history({ count: 10 })).versions.length, 0);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('treats a missing directory as empty', async () => {
    const store = memoryStore();
    try {
      assert.deepEqual(await loadContentDirectory(store, path.join(os.tmpdir(), 'no-such-content-dir')), { files: 0, written: 0, unchanged: 0, owned: [] });
    } finally {
      await store.close();
    }
  });
});
