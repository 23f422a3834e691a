import { strict as assert } from 'node:assert';
import { hasUnprintableNumbers, holdsKeptNumbers, parseJsonKeepingNumbers, stringifyKeepingNumbers } from '../../server/json/number-text';

describe('JSON keeping the written text of numbers', () => {
  const written = ['1.50', '12345678901234567890', '1e2', '1.0', '-0', '0.10', '1E-7', '3.141592653589793238'];

  for (const text of written) {
    it(`writes ${text} back as written, while consumers see the plain number ${Number(text)}`, () => {
      const source = `{"resourceType":"Observation","valueQuantity":{"value":${text}},"component":[${text},2]}`;
      const parsed = parseJsonKeepingNumbers(source) as { valueQuantity: { value: number }; component: number[] };
      assert.equal(typeof parsed.valueQuantity.value, 'number');
      assert.equal(parsed.valueQuantity.value, Number(text));
      assert.deepEqual(Object.keys(parsed.valueQuantity), ['value']);
      assert.equal(JSON.stringify(parsed), source.replaceAll(text, String(Number(text))));
      assert.equal(stringifyKeepingNumbers(parsed), source);
      // Spread copies (the store adds meta that way) keep the texts.
      assert.equal(stringifyKeepingNumbers({ ...parsed }), source);
    });
  }

  it('writes the new value when a kept number was changed', () => {
    const parsed = parseJsonKeepingNumbers('{"a":{"value":1.50}}') as { a: { value: number } };
    parsed.a.value = 2;
    assert.equal(stringifyKeepingNumbers(parsed), '{"a":{"value":2}}');
  });

  it('keeps the texts of resources inside a Bundle built around them, and pretty-prints', () => {
    const resource = parseJsonKeepingNumbers('{"resourceType":"Basic","x":1.50}');
    assert.ok(holdsKeptNumbers(resource));
    const bundle = { resourceType: 'Bundle', entry: [{ resource }] };
    assert.equal(stringifyKeepingNumbers(bundle), '{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Basic","x":1.50}}]}');
    assert.match(stringifyKeepingNumbers(bundle, 2), /"x": 1.50\n/);
  });

  it('takes the plain path when every number prints as written', () => {
    assert.equal(hasUnprintableNumbers('{"a":1.5,"b":[1,2,-3],"c":"1.50","d":"10:00:00.000Z"}'), false);
    assert.equal(hasUnprintableNumbers('{"a": 1.50 }'), true);
    assert.equal(holdsKeptNumbers(parseJsonKeepingNumbers('{"a":1.5}')), false);
  });

  it('finds every literal that prints differently wherever it ends: before a comma, a brace or a bracket, after spaces', () => {
    for (const text of written) {
      for (const json of [`{"a":${text}}`, `{"a":${text},"b":1}`, `[1,${text}]`, `{"a":[${text} ]}`, `{"a":\n  ${text}\n}`]) {
        assert.equal(hasUnprintableNumbers(json), true, json);
      }
    }
    // Dates, times and ids in strings are digits that never end a number.
    assert.equal(hasUnprintableNumbers('{"birthDate":"1980-01-01","id":"p-100","meta":{"versionId":"10"},"n":[100,2.5,-7]}'), false);
  });
});
