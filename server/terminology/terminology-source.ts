// Where the terminology engine reads CodeSystems, ValueSets and ConceptMaps from
// (https://hl7.org/fhir/R4/terminology-service.html). The engine caches what it reads, so a source is
// asked once per canonical until the cache is invalidated; a store query per question is fine.
import type { CodeSystem, ConceptMap, ValueSet } from '@medplum/fhirtypes';

/** Which ConceptMaps to return; every criterion given must hold. */
export interface ConceptMapCriteria {
  url?: string;
  /** The source ValueSet (ConceptMap.sourceUri or sourceCanonical). */
  source?: string;
  /** The target ValueSet (ConceptMap.targetUri or targetCanonical). */
  target?: string;
  /** A group's source system (ConceptMap.group.source). */
  sourceSystem?: string;
  /** A group's target system (ConceptMap.group.target). */
  targetSystem?: string;
}

export interface TerminologySource {
  /** The CodeSystem with this url: the given version, or the latest one known. */
  codeSystem(url: string, version?: string): Promise<CodeSystem | undefined>;
  valueSet(url: string, version?: string): Promise<ValueSet | undefined>;
  conceptMaps(criteria: ConceptMapCriteria): Promise<ConceptMap[]>;
}

/** Whether a ConceptMap meets every criterion given. */
export function conceptMapMatches(map: ConceptMap, criteria: ConceptMapCriteria): boolean {
  const groups = map.group ?? [];
  return (
    (criteria.url === undefined || map.url === criteria.url) &&
    (criteria.source === undefined || (map.sourceUri ?? map.sourceCanonical) === criteria.source) &&
    (criteria.target === undefined || (map.targetUri ?? map.targetCanonical) === criteria.target) &&
    (criteria.sourceSystem === undefined || groups.some((g) => g.source === criteria.sourceSystem)) &&
    (criteria.targetSystem === undefined || groups.some((g) => g.target === criteria.targetSystem))
  );
}
