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
  if (!Number.isInteger(count) || count < 0) {
    throw badRequest(`_count must be a whole number from 0 to ${maxPageSize}, got '${raw}'`, '_count');
  }
  return Math.min(count, maxPageSize);
}

/** The URL of this request below the base, with the given query. */
export function pageUrl(request: FhirRequest, context: FhirContext, query: URLSearchParams): string {
  const search = query.toString();
  return `${context.baseUrl}/${request.path}${search ? '?' + search : ''}`;
}

/** self, and next when the store returned a cursor for the following page. */
export function pageLinks(request: FhirRequest, context: FhirContext, nextCursor: string | undefined): BundleLink[] {
  const links: BundleLink[] = [{ relation: 'self', url: pageUrl(request, context, request.query) }];
  if (nextCursor) {
    const next = new URLSearchParams(request.query);
    next.set('_cursor', nextCursor);
    links.push({ relation: 'next', url: pageUrl(request, context, next) });
  }
  return links;
}
