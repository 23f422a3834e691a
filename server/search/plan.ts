// The store-neutral query plan a search request compiles to. Each adapter translates it into its own
// query language; nothing here knows SQL or MongoDB. https://hl7.org/fhir/R4/search.html
import type { SearchParameterType } from './indexing/types';

/** Comparison prefixes (https://hl7.org/fhir/R4/search.html#prefix). */
export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';

/** A search value as the half-open range [low, high) its precision implies, with its prefix. */
export interface RangeCondition {
  prefix: Prefix;
  low: number;
  high: number;
}

export type ValueCondition =
  | { type: 'string'; match: 'starts' | 'exact' | 'contains'; value: string }
  | {
      type: 'token';
      /** undefined: any system; null: no system (`|code`). */
      system?: string | null;
      code?: string;
      /** :text, normalised like a string value; matched as starts-with. */
      text?: string;
      /** :of-type on identifiers. */
      typeSystem?: string;
      typeCode?: string;
      /**
       * Any of these codes: what :in, :not-in, :above and :below resolve to. A stored code without a
       * system (a `code` element such as Patient.gender, whose system its binding implies) matches by code.
       */
      codes?: SystemCode[];
    }
  | TerminologyCondition
  | ({ type: 'date' } & RangeCondition)
  | ({ type: 'number' } & RangeCondition & { value: number })
  | ({ type: 'quantity' } & RangeCondition & { value: number; system?: string; code?: string })
  | {
      type: 'reference';
      targetTypes?: string[];
      id?: string;
      url?: string;
      version?: string;
      identifierSystem?: string;
      identifierValue?: string;
    }
  | { type: 'uri'; match: 'eq' | 'above' | 'below'; value: string }
  | { type: 'composite'; parts: ValueCondition[] };

/** A code of a code system. */
export interface SystemCode {
  system: string;
  code: string;
}

/**
 * A token condition the terminology must resolve: :in and :not-in name a ValueSet (a canonical url,
 * `url|version`, or `ValueSet/[id]`); :above and :below a code whose ancestors or descendants match.
 * parseSearch leaves these in the plan; resolveTerminologyFilters (resolve-terminology-filters.ts)
 * turns each into a token condition on `codes` before a store sees the plan. `parameter` is the name
 * as the request gave it, for errors.
 */
export type TerminologyCondition =
  | { type: 'valueSet'; valueSet: string; parameter: string }
  | { type: 'hierarchy'; direction: 'above' | 'below'; system: string; code: string; parameter: string };

/** Which index a parameter's values live in. */
export type IndexKind = Exclude<SearchParameterType, 'special'>;

/** A search parameter of a resource type, as the store knows it. */
export interface ParamRef {
  resourceType: string;
  code: string;
  kind: IndexKind;
}

/**
 * Filters are ANDed; each applies to the resources being searched (the outer type), or, inside a
 * chain or _has, to the resources at the other end of the reference.
 */
export type Filter =
  | { kind: 'id'; ids: string[]; negate?: boolean }
  | { kind: 'lastUpdated'; anyOf: RangeCondition[] }
  /** Any of the conditions on one parameter; negate: none of them (:not, ne on tokens). */
  | { kind: 'param'; param: ParamRef; anyOf: ValueCondition[]; negate?: boolean }
  | { kind: 'missing'; param: ParamRef; missing: boolean }
  /** subject:Patient.name=x: the reference param points at a resource of targetTypes matching `filters`. */
  | { kind: 'chain'; param: ParamRef; targetTypes: string[]; filters: Filter[] }
  /** _has:Observation:patient:code=x: some `source` resource, matching `filters`, refers to this one. */
  | { kind: 'has'; referenceParam: ParamRef; filters: Filter[] }
  /** Any of several filters (a compartment: any of the reference params that put a resource in it). */
  | { kind: 'anyOf'; filters: Filter[] };

export type SortKey =
  | { field: '_id' | '_lastUpdated'; descending: boolean }
  /** `parts`: for a union of parameters (union-parameters.ts), those whose index rows hold its values. */
  | { field: 'param'; param: ParamRef; descending: boolean; parts?: ParamRef[] };

export interface IncludeSpec {
  /** The type whose reference parameter is followed. */
  sourceType: string;
  /** The reference parameters followed ('*' in the request names all of the type's). */
  codes: string[];
  targetType?: string;
  iterate: boolean;
}

export interface SearchPlan {
  resourceType: string;
  filters: Filter[];
  /** Empty means the store's stable insertion order. */
  sort: SortKey[];
  count: number;
  /**
   * Largest page in bytes of its matches' stored JSON: a page that would be larger ends early, with a
   * next cursor, after at least one match. Absent: no limit.
   */
  maxBytes?: number;
  /** Opaque cursor from a previous page's nextCursor. */
  cursor?: string;
  /** 'auto': a total only where it is free (when the first page holds every match). */
  total: 'none' | 'estimate' | 'accurate' | 'auto';
  include: IncludeSpec[];
  revInclude: IncludeSpec[];
  /**
   * What the caller may see (server/fhir/pipeline/restriction.ts): applied by the adapter inside its
   * queries, to the matches, inside chains and _has, and to what _include and _revinclude add, so that
   * pages stay full and totals right. Absent: no restriction.
   */
  restriction?: ResultRestriction;
}

/**
 * The resources a caller may see, as filters per resource type. A resource of a type in `byType` is
 * visible when it matches every filter of its type ([] makes the whole type visible); a resource of
 * any other type is visible when `otherTypes` is 'all'. Plain data, so that it can cross a thread.
 */
export interface ResultRestriction {
  byType: Record<string, Filter[]>;
  otherTypes: 'all' | 'none';
}
