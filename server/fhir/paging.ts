// _count and page links shared by history and search Bundles (https://hl7.org/fhir/R4/http.html#paging).
import type { BundleLink } from '@medplum/fhirtypes';
import { badRequest } from '../outcomes';
import type { FhirContext, FhirRequest } from './request';

export const defaultPageSize = 20;
export const maxPageSize = 1000;

export function parseCount(query: URLSearchParams): number {
  const raw = query.get('_count');
  if (raw === null) {
    return defaultPageSize;
  }
  const count = Number(raw);
  // Number('') and Number(' ') are 0: an empty _count is an error, not a request for no entries.
  if (!/^\d+$/.test(raw) || !Number.isInteger(count)) {
    throw badRequest(`_count must be a whole number from 0 to ${maxPageSize}, got '${raw}'`, '_count');
  }
  return Math.min(count, maxPageSize);
}

/** The URL of this request below the base, with the given query. */
export function pageUrl(request: FhirRequest, context: FhirContext, query: URLSearchParams): string {
  const search = query.toString();
  return `${context.baseUrl}/${request.path}${search ? '?' + search : ''}`;
}

/** self, and next and previous where the store returned cursors for them. */
export function pageLinks(
  request: FhirRequest,
  context: FhirContext,
  nextCursor: string | undefined,
  previousCursor?: string
): BundleLink[] {
  const links: BundleLink[] = [{ relation: 'self', url: pageUrl(request, context, request.query) }];
  const withCursor = (relation: string, cursor: string): void => {
    const query = new URLSearchParams(request.query);
    query.set('_cursor', cursor);
    links.push({ relation, url: pageUrl(request, context, query) });
  };
  if (nextCursor) {
    withCursor('next', nextCursor);
  }
  if (previousCursor) {
    withCursor('previous', previousCursor);
  }
  return links;
}
