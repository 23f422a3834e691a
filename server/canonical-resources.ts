// How terminology and validation find the conformance resources they need (CodeSystems, ValueSets,
// ConceptMaps, StructureDefinitions) by canonical url and a few other parameters, without knowing
// search plans or the store: the core hands them an implementation (canonical-lookup.ts).
import type { Resource } from '@medplum/fhirtypes';

export interface CanonicalResources {
  /**
   * Current resources of `resourceType` matching every (search parameter, value) pair, each value
   * matched as written (no search syntax applies inside it), at most `limit` of them.
   */
  find<T extends Resource>(resourceType: string, criteria: readonly (readonly [string, string])[], limit: number): Promise<T[]>;
}
