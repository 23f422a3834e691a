// Hierarchy filters on the `concept` property: is-a, descendent-of, is-not-a and generalizes
// (https://hl7.org/fhir/R4/valueset-definitions.html#ValueSet.compose.include.filter.op).
import { unsupportedContent } from '../terminology-errors';
import type { ConceptPredicate, FilterInput } from './concept-filter';

export function compileHierarchy({ index, property, value }: FilterInput, op: string): ConceptPredicate {
  if (property !== 'concept' && property !== 'code') {
    throw unsupportedContent(`Filter '${property} ${op}' is not supported: ${op} applies to the concept hierarchy (property 'concept')`);
  }
  const root = index.get(value)?.code;
  if (root === undefined) {
    // An unknown code has no descendants and no ancestors.
    return op === 'is-not-a' ? () => true : () => false;
  }
  switch (op) {
    case 'is-a': {
      const below = index.descendantsOf(root);
      return (c) => c.code === root || below.has(c.code);
    }
    case 'descendent-of': {
      const below = index.descendantsOf(root);
      return (c) => below.has(c.code);
    }
    case 'is-not-a': {
      const below = index.descendantsOf(root);
      return (c) => c.code !== root && !below.has(c.code);
    }
    default: {
      // generalizes: the concept and everything above it.
      const above = index.ancestorsOf(root);
      return (c) => c.code === root || above.has(c.code);
    }
  }
}
