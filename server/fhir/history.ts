// history at instance, type and system level: GET [base]/[type]/[id]/_history, [type]/_history,
// _history (https://hl7.org/fhir/R4/http.html#history). Newest first; _since, _at, _count, paged.
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { notFound } from '../outcomes';
import { parseDateRange } from '../search/date-value';
import type { HistoryQuery, ResourceVersion } from '../store/port';
import { pageLinks, parseCount } from './paging';
import type { FhirContext, Interaction } from './request';
import { etag } from './version-headers';

export const history: Interaction = async (request, { resourceType, id }, context) => {
  const query: HistoryQuery = {
    resourceType,
    id,
    count: parseCount(request.query),
    maxBytes: context.settings.limits.pageBytes,
  };
  const since = request.query.get('_since');
  if (since !== null) {
    query.since = parseDateRange(since, '_since').low;
  }
  const at = request.query.get('_at');
  if (at !== null) {
    query.at = parseDateRange(at, '_at');
  }
  query.cursor = request.query.get('_cursor') ?? undefined;
  if (resourceType && id && !(await context.store.readCurrent(resourceType, id))) {
    throw notFound(`${resourceType}/${id} is not known`);
  }
  const page = await context.store.history(query);
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'history',
    link: pageLinks(request, context, page.nextCursor),
    entry: page.versions.map((v) => historyEntry(v, context)),
  };
  return { status: 200, body: bundle };
};

function historyEntry(version: ResourceVersion, context: FhirContext): BundleEntry {
  const url = `${version.resourceType}/${version.id}`;
  const entry: BundleEntry = { fullUrl: `${context.baseUrl}/${url}` };
  if (version.resource) {
    entry.resource = version.resource;
  }
  const first = version.versionId === '1';
  entry.request = version.deleted
    ? { method: 'DELETE', url }
    : first
      ? { method: 'POST', url: version.resourceType }
      : { method: 'PUT', url };
  entry.response = {
    status: version.deleted ? '204' : first ? '201' : '200',
    etag: etag(version.versionId),
    lastModified: version.lastUpdated,
  };
  return entry;
}
