// The terminology operations the server offers (https://hl7.org/fhir/R4/terminology-service.html) as an
// interface, so that the FHIR operations, search modifiers and binding validation depend on it and not
// on one implementation. LocalTerminology (local-terminology.ts) is the implementation over a
// TerminologySource. Requests and results are plain objects; the HTTP layer turns them into Parameters.
import type {
  CodeableConcept,
  CodeSystemConceptProperty,
  Coding,
  ConceptMap,
  ConceptMapGroupElementTarget,
  ValueSet,
} from '@medplum/fhirtypes';
import type { CodeSystemIndex } from './concept-index';
import type { Designation } from './designations';
import type { CodeSystemRef, ValueSetRef } from './terminology-cache';

export type { CodeSystemRef, ValueSetRef } from './terminology-cache';

export type ConceptMapRef = { url: string; version?: string } | { resource: ConceptMap };

/** $expand (https://hl7.org/fhir/R4/valueset-operation-expand.html). */
export interface ExpandRequest {
  valueSet: ValueSetRef;
  /** Text typed by a user: Chinese matches anywhere, other words at the start of a word (text-match.ts). */
  filter?: string;
  offset?: number;
  count?: number;
  activeOnly?: boolean;
  /** Leave out abstract (notSelectable) concepts. */
  excludeNotForUI?: boolean;
  /** BCP-47 tag: a designation in this language becomes contains.display. */
  displayLanguage?: string;
  includeDesignations?: boolean;
  /** Keep ValueSet.compose in the result. */
  includeDefinition?: boolean;
}

/** $lookup (https://hl7.org/fhir/R4/codesystem-operation-lookup.html). */
export interface LookupRequest {
  codeSystem: CodeSystemRef;
  code: string;
  displayLanguage?: string;
  /** The properties wanted; all of them when absent. */
  properties?: string[];
}

export type PropertyValue = Omit<CodeSystemConceptProperty, 'id' | 'extension' | 'modifierExtension' | 'code'>;

export interface LookupProperty {
  code: string;
  value: PropertyValue;
  /** The display of a related concept (parent, child). */
  description?: string;
}

export interface LookupResult {
  /** The code system's title or name. */
  name: string;
  version?: string;
  display: string;
  abstract: boolean;
  designations: Designation[];
  properties: LookupProperty[];
}

/** $validate-code on a ValueSet (https://hl7.org/fhir/R4/valueset-operation-validate-code.html). */
export interface ValidateCodeRequest {
  valueSet: ValueSetRef;
  /** One of coding and codeableConcept (a code and system are given as a Coding). */
  coding?: Coding;
  codeableConcept?: CodeableConcept;
  displayLanguage?: string;
  /** false: abstract codes are not valid. */
  abstract?: boolean;
  /** true: inactive codes are not valid. */
  activeOnly?: boolean;
}

/** $validate-code on a CodeSystem (https://hl7.org/fhir/R4/codesystem-operation-validate-code.html). */
export interface CodeSystemValidateCodeRequest {
  codeSystem: CodeSystemRef;
  coding?: Coding;
  codeableConcept?: CodeableConcept;
  displayLanguage?: string;
  abstract?: boolean;
}

export interface ValidateCodeResult {
  result: boolean;
  /** Why the result is false; with result true, a warning (an inactive code). */
  message?: string;
  /** The display of the code (in displayLanguage when it has one). */
  display?: string;
}

/** $subsumes (https://hl7.org/fhir/R4/codesystem-operation-subsumes.html). */
export interface SubsumesRequest {
  codeSystem: CodeSystemRef;
  codeA: string;
  codeB: string;
  /** The request parameters that carried A and B, for error messages; codeA and codeB by default. */
  parameterNames?: [string, string];
}

export type SubsumptionOutcome = 'equivalent' | 'subsumes' | 'subsumed-by' | 'not-subsumed';

/** $translate (https://hl7.org/fhir/R4/conceptmap-operation-translate.html). */
export interface TranslateRequest {
  /** The map to use; without it, every map with a group from (reverse: to) the coding's system. */
  conceptMap?: ConceptMapRef;
  /** The codes to translate (a code and system, a Coding, or each Coding of a CodeableConcept). */
  codings: Coding[];
  /** The ValueSet the code was chosen from: maps that name another source ValueSet are not used. */
  source?: string;
  /** The ValueSet a translation is sought in: only codes of it are returned. */
  target?: string;
  targetSystem?: string;
  /** Translate from the maps' targets back to their sources. */
  reverse?: boolean;
}

export interface TranslateMatch {
  equivalence: NonNullable<ConceptMapGroupElementTarget['equivalence']>;
  /** Absent for unmatched. */
  concept?: Coding;
  /** The url of the ConceptMap that gave the match. */
  source?: string;
  comment?: string;
}

export interface TranslateResult {
  /** True when some match is neither unmatched nor disjoint. */
  result: boolean;
  message?: string;
  matches: TranslateMatch[];
}

/** The codes of a ValueSet, for search modifiers (:in, :not-in) and binding checks. */
export interface ValueSetMembers {
  readonly size: number;
  has(system: string, code: string): boolean;
  /** A member's flags, by system and code, or by code alone (a `code` element has no system); undefined if not a member. */
  find(system: string | undefined, code: string): { abstract: boolean; inactive: boolean } | undefined;
  codes(): { system: string; code: string; version?: string }[];
}

export interface TerminologyService {
  expand(request: ExpandRequest): Promise<ValueSet>;
  lookup(request: LookupRequest): Promise<LookupResult>;
  validateCode(request: ValidateCodeRequest): Promise<ValidateCodeResult>;
  validateCodeInCodeSystem(request: CodeSystemValidateCodeRequest): Promise<ValidateCodeResult>;
  subsumes(request: SubsumesRequest): Promise<SubsumptionOutcome>;
  translate(request: TranslateRequest): Promise<TranslateResult>;
  /** The expansion of a ValueSet as a set: cached, so "is S|C in V" costs a Map lookup once warm. */
  valueSetMembers(valueSet: ValueSetRef): Promise<ValueSetMembers>;
  /** A code system's index (codes, hierarchy), or undefined if unknown: for :above/:below. */
  codeSystem(url: string, version?: string): Promise<CodeSystemIndex | undefined>;
  /** Forget everything cached: call after a CodeSystem, ValueSet or ConceptMap is written. */
  invalidate(): void;
}
