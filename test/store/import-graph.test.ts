// Switching adapters is configuration only: no module outside server/store/ imports an adapter
// (server/store/sqlite/ or server/store/mongo/); the rest of the code, the benchmark and the tests open
// stores through server/store/adapters.ts and open-store.ts. The adapters' own tests (test/store/,
// mirroring server/store/) may reach inside them.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const adapterDirs = ['sqlite', 'mongo'].map((name) => path.join(root, 'server', 'store', name) + path.sep);
const allowedDirs = [path.join(root, 'server', 'store') + path.sep, path.join(root, 'test', 'store') + path.sep];

/** The module specifiers a TypeScript source imports, re-exports or requires. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
  for (const match of source.matchAll(pattern)) {
    found.push(match[1]);
  }
  return found;
}

/** The adapter modules a file imports (relative specifiers resolved against the file). */
function adapterImports(file: string, source: string): string[] {
  return specifiers(source)
    .filter((s) => s.startsWith('.'))
    .map((s) => path.resolve(path.dirname(file), s))
    .filter((resolved) => adapterDirs.some((dir) => (resolved + path.sep).startsWith(dir)))
    .map((resolved) => path.relative(root, resolved));
}

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'node_modules' ? [] : sourceFiles(full);
    }
    return /\.(ts|js|mjs|cjs)$/.test(entry.name) ? [full] : [];
  });
}

describe('the import graph of the storage adapters', () => {
  it('recognises an adapter import in every form it can take', () => {
    const file = path.join(root, 'server', 'fhir', 'example.ts');
    const source = [
      "import { SqliteStore } from '../store/sqlite/sqlite-store';",
      "export { openMongoStore } from '../store/mongo/mongo-store';",
      "const m = require('../store/mongo');",
      "import '../store/sqlite/schema';",
      "import type { ResourceStore } from '../store/port';",
      "import { openStore } from '../store/open-store';",
    ].join('\n');
    assert.deepEqual(adapterImports(file, source), [
      'server/store/sqlite/sqlite-store',
      'server/store/mongo/mongo-store',
      'server/store/mongo',
      'server/store/sqlite/schema',
    ]);
  });

  it('finds no file outside server/store/ (and the adapters’ own tests) importing an adapter', () => {
    const files = ['server', 'test', 'bench', 'seed'].flatMap((dir) => sourceFiles(path.join(root, dir)));
    assert.ok(files.length > 100, `read ${files.length} files`);
    const offenders = files
      .filter((file) => !allowedDirs.some((dir) => file.startsWith(dir)))
      .flatMap((file) => adapterImports(file, fs.readFileSync(file, 'utf8')).map((target) => `${path.relative(root, file)} -> ${target}`));
    assert.deepEqual(offenders, []);
  });
});
