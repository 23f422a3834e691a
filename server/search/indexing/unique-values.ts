// Removes repeated values of one parameter (a code in both Observation.code and a component, the same name
// part twice). Values are flat objects whose fields the converters always set in the same order.

/** Above this many values a key set beats comparing pairs. */
const pairwiseLimit = 16;

/** The values without repeats, in first-seen order. */
export function uniqueValues<V extends object>(values: V[]): V[] {
  if (values.length < 2) {
    return values;
  }
  const unique: V[] = [];
  if (values.length <= pairwiseLimit) {
    for (const value of values) {
      if (!unique.some((u) => sameFields(u, value))) {
        unique.push(value);
      }
    }
    return unique;
  }
  const seen = new Set<string>();
  for (const value of values) {
    const key = fieldsKey(value);
    if (!seen.has(key)) {
      seen.add(key);
      unique.push(value);
    }
  }
  return unique;
}

function sameFields(a: object, b: object): boolean {
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let count = 0;
  for (const field in left) {
    const l = left[field];
    const r = right[field];
    if (l !== r && !(typeof l === 'object' && typeof r === 'object' && JSON.stringify(l) === JSON.stringify(r))) {
      return false;
    }
    count++;
  }
  for (const _field in right) {
    count--;
  }
  return count === 0;
}

function fieldsKey(value: object): string {
  let key = '';
  for (const [field, v] of Object.entries(value)) {
    key += field + '\u0001' + (typeof v === 'object' ? JSON.stringify(v) : String(v)) + '\u0000';
  }
  return key;
}
