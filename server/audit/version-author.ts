// The author the store records beside each version, from the request's Caller: who (fhirUser), with
// which application (client_id), for which organizations. Kept as canonical JSON text, so that the
// version hash (chain-hash.ts) covers it exactly as stored.
import type { Caller } from '../fhir/pipeline/caller';
import type { VersionAuthor } from '../store/port';

export function authorOf(caller: Caller): VersionAuthor {
  const author: VersionAuthor = { kind: caller.kind };
  if (caller.user) author.user = caller.user;
  if (caller.clientId) author.clientId = caller.clientId;
  if (caller.organizations.length) author.organizations = [...caller.organizations];
  return author;
}

/** The stored text of an author (keys in one fixed order), or null when none is known. */
export function authorText(author: VersionAuthor | undefined): string | null {
  if (!author) {
    return null;
  }
  const { kind, user, clientId, organizations } = author;
  return JSON.stringify({ kind, user, clientId, organizations });
}

/** The author of a stored text; undefined for none or for text that is not an author. */
export function parseAuthor(text: string | null): VersionAuthor | undefined {
  if (!text) {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as VersionAuthor;
    return typeof value === 'object' && value !== null && typeof value.kind === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
