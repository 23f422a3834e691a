// The FHIR core with everything it depends on wired together: the store (observed so terminology caches
// follow writes), the search parameters, the terminology and the interaction settings. The HTTP endpoint
// and in-process callers (start-up seeding, the benchmark) run requests through the same core, so data
// they write is checked and indexed exactly alike.
import type { Logger } from 'pino';
import { defaultLimits, type ServerConfig } from './config';
import { handleFhirRequest } from './fhir/dispatch';
import type { FhirContext, FhirRequest, FhirResponse } from './fhir/request';
import { isResourceType } from './fhir/resource-definitions';
import type { SearchParameterRegistry } from './search/indexing/registry';
import type { ResourceStore } from './store/port';
import { createStoreTerminology } from './terminology/local-terminology';
import { invalidateOnWrite } from './store/invalidate-on-write';
import { watchStoreChanges } from './store/change-watch';
import { ResourceValidator } from './validation/resource-validator';
import { structureDefinitionLookup } from './validation/structure-definitions';

export type CoreConfig = Pick<ServerConfig, 'maxBundleEntries' | 'conditionalDeleteMultiple'> &
  Partial<Pick<ServerConfig, 'unknownProfile' | 'requiredProfiles' | 'limits'>> & { baseUrl: string };

const terminologyTypes = new Set(['CodeSystem', 'ValueSet', 'ConceptMap']);
const profileTypes = new Set(['StructureDefinition']);

export interface FhirCoreDependencies {
  config: CoreConfig;
  store: ResourceStore;
  registry: SearchParameterRegistry;
}

export interface FhirCore {
  /** The context one request runs in; the logger carries that request's id. */
  context(logger: Logger): FhirContext;
  handle(request: FhirRequest, logger: Logger): Promise<FhirResponse>;
}

export function createFhirCore({ config, store, registry }: FhirCoreDependencies): FhirCore {
  const settings = {
    maxBundleEntries: config.maxBundleEntries,
    conditionalDeleteMultiple: config.conditionalDeleteMultiple,
    limits: config.limits ?? defaultLimits,
  };
  // The terminology reads the store's CodeSystems, ValueSets and ConceptMaps, the validator its
  // StructureDefinitions (and the terminology); writes of those through the FHIR core invalidate what
  // each cached.
  const searchContext = { registry, baseUrl: config.baseUrl, isResourceType };
  const terminology = createStoreTerminology(store, searchContext);
  const validator = new ResourceValidator(structureDefinitionLookup(store, searchContext), terminology, {
    unknownProfile: config.unknownProfile ?? 'error',
    requiredProfiles: config.requiredProfiles ?? new Map(),
  });
  const invalidateTerminology = (): void => {
    terminology.invalidate();
    validator.invalidate();
  };
  const observedStore = invalidateOnWrite(
    invalidateOnWrite(store, terminologyTypes, invalidateTerminology),
    profileTypes,
    () => validator.invalidate()
  );
  const context = (logger: Logger): FhirContext => ({
    store: observedStore,
    baseUrl: config.baseUrl,
    logger,
    registry,
    settings,
    terminology,
    validator,
  });
  // Another process sharing the store may have written terminology or profiles since the last request.
  const followOtherProcesses = watchStoreChanges(store, new Set([...terminologyTypes, ...profileTypes]), invalidateTerminology);
  return {
    context,
    handle: async (request, logger) => {
      await followOtherProcesses();
      return handleFhirRequest(request, context(logger));
    },
  };
}
