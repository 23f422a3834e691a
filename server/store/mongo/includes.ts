// _include and _revinclude over a page of results: follow the references of the page's documents (or
// find the documents referring to them), and with :iterate keep following from what was added, until
// nothing new turns up. What the caller may not see is never added. https://hl7.org/fhir/R4/search.html#include
import type { Document } from 'mongodb';
import type { IncludeSpec } from '../../search/plan';
import type { ReferenceEntry } from './documents';
import type { CurrentReader, FilterCompiler } from './filters';
import { pageFields } from './search-pipeline';

/** Bounds :iterate on data with reference cycles (as the SQLite adapter does). */
const maxIterations = 5;

export async function findIncluded(
  reader: CurrentReader,
  filters: FilterCompiler,
  page: Document[],
  include: IncludeSpec[],
  revInclude: IncludeSpec[]
): Promise<Document[]> {
  const seen = new Set(page.map((d) => d._id as string));
  const added: Document[] = [];
  let frontier = page;
  for (let round = 0; round < maxIterations && frontier.length; round++) {
    const found: Document[] = [];
    for (const spec of include) {
      if (round === 0 || spec.iterate) {
        found.push(...(await forward(reader, filters, frontier, spec)));
      }
    }
    for (const spec of revInclude) {
      if (round === 0 || spec.iterate) {
        found.push(...(await reverse(reader, filters, frontier, spec)));
      }
    }
    const fresh = found.filter((d) => !seen.has(d._id) && seen.add(d._id));
    added.push(...fresh);
    frontier = fresh;
  }
  return added;
}

/** The documents that the frontier's documents of spec.sourceType refer to. */
async function forward(reader: CurrentReader, filters: FilterCompiler, frontier: Document[], spec: IncludeSpec): Promise<Document[]> {
  const keys = new Set<string>();
  for (const doc of frontier) {
    if (doc.type !== spec.sourceType) {
      continue;
    }
    for (const ref of (doc.idx?.ref ?? []) as ReferenceEntry[]) {
      if (ref.k && spec.codes.includes(ref.p) && (!spec.targetType || ref.k.startsWith(`${spec.targetType}/`))) {
        keys.add(ref.k);
      }
    }
  }
  if (!keys.size) {
    return [];
  }
  const types = [...new Set([...keys].map((k) => k.slice(0, k.indexOf('/'))))];
  return reader.find({ $and: [{ _id: { $in: [...keys] }, deleted: false }, await filters.visible(types)] }, pageFields);
}

/** The documents of spec.sourceType that refer to the frontier's documents. */
async function reverse(reader: CurrentReader, filters: FilterCompiler, frontier: Document[], spec: IncludeSpec): Promise<Document[]> {
  const targets = frontier.filter((d) => !spec.targetType || d.type === spec.targetType).map((d) => d._id as string);
  if (!targets.length || !spec.codes.length) {
    return [];
  }
  return reader.find(
    {
      $and: [
        { type: spec.sourceType, deleted: false, 'idx.ref': { $elemMatch: { p: { $in: spec.codes }, k: { $in: targets } } } },
        await filters.visible([spec.sourceType]),
      ],
    },
    pageFields
  );
}
