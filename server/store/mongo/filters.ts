// Plan filters as MongoDB queries on the current-version documents. Parameter filters are $elemMatch
// conditions on the document's own index entries (`idx`). Chains and _has cross to other documents:
// their far side is queried first (through its own indexes) and the outer query tests the keys found,
// since a sharded cluster cannot join inside a query. The caller's restriction is applied to every
// document a query reaches: the matches, chain targets and _has sources.
import type { Document } from 'mongodb';
import type { IndexKind, Filter, ParamRef, ResultRestriction } from '../../search/plan';
import { dateApproximation } from '../../search/range-bounds';
import { anyValue, never, ranges } from './value-conditions';

/** The index array of each parameter kind (documents.ts). */
export const indexField: Record<IndexKind, string> = {
  string: 'str',
  token: 'tok',
  date: 'date',
  number: 'num',
  quantity: 'qty',
  reference: 'ref',
  uri: 'uri',
  composite: 'comp',
};

/** Reads current documents for the far side of chains and _has (a collection, or fixtures in the tests). */
export interface CurrentReader {
  /** The documents matching `query`, with `_id` and the fields named (dotted paths). */
  find(query: Document, fields: string[]): Promise<Document[]>;
}

export class FilterCompiler {
  constructor(
    private readonly reader: CurrentReader,
    private readonly restriction: ResultRestriction | undefined
  ) {}

  /** Current, non-deleted documents of `resourceType` matching every filter and visible to the caller. */
  async matching(resourceType: string, filters: Filter[]): Promise<Document> {
    return and([{ type: resourceType, deleted: false }, await this.visible([resourceType]), await this.all(filters, [resourceType])]);
  }

  /**
   * What the restriction lets the caller see among documents of the given types: a type it lists must
   * match that type's filters; another type is visible when `otherTypes` is 'all'.
   */
  async visible(types: string[]): Promise<Document> {
    const restriction = this.restriction;
    if (!restriction) {
      return {};
    }
    // The restriction's own filters are compiled without it: they say what is visible.
    const unrestricted = new FilterCompiler(this.reader, undefined);
    const parts: Document[] = [];
    for (const type of types) {
      const filters = restriction.byType[type];
      parts.push(filters ? await unrestricted.all(filters, [type]) : restriction.otherTypes === 'all' ? {} : never);
    }
    return types.length === 1 ? parts[0] : { $or: types.map((type, i) => and([{ type }, parts[i]])) };
  }

  /** Every filter, for documents of `types` (more than one inside a chain to several target types). */
  async all(filters: Filter[], types: string[]): Promise<Document> {
    const parts: Document[] = [];
    for (const filter of filters) {
      parts.push(await this.compile(filter, types));
    }
    return and(parts);
  }

  async compile(filter: Filter, types: string[]): Promise<Document> {
    switch (filter.kind) {
      case 'id':
        return { id: filter.negate ? { $nin: filter.ids } : { $in: filter.ids } };
      case 'lastUpdated':
        return ranges(filter.anyOf, 'lu', 'lu', dateApproximation(), 1);
      case 'param': {
        const match = onParam(filter.param, anyValue(filter.anyOf), types);
        return filter.negate ? { $nor: [match] } : match;
      }
      case 'missing': {
        const present = onParam(filter.param, {}, types);
        return filter.missing ? { $nor: [present] } : present;
      }
      case 'chain':
        return this.chain(filter, types);
      case 'has':
        return this.has(filter);
      case 'anyOf': {
        const parts: Document[] = [];
        for (const f of filter.filters) {
          parts.push(await this.compile(f, types));
        }
        return parts.length ? { $or: parts } : never;
      }
    }
  }

  /** subject:Patient.name=x: the matching, visible targets first, then the references to them. */
  private async chain(filter: Filter & { kind: 'chain' }, types: string[]): Promise<Document> {
    const targetQuery = and([
      { type: { $in: filter.targetTypes }, deleted: false },
      await this.visible(filter.targetTypes),
      await this.all(filter.filters, filter.targetTypes),
    ]);
    const targets = await this.reader.find(targetQuery, []);
    if (!targets.length) {
      return never;
    }
    return onParam(filter.param, { k: { $in: targets.map((t) => t._id as string) } }, types);
  }

  /** _has:Observation:patient:code=x: the matching, visible sources first, then what they refer to. */
  private async has(filter: Filter & { kind: 'has' }): Promise<Document> {
    const ref = filter.referenceParam;
    const sources = await this.reader.find(await this.matching(ref.resourceType, filter.filters), ['idx.ref']);
    const keys = new Set<string>();
    for (const source of sources) {
      for (const entry of (source.idx?.ref ?? []) as { p: string; k?: string }[]) {
        if (entry.p === ref.code && entry.k) {
          keys.add(entry.k);
        }
      }
    }
    return keys.size ? { _id: { $in: [...keys] } } : never;
  }
}

/**
 * The document has an entry of the parameter meeting `condition`. Parameter codes are per resource
 * type, so where documents of other types are in reach (several chain targets) the type is tested too.
 */
function onParam(param: ParamRef, condition: Document, types: string[]): Document {
  const entry = { [`idx.${indexField[param.kind]}`]: { $elemMatch: { p: param.code, ...condition } } };
  return types.length === 1 && types[0] === param.resourceType ? entry : { $and: [{ type: param.resourceType }, entry] };
}

/** The conjunction, without empty parts. */
export function and(parts: Document[]): Document {
  const kept = parts.filter((p) => Object.keys(p).length > 0);
  return kept.length === 0 ? {} : kept.length === 1 ? kept[0] : { $and: kept };
}
