// Rewrites Reference.reference values anywhere in a resource: in extensions, contained resources and
// nested backbone elements alike, since a transaction must leave no reference to a placeholder behind
// (https://hl7.org/fhir/R4/bundle.html#references and http.html#trules).

/** Returns the new reference for a value, or undefined to keep it. */
export type ReferenceMapper = (reference: string, path: string) => string | undefined;

/** Rewrites in place; `path` is the element path of the value, for error messages. */
export function rewriteReferences(value: unknown, map: ReferenceMapper, path: string): void {
  walk(value, map, [path]);
}

/**
 * `segments` is the path so far (keys and array indexes), joined only when a reference is found: every
 * write walks its resource this way several times (a transaction's references, the reference-target
 * rule), and building a path string per element allocated more than the rest of the walk.
 */
function walk(value: unknown, map: ReferenceMapper, segments: (string | number)[]): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      segments.push(i);
      walk(value[i], map, segments);
      segments.pop();
    }
    return;
  }
  if (typeof value !== 'object' || value === null) {
    return;
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const child = object[key];
    if (key === 'reference' && typeof child === 'string') {
      const replacement = map(child, `${joinPath(segments)}.reference`);
      if (replacement !== undefined) {
        object.reference = replacement;
      }
    } else if (typeof child === 'object' && child !== null) {
      segments.push(key);
      walk(child, map, segments);
      segments.pop();
    }
  }
}

/** 'Bundle.entry[3].resource.subject' from ['Bundle.entry[3].resource', 'subject']: indexes in brackets. */
function joinPath(segments: (string | number)[]): string {
  let path = String(segments[0]);
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i];
    path += typeof segment === 'number' ? `[${segment}]` : `.${segment}`;
  }
  return path;
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
