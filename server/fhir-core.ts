// The FHIR core with everything it depends on wired together: the store (observed so terminology caches
// follow writes), the search parameters, the terminology, the interaction settings and the request
// pipeline (hooks, write rules, result restrictions). The HTTP endpoint and in-process callers (start-up
// seeding, the benchmark) run requests through the same core, so data they write is checked and
// indexed exactly alike.
import type { Logger } from 'pino';
import type { SigningKeyRing } from './auth/signing-keys';
import { defaultLimits, type ServerConfig } from './config';
import { invalidateCapabilities } from './fhir/capabilities';
import { handleFhirRequest } from './fhir/dispatch';
import type { Pipeline } from './fhir/pipeline/pipeline';
import type { FhirContext, FhirRequest, FhirResponse } from './fhir/request';
import type { SearchParameterRegistry } from './search/indexing/registry';
import type { ResourceStore, TransactionalOperations } from './store/port';
import { invalidateOnWrite } from './store/invalidate-on-write';
import { watchStoreChanges } from './store/change-watch';
import { VisibilityVerdicts } from './fhir/pipeline/verdict-cache';
import { ValidationPool } from './validation/prevalidated-writes';
import { storeValidator } from './validation/store-validator';

export type CoreConfig = Pick<ServerConfig, 'maxBundleEntries' | 'conditionalDeleteMultiple'> &
  Partial<Pick<ServerConfig, 'unknownProfile' | 'unknownExtension' | 'requiredProfiles' | 'cascadeDelete' | 'limits' | 'auth'>> & { baseUrl: string };

const terminologyTypes = new Set(['CodeSystem', 'ValueSet', 'ConceptMap']);
const profileTypes = new Set(['StructureDefinition']);

export interface FhirCoreDependencies {
  config: CoreConfig;
  store: ResourceStore;
  registry: SearchParameterRegistry;
  /** Hooks, write rules and result restrictions; none by default. */
  pipeline?: Partial<Pipeline>;
  /** The keys history anchors are signed with (server/audit); without them $anchor is not available. */
  signingKeys?: SigningKeyRing;
}

export interface FhirCore {
  /** The context a request of `request.caller` runs in; the logger carries that request's id. */
  context(request: Pick<FhirRequest, 'caller'>, logger: Logger): FhirContext;
  /**
   * The store's commit reading (ResourceStore.commitReading), taken once when a request arrives and
   * given to its token check and to `handle`, which then skip what is unchanged since the last request.
   */
  commitReading(): number | undefined;
  handle(request: FhirRequest, logger: Logger, reading?: number): Promise<FhirResponse>;
  /** The store with the core's cache invalidation, below the pipeline's scoping. */
  readonly store: TransactionalOperations;
  /** Readies what validates off the server's thread (server/validation/prevalidated-writes.ts), if anything does. */
  warmUp(): Promise<void>;
}

export function createFhirCore({ config, store, registry, pipeline = {}, signingKeys }: FhirCoreDependencies): FhirCore {
  const settings = {
    maxBundleEntries: config.maxBundleEntries,
    conditionalDeleteMultiple: config.conditionalDeleteMultiple,
    cascadeDelete: config.cascadeDelete ?? false,
    smartSecurity: config.auth ?? false,
    limits: config.limits ?? defaultLimits,
  };
  // The terminology reads the store's CodeSystems, ValueSets and ConceptMaps, the validator its
  // StructureDefinitions (and the terminology); writes of those through the FHIR core invalidate what
  // each cached.
  const policy = {
    unknownProfile: config.unknownProfile ?? 'error',
    unknownExtension: config.unknownExtension ?? 'warning',
    requiredProfiles: config.requiredProfiles ?? new Map(),
  } as const;
  const { terminology, validator } = storeValidator(store, registry, config.baseUrl, policy);
  // A Bundle's entries are checked on the store's threads, when it has some (server/validation/prevalidated-writes.ts).
  const offThread = store.validateOffThread?.bind(store);
  const validationPool = offThread && new ValidationPool(offThread, (types) => store.changeMarker(types), config.baseUrl, policy);
  const invalidateTerminology = (): void => {
    terminology.invalidate();
    validator.invalidate();
  };
  const observedStore = invalidateOnWrite(invalidateOnWrite(store, terminologyTypes, invalidateTerminology), profileTypes, () => {
    validator.invalidate();
    // The CapabilityStatement lists the stored profiles.
    invalidateCapabilities(observedStore);
  });
  // Kept across requests and checked against the store's change marker (server/fhir/pipeline/verdict-cache.ts).
  const verdicts = new VisibilityVerdicts((types) => store.changeMarker(types));
  const stages: Pipeline = { hooks: pipeline.hooks ?? [], writeRules: pipeline.writeRules ?? [], restrict: pipeline.restrict };
  const context = ({ caller }: Pick<FhirRequest, 'caller'>, logger: Logger): FhirContext => ({
    store: observedStore,
    caller,
    pipeline: {
      hooks: stages.hooks,
      writeRules: stages.writeRules,
      restriction: stages.restrict?.(caller),
      dataStore: observedStore,
      verdicts,
    },
    baseUrl: config.baseUrl,
    logger,
    registry,
    settings,
    terminology,
    validator,
    signingKeys,
    validationPool,
  });
  // Another process sharing the store may have written terminology or profiles since the last request.
  const followOtherProcesses = watchStoreChanges(store, new Set([...terminologyTypes, ...profileTypes]), invalidateTerminology);
  return {
    context,
    commitReading: () => store.commitReading?.(),
    handle: async (request, logger, reading) => {
      await followOtherProcesses(reading);
      return handleFhirRequest(request, context(request, logger));
    },
    store: observedStore,
    warmUp: async () => {
      await validationPool?.warmUp();
    },
  };
}
