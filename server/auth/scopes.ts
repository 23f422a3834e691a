// SMART scopes, version 2 (`patient/Observation.rs`, `user/*.cruds`, `system/Patient.r`, with granular
// `?category=` queries) and version 1 (`patient/*.read`, `user/*.write`), read into one shape.
// https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html
import { BoundedCache } from './bounded-cache';

export type ScopeLevel = 'patient' | 'user' | 'system';
export type Permission = 'c' | 'r' | 'u' | 'd' | 's';

export interface ResourceScope {
  level: ScopeLevel;
  /** A resource type, or '*' for every type. */
  resourceType: string;
  permissions: ReadonlySet<Permission>;
  /** A v2 granular scope's query (`?category=...`): only resources matching it are covered. */
  query?: URLSearchParams;
  text: string;
}

const v2 = /^(patient|user|system)\/([A-Z][A-Za-z]+|\*)\.(c?r?u?d?s?)(\?.+)?$/;
const v1 = /^(patient|user|system)\/([A-Z][A-Za-z]+|\*)\.(read|write|\*)$/;
const v1Permissions: Record<string, Permission[]> = { read: ['r', 's'], write: ['c', 'u', 'd'], '*': ['c', 'r', 'u', 'd', 's'] };

/** The scopes that are not about resources, which this server understands. */
export const contextScopes = ['openid', 'fhirUser', 'launch', 'launch/patient', 'launch/encounter', 'offline_access', 'online_access'] as const;

/** Scopes already read: every request of a token reads the same few. */
const readScopes = new BoundedCache<ResourceScope | undefined>(1_000);

/** A resource scope, or undefined for any other scope (launch, openid, unknown ones). Shared: never changed. */
export function parseResourceScope(text: string): ResourceScope | undefined {
  return readScopes.computed(text, () => readResourceScope(text));
}

function readResourceScope(text: string): ResourceScope | undefined {
  const modern = v2.exec(text);
  if (modern && modern[3]) {
    const query = modern[4] ? new URLSearchParams(modern[4].slice(1)) : undefined;
    return { level: modern[1] as ScopeLevel, resourceType: modern[2], permissions: new Set(modern[3].split('') as Permission[]), ...(query ? { query } : {}), text };
  }
  const legacy = v1.exec(text);
  if (legacy) {
    return { level: legacy[1] as ScopeLevel, resourceType: legacy[2], permissions: new Set(v1Permissions[legacy[3]]), text };
  }
  return undefined;
}

export function splitScopes(scope: string | undefined): string[] {
  return [...new Set((scope ?? '').split(/\s+/).filter(Boolean))];
}

/** Whether `granted` covers everything `requested` asks for (same level, type, permissions, query). */
export function scopeCovers(granted: string, requested: string): boolean {
  if (granted === requested) {
    return true;
  }
  const g = parseResourceScope(granted);
  const r = parseResourceScope(requested);
  if (!g || !r || g.level !== r.level || (g.resourceType !== '*' && g.resourceType !== r.resourceType)) {
    return false;
  }
  if ([...r.permissions].some((p) => !g.permissions.has(p))) {
    return false;
  }
  return !g.query || (r.query !== undefined && g.query.toString() === r.query.toString());
}

/** The requested scopes that some allowed scope covers, in the order requested. */
export function narrowScopes(requested: readonly string[], allowed: readonly string[]): string[] {
  return requested.filter((r) => allowed.some((a) => scopeCovers(a, r)));
}
