// Search parameters that are only the union of others of the same type: R4's Observation `combo-code` is
// `Observation.code | Observation.component.code`, exactly the branches of `code` and `component-code`
// (and so `combo-value-quantity`, `combo-code-value-quantity`...). Such a parameter's index rows would
// repeat its parts' rows one for one, so none are written for it: a search on it reads its parts' rows
// (parse-search.ts). For a panel Observation that was about 20 of the 96 pages a create wrote
// (docs/performance.md, "Union parameters").
import type { CompiledParameter } from './compiled-parameters';

/**
 * Per parameter code, the codes of the parameters whose branches together are exactly its own, each
 * branch in exactly one part. Parts are of the same type and, for composites, the same components;
 * reference parameters are never parts nor unions (their target types decide how a bare id is read),
 * nor are unique ones (their rows are checked for duplicates). A union is never the part of another.
 */
export function findUnionParameters(plan: readonly CompiledParameter[]): Map<string, string[]> {
  const unions = new Map<string, string[]>();
  const eligible = plan
    .filter((p) => p.def.type !== 'reference' && p.def.type !== 'special' && !p.def.unique && p.branches.length > 0)
    .map((p) => ({ code: p.def.code, branches: new Set(p.branches.map((b) => b.text)), distinct: p.branches.length, shape: shapeOf(p) }));
  // Smaller parameters first, so that a union found is known before a larger one could take it as a part.
  const bySize = eligible.sort((a, b) => a.branches.size - b.branches.size || (a.code < b.code ? -1 : 1));
  for (const whole of bySize) {
    const wanted = whole.branches;
    if (wanted.size < 2 || wanted.size !== whole.distinct) {
      continue;
    }
    const candidates = bySize
      .filter((p) => p !== whole && !unions.has(p.code) && p.shape === whole.shape)
      .filter((p) => p.branches.size < wanted.size && [...p.branches].every((k) => wanted.has(k)))
      // Larger parts first; among equals the code decides, so that the choice does not depend on the order of definitions.
      .sort((a, b) => b.branches.size - a.branches.size || (a.code < b.code ? -1 : 1));
    const covered = new Set<string>();
    const parts: string[] = [];
    for (const candidate of candidates) {
      const its = [...candidate.branches];
      if (its.every((k) => !covered.has(k))) {
        its.forEach((k) => covered.add(k));
        parts.push(candidate.code);
      }
    }
    if (parts.length >= 2 && covered.size === wanted.size) {
      unions.set(whole.code, parts);
    }
  }
  return unions;
}

/** The parameter type, and for composites the components (their types and expressions): equal shapes, comparable rows. */
function shapeOf(p: CompiledParameter): string {
  return JSON.stringify([p.def.type, (p.components ?? []).map((c) => [c.type, c.branches.map((x) => x.expression)])]);
}
