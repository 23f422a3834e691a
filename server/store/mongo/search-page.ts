// One page of search results from the compiled pipeline: the matches, the cursors either way, the
// total the plan asks for, and what _include and _revinclude add. The source is a MongoDB collection
// in the store, and documents evaluated with mingo in the translation tests.
import type { Document } from 'mongodb';
import type { SearchPlan } from '../../search/plan';
import { encodeSearchCursor } from '../cursor';
import { withinBytes } from '../page-bytes';
import type { SearchPage } from '../port';
import { toVersion, type CurrentDocument } from './documents';
import type { CurrentReader } from './filters';
import { findIncluded } from './includes';
import { compileSearch } from './search-pipeline';

/** Where the current documents are read. */
export interface SearchSource extends CurrentReader {
  aggregate(pipeline: Document[]): Promise<Document[]>;
  /** The documents matching, counted up to `limit` when given. */
  count(query: Document, limit?: number): Promise<number>;
  /** About how many current resources of a type there are (a recent count is good enough). */
  typeSize(resourceType: string): Promise<number>;
  /** Where _include and _revinclude look (the matches' collection and AuditEvents'); absent, this source. */
  includes?: CurrentReader;
}

/**
 * What _total=estimate reads (https://hl7.org/fhir/R4/search.html#total): matches are counted exactly up
 * to `exactUpTo`; past it, the share of matches among `sampleSize` random resources of the type is scaled
 * to the type's size, so the cost stays bounded at any size, as the SQLite adapter's sample does
 * (count-sql.ts). Sized like SQLite's: exact below 20,000, 1,000 sampled.
 */
export interface EstimateLimits {
  exactUpTo: number;
  sampleSize: number;
}

export const estimateLimits: EstimateLimits = { exactUpTo: 20_000, sampleSize: 1_000 };

export async function searchPage(plan: SearchPlan, source: SearchSource, limits: EstimateLimits = estimateLimits): Promise<SearchPage> {
  const compiled = await compileSearch(plan, source);
  const docs = await source.aggregate(compiled.pipeline);
  // A backward page was read in reverse order (nearest the cursor first): cut it, then put it back; its
  // "more" lies before it. A page ends early at the plan's byte limit.
  const kept = withinBytes(docs.slice(0, plan.count), plan.maxBytes, (doc) => doc.json as string | undefined);
  const hasMore = docs.length > kept.length;
  const page = compiled.backward ? kept.reverse() : kept;
  const result: SearchPage = { resources: page.map((d) => toVersion(d as CurrentDocument)), included: [] };
  if (page.length > 0) {
    if (compiled.backward || hasMore) {
      result.nextCursor = encodeSearchCursor({ backward: false, values: compiled.cursorValues(page[page.length - 1]) });
    }
    if (compiled.backward ? hasMore : !!plan.cursor) {
      result.previousCursor = encodeSearchCursor({ backward: true, values: compiled.cursorValues(page[0]) });
    }
  }
  if (plan.total === 'accurate') {
    result.total = await source.count(compiled.match);
  } else if (plan.total === 'estimate') {
    result.total = await estimatedTotal(plan.resourceType, compiled.match, source, limits);
  } else if (plan.total === 'auto' && !plan.cursor && !hasMore) {
    // The first page holds every match: the total is known for free.
    result.total = page.length;
  }
  if (page.length && (plan.include.length || plan.revInclude.length)) {
    const included = await findIncluded(source.includes ?? source, compiled.filters, page, plan.include, plan.revInclude);
    result.included = included.map((d) => toVersion(d as CurrentDocument));
  }
  return result;
}

/**
 * An exact count while it stays under the limit; otherwise the matches among a random sample of the
 * type ($sample), scaled to the type's size, and never below the limit the count already reached.
 */
async function estimatedTotal(resourceType: string, match: Document, source: SearchSource, limits: EstimateLimits): Promise<number> {
  const counted = await source.count(match, limits.exactUpTo);
  if (counted < limits.exactUpTo) {
    return counted;
  }
  const [sample] = await source.aggregate([
    { $match: { type: resourceType, deleted: false } },
    { $sample: { size: limits.sampleSize } },
    { $facet: { all: [{ $count: 'n' }], hits: [{ $match: match }, { $count: 'n' }] } },
  ]);
  const all = (sample?.all as { n: number }[] | undefined)?.[0]?.n ?? 0;
  const hits = (sample?.hits as { n: number }[] | undefined)?.[0]?.n ?? 0;
  const scaled = all ? Math.round((hits / all) * (await source.typeSize(resourceType))) : 0;
  return Math.max(counted, scaled);
}
