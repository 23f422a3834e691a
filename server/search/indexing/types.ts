// The index entries a resource yields at write time, one list per search parameter type, flat and
// store-neutral: each adapter writes them into its own index tables. https://hl7.org/fhir/R4/search.html

/** https://hl7.org/fhir/R4/valueset-search-param-type.html */
export type SearchParameterType =
  | 'number'
  | 'date'
  | 'string'
  | 'token'
  | 'reference'
  | 'composite'
  | 'quantity'
  | 'uri'
  | 'special';

/** The part of a SearchParameter resource that indexing and planning need. */
export interface SearchParameterDef {
  /** Canonical URL; composites name their components by it. */
  url: string;
  /** The name used in a query, e.g. 'birthdate' or '_tag'. */
  code: string;
  type: SearchParameterType;
  /** FHIRPath, as published (may be a union over several resource types). */
  expression: string;
  /** The resource types it applies to ('Resource' for _tag, _profile, _security, _source). */
  base: string[];
  /** For reference parameters: the resource types a reference may point to. */
  target?: string[];
  /** For composites: each component's SearchParameter URL and its FHIRPath relative to the composite's value. */
  components?: { definition: string; expression: string }[];
  /**
   * A token parameter whose system|code values identify one resource of the type: marked in profiles/ by
   * the extension `uniqueSearchParameterExtension`; the store refuses a second current resource with one.
   */
  unique?: boolean;
}

/** Marks a SearchParameter whose values are unique among the current resources of a type (valueBoolean true). */
export const uniqueSearchParameterExtension = 'https://fhir.dhc.example/StructureDefinition/unique-search-parameter';

/**
 * A string value, normalised for the default "starts with, case- and accent-insensitive" match: lower case,
 * combining accents removed (NFD then stripped; other scripts such as Chinese kept as they are), whitespace
 * collapsed to one space and trimmed. Use `normalizeSearchString` on the query side too.
 */
export interface StringValue {
  value: string;
  /** The text as written, for :exact (case, accents and spacing count). */
  exact: string;
}

/**
 * A token. `system`/`code` are what `[system]|[code]` matches: Coding system|code, Identifier system|value,
 * ContactPoint value (no system: R4 matches telecom on the value only), and code/boolean/id/string/uri
 * primitives as code alone (booleans as 'true'/'false').
 */
export interface TokenValue {
  system?: string;
  code?: string;
  /**
   * For :text, normalised like a string value: Coding.display, CodeableConcept.text (on its own entry without
   * system and code) or Identifier.type.text.
   */
  text?: string;
  /**
   * For :of-type on Identifier (`type-system|type-code|value`): the identifier's type coding. An identifier
   * yields one entry without these fields, plus one entry per type coding with them; in both, `system` and
   * `code` are the identifier's system and value.
   */
  typeSystem?: string;
  typeCode?: string;
}

/** A date as the half-open instant range [low, high) its precision covers, ms since epoch; see dateRange. */
export interface DateValue {
  low: number;
  high: number;
}

/**
 * A number as the half-open range [low, high) of its implicit precision (100 -> [99.5, 100.5)). The number of
 * decimals is the value's own: a trailing zero in the JSON (1.50) is lost when the JSON is parsed. A Range
 * spans low..high; an open end is -/+Number.MAX_VALUE.
 */
export interface NumberValue {
  /** The number itself, for a single value (absent for a Range). */
  value?: number;
  low: number;
  high: number;
}

/**
 * A quantity as given plus, where its UCUM unit is in our small conversion table (ucum-canonical.ts), the same
 * in a canonical unit so that `5.4|http://unitsofmeasure.org|mmol/L` also finds 5400 umol/L.
 */
export interface QuantityValue {
  /** The stated value; absent for a Range. */
  value?: number;
  /**
   * Implicit precision range of the value (see NumberValue). A comparator opens one end: '<5' is
   * [-Number.MAX_VALUE, 5), '<=5' [-Number.MAX_VALUE, 5.5), '>5' [5, Number.MAX_VALUE), '>=5' [4.5, Number.MAX_VALUE).
   */
  low: number;
  high: number;
  system?: string;
  code?: string;
  /** The human unit as written (Quantity.unit), for a `||unit` search without system. */
  unit?: string;
  canonicalCode?: string;
  canonicalValue?: number;
  canonicalLow?: number;
  canonicalHigh?: number;
}

/**
 * Where a reference points: a Reference, a canonical, a uri, or an inline resource.
 * - 'Patient/123' (and '.../_history/2'): targetType, targetId (and version).
 * - An absolute URL: url as written, plus targetType/targetId when it ends in [Type]/[id] of a known type, so
 *   the planner can match it as local when url starts with this server's base.
 * - A canonical 'http://x/ValueSet/y|1.0': url 'http://x/ValueSet/y' and version '1.0'.
 * - Reference.identifier (for :identifier): identifierSystem, identifierValue; Reference.type fills targetType.
 * Contained references ('#x') are not indexed.
 */
export interface ReferenceValue {
  targetType?: string;
  targetId?: string;
  version?: string;
  url?: string;
  identifierSystem?: string;
  identifierValue?: string;
}

/** A uri, url, canonical, oid or uuid exactly as written. */
export interface UriValue {
  value: string;
}

/** One component of a composite value, tagged with the component parameter's type. */
export type CompositePart =
  | ({ type: 'token' } & TokenValue)
  | ({ type: 'quantity' } & QuantityValue)
  | ({ type: 'date' } & DateValue)
  | ({ type: 'number' } & NumberValue)
  | ({ type: 'string' } & StringValue)
  | ({ type: 'reference' } & ReferenceValue)
  | ({ type: 'uri' } & UriValue);

/** A composite value: one part per component, in the order the SearchParameter lists them. */
export interface CompositeValue {
  parts: CompositePart[];
}

/** Every entry names the parameter (its `code`) it indexes. */
export type Entry<V> = { param: string } & V;

/** All index entries of one resource, deduplicated. */
export interface IndexEntries {
  strings: Entry<StringValue>[];
  tokens: Entry<TokenValue>[];
  dates: Entry<DateValue>[];
  numbers: Entry<NumberValue>[];
  quantities: Entry<QuantityValue>[];
  references: Entry<ReferenceValue>[];
  uris: Entry<UriValue>[];
  /**
   * One entry per combination of component values inside one value of the composite's expression: for
   * Observation component-code-value-quantity, each component's code with that same component's value.
   */
  composites: Entry<CompositeValue>[];
  /**
   * Values of unique parameters (SearchParameterDef.unique), also in `tokens`: the store refuses the write
   * (409, naming the holder) when another current resource of the type already has one of them.
   */
  unique?: UniqueValue[];
}

export interface UniqueValue {
  param: string;
  system: string;
  code: string;
}

/** Extracts the search index entries of a resource; store adapters call it on every write of a current version. */
export interface ResourceIndexer {
  (resource: import('@medplum/fhirtypes').Resource): IndexEntries;
  /**
   * Present on the server's indexer (resource-indexer.ts): what builds the same indexer on another
   * thread, and the entries of the parameters that read what the store sets on a version
   * (planned-extraction.ts), for a store that takes the others extracted ahead of the write.
   */
  split?: {
    definition: import('./registry').RegistryDefinition;
    storeSetEntries(stored: import('@medplum/fhirtypes').Resource): IndexEntries;
  };
}
