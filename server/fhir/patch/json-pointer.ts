// JSON Pointers (RFC 6901, https://www.rfc-editor.org/rfc/rfc6901) as JSON Patch uses them: parsing, and checking
// that a pointer reaches a place in the document before rfc6902 is let loose on it.
import { InapplicableOperation } from './patch-errors';

/**
 * Tokens that rfc6902 silently skips while walking a pointer (its guard against prototype pollution), so a pointer
 * holding one would act on another place than it names. No FHIR element has these names.
 */
const unsafeTokens = new Set(['__proto__', 'constructor', 'prototype']);

/** Parses a pointer into its unescaped tokens ('' is []), or returns the reason it is not a valid pointer. */
export function parsePointer(pointer: string): string[] | { problem: string } {
  if (pointer === '') {
    return [];
  }
  if (!pointer.startsWith('/')) {
    return { problem: "a JSON Pointer is '' or starts with '/'" };
  }
  if (/~(?![01])/.test(pointer)) {
    return { problem: "'~' must be followed by 0 or 1 ('~0' is '~', '~1' is '/')" };
  }
  const tokens = pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  const unsafe = tokens.find((t) => unsafeTokens.has(t));
  if (unsafe !== undefined) {
    return { problem: `'${unsafe}' is not an element name` };
  }
  return tokens;
}

/** A FHIRPath-like rendering of a pointer for OperationOutcome.issue.expression: /name/0/given is Patient.name[0].given. */
export function pointerToExpression(resourceType: string, tokens: readonly string[]): string {
  let expression = resourceType;
  for (const token of tokens) {
    if (token === '-') {
      continue;
    }
    expression += /^(0|[1-9][0-9]*)$/.test(token) ? `[${token}]` : `.${token}`;
  }
  return expression;
}

export function formatPointer(tokens: readonly string[]): string {
  return tokens.map((t) => '/' + t.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/**
 * What the last token must name: 'existing' for what is read, removed or replaced (a member that exists, an index
 * below the length); 'insertion' for where add puts a value (any member name, an index up to the length, or '-').
 */
export type PointerUse = 'existing' | 'insertion';

const arrayIndex = /^(0|[1-9][0-9]*)$/;

/**
 * Throws InapplicableOperation unless `tokens` reach a place in `document` fit for `use`. rfc6902 is lax here: it
 * walks through strings ('/birthDate/0' reads one character), sets array members named 'x' or '01' that JSON
 * serialization then drops, and throws a TypeError when asked to add a member to a string.
 */
export function checkPointer(document: unknown, tokens: readonly string[], use: PointerUse): void {
  let current = document;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const last = i === tokens.length - 1;
    const here = formatPointer(tokens.slice(0, i)) || 'the document root';
    if (Array.isArray(current)) {
      if (last && use === 'insertion' && token === '-') {
        return;
      }
      if (!arrayIndex.test(token)) {
        throw new InapplicableOperation(`'${here}' is an array, and '${token}' is not an index into it`);
      }
      const index = Number(token);
      const limit = last && use === 'insertion' ? current.length : current.length - 1;
      if (index > limit) {
        throw new InapplicableOperation(
          `index ${index} is out of range: '${here}' has ${current.length} item${current.length === 1 ? '' : 's'}`
        );
      }
      current = current[index];
    } else if (typeof current === 'object' && current !== null) {
      if (!Object.hasOwn(current, token)) {
        if (last && use === 'insertion') {
          return;
        }
        throw new InapplicableOperation(`'${formatPointer(tokens.slice(0, i + 1))}' does not exist`);
      }
      current = (current as Record<string, unknown>)[token];
    } else {
      throw new InapplicableOperation(`'${here}' is not an object or an array, so it has no '${token}'`);
    }
  }
}

/** The value at `tokens`, which checkPointer has already found to exist. */
export function valueAt(document: unknown, tokens: readonly string[]): unknown {
  let current = document;
  for (const token of tokens) {
    current = (current as Record<string, unknown>)[token];
  }
  return current;
}
