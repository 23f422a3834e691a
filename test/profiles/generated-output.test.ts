// The committed profiles/generated/ is what `npm run profiles` makes from profiles/input/fsh today: the
// build runs into a temporary folder (offline, about 10-20 s) and every file must be identical.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { buildProfiles, defaultBuildOptions } from '../../profiles/build/build-profiles';
import { generatedDir } from './profile-validation';
import { scratchDir } from '../helpers/scratch-dir';

describe('npm run profiles', function () {
  this.timeout(180_000);
  const scratch = scratchDir('dhc-profiles-');

  it('rebuilds profiles/generated from the FSH byte for byte, with no SUSHI errors or warnings', async () => {
    const out = path.join(scratch(), 'generated');
    const log: string[] = [];
    const result = await buildProfiles({ ...defaultBuildOptions(), outDir: out, workDir: path.join(scratch(), 'work'), log: (l) => log.push(l) });
    assert.equal(result.errors, 0, log.join('\n'));
    assert.deepEqual(result.warnings, []);
    const committed = fs.readdirSync(generatedDir).filter((f) => f.endsWith('.json')).sort();
    assert.deepEqual(result.files.slice().sort(), committed, 'the same files (run `npm run profiles` and commit profiles/generated)');
    for (const file of committed) {
      assert.equal(
        fs.readFileSync(path.join(out, file), 'utf8'),
        fs.readFileSync(path.join(generatedDir, file), 'utf8'),
        `${file} differs from a fresh build: run \`npm run profiles\` and commit profiles/generated`
      );
    }
  });
});
