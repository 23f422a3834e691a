// Canonical references with versions (https://hl7.org/fhir/R4/references.html#canonical): 'url|version',
// and which of several versions of one canonical resource a request means.

export interface CanonicalRef {
  url: string;
  version?: string;
}

/** 'http://x/ValueSet/y|1.0' -> { url, version }. */
export function parseCanonical(canonical: string): CanonicalRef {
  const bar = canonical.indexOf('|');
  if (bar < 0) {
    return { url: canonical };
  }
  const version = canonical.slice(bar + 1);
  return { url: canonical.slice(0, bar), ...(version ? { version } : {}) };
}

/** The resource of the requested version, or without one the latest (highest version, else the last given). */
export function pickVersion<T extends { version?: string }>(candidates: readonly T[], version?: string): T | undefined {
  if (version !== undefined) {
    return candidates.find((c) => c.version === version);
  }
  let best: T | undefined;
  for (const candidate of candidates) {
    if (!best || compareVersions(candidate.version, best.version) >= 0) {
      best = candidate;
    }
  }
  return best;
}

/** Compares dotted versions part by part, numerically where both parts are numbers ('1.10' > '1.9'). */
export function compareVersions(a: string | undefined, b: string | undefined): number {
  if (a === b) {
    return 0;
  }
  if (a === undefined || b === undefined) {
    return a === undefined ? -1 : 1;
  }
  const left = a.split(/[.-]/);
  const right = b.split(/[.-]/);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i] ?? '';
    const y = right[i] ?? '';
    const bothNumbers = /^\d+$/.test(x) && /^\d+$/.test(y);
    const order = bothNumbers ? Number(x) - Number(y) : x.localeCompare(y);
    if (order !== 0) {
      return order;
    }
  }
  return 0;
}
