// Rewrites Reference.reference values anywhere in a resource: in extensions, contained resources and
// nested backbone elements alike, since a transaction must leave no reference to a placeholder behind
// (https://hl7.org/fhir/R4/bundle.html#references and http.html#trules).

/** Returns the new reference for a value, or undefined to keep it. */
export type ReferenceMapper = (reference: string, path: string) => string | undefined;

/** Rewrites in place; `path` is the element path of the value, for error messages. */
export function rewriteReferences(value: unknown, map: ReferenceMapper, path: string): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => rewriteReferences(item, map, `${path}[${i}]`));
    return;
  }
  if (typeof value !== 'object' || value === null) {
    return;
  }
  const object = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(object)) {
    if (key === 'reference' && typeof child === 'string') {
      const replacement = map(child, `${path}.reference`);
      if (replacement !== undefined) {
        object.reference = replacement;
      }
    } else if (typeof child === 'object' && child !== null) {
      rewriteReferences(child, map, `${path}.${key}`);
    }
  }
}

/** Every Reference.reference value in a resource, for collecting conditional references before writing. */
export function collectReferences(value: unknown, into: Set<string> = new Set()): Set<string> {
  rewriteReferences(
    value,
    (reference) => {
      into.add(reference);
      return undefined;
    },
    ''
  );
  return into;
}
