// A fresh directory in the OS's temp directory for the tests of one describe block, made before them (or
// before each) and removed after, in place of the same mkdtemp/rmSync hooks written out in each file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Registers the hooks in the calling describe block; the returned function gives the current directory. */
export function scratchDir(prefix: string, per: 'suite' | 'test' = 'suite'): () => string {
  let dir: string | undefined;
  const make = (): void => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  };
  const remove = (): void => {
    if (dir) {
      fs.rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    }
  };
  if (per === 'suite') {
    before(make);
    after(remove);
  } else {
    beforeEach(make);
    afterEach(remove);
  }
  return () => {
    if (!dir) {
      throw new Error(`scratchDir('${prefix}') read outside the tests of its describe block`);
    }
    return dir;
  };
}
