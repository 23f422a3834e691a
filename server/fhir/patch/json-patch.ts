// PATCH with a JSON Patch body (application/json-patch+json, https://hl7.org/fhir/R4/http.html#patch; the format is
// RFC 6902, https://www.rfc-editor.org/rfc/rfc6902). Pure: takes the current resource, returns the patched copy.
import { cloneKeepingNumbers } from '../../json/number-text';
import type { Resource } from '@medplum/fhirtypes';
import { applyPatch, type Operation } from 'rfc6902';
import { readJsonPatch, type JsonPatchOperation } from './json-patch-document';
import { checkPointer, pointerToExpression, valueAt } from './json-pointer';
import { InapplicableOperation, inapplicableOperation } from './patch-errors';
import { checkPatchedResource } from './patched-resource';

/** Elements that say which resource this is; a patch may not write them (a `test` or a `copy` from them only reads). */
const identityElements = new Set(['resourceType', 'id']);

/** Applies an RFC 6902 JSON Patch document to a copy of `resource`; the input is never mutated. */
export function applyJsonPatch(resource: Resource, patch: unknown): Resource {
  const operations = readJsonPatch(patch);
  // rfc6902 mutates in place; the copy is what keeps the caller's resource (often the stored version) untouched.
  let document: unknown = cloneKeepingNumbers(resource);
  operations.forEach((operation, index) => {
    try {
      document = applyOperation(document, operation);
    } catch (err) {
      if (err instanceof InapplicableOperation) {
        const expression = pointerToExpression(resource.resourceType, operation.tokens);
        throw inapplicableOperation(index, `${operation.op} '${operation.path}': ${err.message}`, expression);
      }
      throw err;
    }
  });
  return checkPatchedResource(resource, document);
}

/**
 * Applies one operation and returns the document: a new one when the operation wrote the root ('' in RFC 6902
 * section 4.1 replaces the whole document, which rfc6902 answers with an error, so that case is done here).
 */
function applyOperation(document: unknown, operation: JsonPatchOperation): unknown {
  checkIdentityUntouched(operation);
  const { tokens } = operation;
  switch (operation.op) {
    case 'test':
      checkPointer(document, tokens, 'existing');
      return run(document, { op: 'test', path: operation.path, value: operation.value });
    case 'remove':
      if (tokens.length === 0) {
        throw new InapplicableOperation('a patch cannot remove the whole resource');
      }
      checkPointer(document, tokens, 'existing');
      return run(document, { op: 'remove', path: operation.path });
    case 'replace':
      checkPointer(document, tokens, 'existing');
      return tokens.length === 0
        ? cloneKeepingNumbers(operation.value)
        : run(document, { op: 'replace', path: operation.path, value: operation.value });
    case 'add':
      checkPointer(document, tokens, 'insertion');
      return tokens.length === 0
        ? cloneKeepingNumbers(operation.value)
        : run(document, { op: 'add', path: operation.path, value: operation.value });
    case 'copy':
      checkPointer(document, operation.fromTokens, 'existing');
      checkPointer(document, tokens, 'insertion');
      return tokens.length === 0
        ? cloneKeepingNumbers(valueAt(document, operation.fromTokens))
        : run(document, { op: 'copy', from: operation.from, path: operation.path });
    case 'move':
      return move(document, operation);
  }
}

/** RFC 6902 section 4.4: a remove at `from`, then an add at `path` of the removed value, each checked in turn. */
function move(document: unknown, operation: Extract<JsonPatchOperation, { from: string }>): unknown {
  const { tokens, fromTokens } = operation;
  checkPointer(document, fromTokens, 'existing');
  const fromIsPrefix = fromTokens.length <= tokens.length && fromTokens.every((t, i) => t === tokens[i]);
  if (fromIsPrefix && fromTokens.length === tokens.length) {
    return document;
  }
  if (fromIsPrefix) {
    throw new InapplicableOperation(`'${operation.from}' cannot be moved into one of its own children`);
  }
  const value = valueAt(document, fromTokens);
  run(document, { op: 'remove', path: operation.from });
  try {
    checkPointer(document, tokens, 'insertion');
  } catch (err) {
    // The destination is judged after the removal, which the message should say (an array is one item shorter).
    throw err instanceof InapplicableOperation
      ? new InapplicableOperation(`once '${operation.from}' is removed, ${err.message}`)
      : err;
  }
  return tokens.length === 0 ? value : run(document, { op: 'add', path: operation.path, value });
}

function run(document: unknown, operation: Operation): unknown {
  const failedTest = `the value at '${operation.path}' is not the expected value`;
  let error: Error | null;
  try {
    [error] = applyPatch(document, [operation]);
  } catch (err) {
    // rfc6902 writes a failed test's values into its message: a value whose toString is not a function
    // (an object with a "toString" key) makes that throw instead.
    if (operation.op === 'test' && err instanceof TypeError) {
      throw new InapplicableOperation(failedTest);
    }
    throw err;
  }
  if (error) {
    throw new InapplicableOperation(error.name === 'TestError' ? failedTest : error.message);
  }
  return document;
}

function checkIdentityUntouched(operation: JsonPatchOperation): void {
  const written = operation.op === 'test' ? [] : [operation.tokens];
  if (operation.op === 'move') {
    written.push(operation.fromTokens);
  }
  for (const tokens of written) {
    if (tokens.length > 0 && identityElements.has(tokens[0])) {
      throw new InapplicableOperation(
        `a patch cannot change '${tokens[0]}': the PATCH interaction cannot rename a resource`
      );
    }
  }
}
