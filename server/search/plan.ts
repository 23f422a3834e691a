// The store-neutral query plan a search request compiles to. Each adapter translates it into its own
// query language; nothing here knows SQL or MongoDB. https://hl7.org/fhir/R4/search.html

/** Date comparison prefixes (https://hl7.org/fhir/R4/search.html#prefix). */
export type DatePrefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';

/** A search date value as the half-open instant range [low, high) its precision implies, in ms since epoch. */
export interface DateCondition {
  prefix: DatePrefix;
  low: number;
  high: number;
}

/** Filters are ANDed; the alternatives inside one filter (comma-separated values) are ORed. */
export type Filter =
  | { kind: 'id'; ids: string[] }
  | { kind: 'lastUpdated'; anyOf: DateCondition[] };

export type SortField = '_id' | '_lastUpdated';

export interface SortKey {
  field: SortField;
  descending: boolean;
}

export interface SearchPlan {
  resourceType: string;
  filters: Filter[];
  /** Empty means the store's stable insertion order. */
  sort: SortKey[];
  count: number;
  /** Opaque cursor from a previous page's nextCursor. */
  cursor?: string;
  total: 'none' | 'estimate' | 'accurate';
}
