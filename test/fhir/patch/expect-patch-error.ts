// Asserts that a patch fails with the status, issue code and, when given, text and expression the spec asks for
// (400 for a malformed patch, 422 for one that cannot be applied: https://hl7.org/fhir/R4/http.html#patch).
import assert from 'node:assert/strict';
import { FhirError } from '../../../server/outcomes';

export interface ExpectedPatchError {
  status: 400 | 422;
  code: 'invalid' | 'processing';
  text?: RegExp;
  expression?: string;
}

export function expectPatchError(apply: () => unknown, expected: ExpectedPatchError): void {
  assert.throws(apply, (err: unknown) => {
    assert.ok(err instanceof FhirError, `expected a FhirError, got ${String(err)}`);
    const [first] = err.outcome.issue ?? [];
    assert.equal(err.status, expected.status, first?.details?.text);
    assert.equal(first?.code, expected.code);
    if (expected.text) {
      assert.match(first?.details?.text ?? '', expected.text);
    }
    if (expected.expression) {
      assert.deepEqual(first?.expression, [expected.expression]);
    }
    return true;
  });
}

/** 400 for a malformed patch document, naming the operation. */
export const malformed = (text: RegExp, expression?: string): ExpectedPatchError => ({ status: 400, code: 'invalid', text, expression });

/** 422 for a patch that cannot be applied to this resource. */
export const inapplicable = (text: RegExp, expression?: string): ExpectedPatchError => ({
  status: 422,
  code: 'processing',
  text,
  expression,
});
