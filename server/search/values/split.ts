// Splitting search values on unescaped separators: ',' between alternatives, '|' inside tokens and
// quantities, '$' inside composites. '\,' '\|' '\$' and '\\' are literals
// (https://hl7.org/fhir/R4/search.html#escaping).
export function splitUnescaped(value: string, separator: ',' | '|' | '$'): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && i + 1 < value.length) {
      const next = value[i + 1];
      // An escape of this separator is resolved here; other escapes are kept for the next split.
      current += next === separator ? next : c + next;
      i++;
    } else if (c === separator) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

/** Removes the escapes left once every split is done. */
export function unescapeValue(value: string): string {
  return value.replace(/\\([\\,|$])/g, '$1');
}

/** The inverse: a literal value made safe to put into a search parameter. */
export function escapeValue(value: string): string {
  return value.replace(/[\\,|$]/g, (c) => `\\${c}`);
}
