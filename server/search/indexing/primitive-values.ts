// @medplum/core's FHIRPath returns a primitive that carries an extension (e.g. birthDate with _birthDate) as a
// String, Number or Boolean object; the converters expect plain primitives.
import type { TypedValue } from '@medplum/core';

/** Replaces boxed primitives by their plain value, in place; returns the same array. */
export function unboxPrimitives(values: TypedValue[]): TypedValue[] {
  for (let i = 0; i < values.length; i++) {
    const { type, value } = values[i];
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      values[i] = { type, value: value.valueOf() };
    }
  }
  return values;
}
