// The validator over a store: its profiles and extensions are the store's StructureDefinitions, its
// bindings the store's terminology, each read through one canonical lookup. The FHIR core builds one
// on the server's thread, and each validating read thread its own (offloaded-validation.ts).
import { createCanonicalLookup } from '../canonical-lookup';
import { isResourceType } from '../fhir/resource-definitions';
import type { SearchParameterRegistry } from '../search/indexing/registry';
import type { StoreOperations } from '../store/port';
import { createStoreTerminology, type LocalTerminology } from '../terminology/local-terminology';
import { ResourceValidator, type ValidationPolicy } from './resource-validator';
import { structureDefinitionLookup } from './structure-definitions';

export function storeValidator(
  store: Pick<StoreOperations, 'search'>,
  registry: SearchParameterRegistry,
  baseUrl: string,
  policy: ValidationPolicy
): { terminology: LocalTerminology; validator: ResourceValidator } {
  const canonicals = createCanonicalLookup(store, { registry, baseUrl, isResourceType });
  const terminology = createStoreTerminology(canonicals, baseUrl);
  return { terminology, validator: new ResourceValidator(structureDefinitionLookup(canonicals), terminology, policy) };
}
