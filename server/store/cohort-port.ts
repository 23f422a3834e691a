// The store-neutral aggregation request behind the management figures (server/workflows/kpi/): for the
// patients of a population, per patient, how many coded resources fall in a period and the latest coded
// resource's values in it. Each adapter answers it over its search indexes (SQLite: the idx_* tables,
// sqlite/cohort-sql.ts; MongoDB: an aggregation over the `idx` entries, mongo/cohort-pipeline.ts), so no
// resource is ever parsed: one row per patient leaves the store, never an Observation.
import type { SystemCode } from '../search/plan';

/** Current resources of a type with one of `codes` in token parameter `codeParam`, for the patient their reference parameter `patientParam` names. */
export interface CodedResources {
  resourceType: string;
  /** A reference parameter whose Patient target is the patient the resource is about ('subject', 'patient'). */
  patientParam: string;
  /** A token parameter ('code'). */
  codeParam: string;
  codes: SystemCode[];
  /** Only the resources passing every test (e.g. a Condition's clinical status active, or absent and not abated). */
  require?: TokenTest[];
  /** Only the resources with none of these codes (e.g. a Condition's verification status entered-in-error). */
  exclude?: TokenCodes[];
}

/** One of `codes` in a token parameter. */
export interface TokenCodes {
  param: string;
  codes: SystemCode[];
}

/** A search parameter a resource may have no value for, with the kind of index its values go to. */
export interface IndexedParam {
  param: string;
  type: 'token' | 'date' | 'quantity' | 'string';
}

/** The resource has one of `anyOf`'s codes or, when `orWithout` is given, no value at all for any of those parameters. */
export interface TokenTest {
  anyOf: TokenCodes;
  orWithout?: IndexedParam[];
}

/** A half-open instant range [low, high) in ms since epoch. */
export interface InstantPeriod {
  low: number;
  high: number;
}

export interface CohortCount {
  /** The name the row reports the count under. */
  name: string;
  source: CodedResources;
  /** A date parameter whose low bound must fall in `period` ('date'). */
  dateParam: string;
  period: InstantPeriod;
}

/** A value of the latest resource: a quantity parameter's value, or a composite (code, quantity) parameter's value for one code. */
export type CohortValue =
  | { name: string; kind: 'quantity'; param: string }
  | { name: string; kind: 'component'; param: string; code: SystemCode };

export interface CohortLatest {
  name: string;
  source: CodedResources;
  /** A date parameter: the latest is the one with the greatest low bound in `period` (ties: the last written). */
  dateParam: string;
  period: InstantPeriod;
  values: CohortValue[];
}

export interface CohortQuery {
  /** The patients that a current resource of `population` refers to (a Condition with a disease's code), counted once each. */
  population: CodedResources;
  /** Only the population's patients whose Patient reference parameter `param` points at one of `targets` (e.g. 'organization'). */
  within?: { param: string; targets: { resourceType: string; id: string }[] };
  /** Only the population's patients with these ids (a Group's members). */
  patients?: string[];
  /** A Patient reference parameter whose target id each row reports as `group` ('organization': the managing organization). */
  groupParam: string;
  /** A Patient date parameter whose low bound each row reports as `birthDate` ('birthdate'). */
  birthDateParam: string;
  counts: CohortCount[];
  latest: CohortLatest[];
}

export interface CohortLatestValue {
  /** The date parameter's low bound of the latest resource (ms). */
  at: number;
  /** Its values by CohortValue name; a value the resource lacks is absent. */
  values: Record<string, number>;
}

/** One patient of the population (existing, not deleted); the store returns them ordered by patient id. */
export interface CohortRow {
  patientId: string;
  group?: string;
  birthDate?: number;
  /** Every count of the query, 0 when nothing matched. */
  counts: Record<string, number>;
  /** The latest of each CohortLatest by name; absent when the patient has none in the period. */
  latest: Record<string, CohortLatestValue>;
}
