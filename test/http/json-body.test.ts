import { strict as assert } from 'node:assert';
import { decodeUtf8, parseJsonBody } from '../../server/http/json-body';
import { FhirError } from '../../server/outcomes';
import { stringifyKeepingNumbers } from '../../server/json/number-text';

const refused = (text: RegExp) => (err: unknown) => err instanceof FhirError && err.status === 400 && text.test(err.message);

describe('reading a JSON request body', () => {
  it('tells keys from values across escaped quotes and backslashes', () => {
    const text = '{"a":"x\\"y","b":"z\\\\","c":[{"a":1},{"a":2}],"d":{"a":{"a":3}}}';
    assert.deepEqual(parseJsonBody(text, 100), JSON.parse(text));
    assert.throws(() => parseJsonBody('{"a":"x\\"y","b":"z\\\\","a":2}', 100), refused(/'a' twice/));
    // A value equal to a key is not a key.
    assert.deepEqual(parseJsonBody('{"a":"b","b":"a"}', 100), { a: 'b', b: 'a' });
  });

  it('refuses duplicate keys at any depth, also when one is written with escapes', () => {
    assert.throws(() => parseJsonBody('[{"x":{"k":1,"k":2}}]', 100), refused(/'k' twice/));
    assert.throws(() => parseJsonBody('{"k":1,"\\u006b":2}', 100), refused(/'k' twice/));
  });

  it('accepts nesting up to the limit and refuses one level more', () => {
    const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
    assert.doesNotThrow(() => parseJsonBody(nested(100), 100));
    assert.throws(() => parseJsonBody(nested(101), 100), refused(/FHIR_MAX_JSON_DEPTH/));
  });

  it('refuses numbers beyond a double, keeps the text of those that print differently', () => {
    assert.throws(() => parseJsonBody('{"v":-1e309}', 100), refused(/out of range/));
    const parsed = parseJsonBody('{"v":[1.50, 2, 1e2 ,-0]}', 100);
    assert.deepEqual(JSON.parse(JSON.stringify(parsed)), { v: [1.5, 2, 100, 0] });
    assert.equal(stringifyKeepingNumbers(parsed), '{"v":[1.50,2,1e2,-0]}');
  });

  it('reports malformed JSON as JSON.parse finds it', () => {
    assert.throws(() => parseJsonBody('{"a":', 100), refused(/not valid JSON/));
    assert.throws(() => parseJsonBody('{"a":"unclosed}', 100), refused(/not valid JSON/));
  });

  it('decodes UTF-8 without its byte-order mark and refuses other bytes', () => {
    assert.equal(decodeUtf8(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])), '{}');
    assert.equal(decodeUtf8(Buffer.from('青禾', 'utf8')), '青禾');
    assert.throws(() => decodeUtf8(Buffer.from([0x7b, 0xc3, 0x28, 0x7d])), refused(/UTF-8/));
  });
});
