// The terminology service of this server: every operation answered locally from a TerminologySource
// (the store, then the base R4 definitions), with code system indexes and expansions cached until
// invalidate(). createStoreTerminology builds the one the app uses.
import type { ValueSet } from '@medplum/fhirtypes';
import type { CanonicalResources } from '../canonical-resources';
import { BaseDefinitionsSource } from './base-definitions-source';
import type { CodeSystemIndex } from './concept-index';
import { expandValueSet } from './expand-value-set';
import { itemKey } from './expansion';
import { LayeredTerminologySource } from './layered-source';
import { lookupCode } from './lookup-code';
import { StoreTerminologySource } from './store-source';
import { subsumes } from './subsumes';
import { TerminologyCache, type TerminologyLimits } from './terminology-cache';
import type {
  CodeSystemValidateCodeRequest,
  ExpandRequest,
  LookupRequest,
  LookupResult,
  SubsumesRequest,
  SubsumptionOutcome,
  TerminologyService,
  TranslateRequest,
  TranslateResult,
  ValidateCodeRequest,
  ValidateCodeResult,
  ValueSetMembers,
  ValueSetRef,
} from './terminology-service';
import type { TerminologySource } from './terminology-source';
import { translateCode } from './translate-code';
import { validateCodeInCodeSystem, validateCodeInValueSet } from './validate-code';

export const defaultTerminologyLimits: TerminologyLimits = { maxExpansionSize: 100_000 };

export class LocalTerminology implements TerminologyService {
  private readonly cache: TerminologyCache;

  constructor(source: TerminologySource, limits: TerminologyLimits = defaultTerminologyLimits) {
    this.cache = new TerminologyCache(source, limits);
  }

  expand(request: ExpandRequest): Promise<ValueSet> {
    return expandValueSet(this.cache, request);
  }

  lookup(request: LookupRequest): Promise<LookupResult> {
    return lookupCode(this.cache, request);
  }

  validateCode(request: ValidateCodeRequest): Promise<ValidateCodeResult> {
    return validateCodeInValueSet(this.cache, request);
  }

  validateCodeInCodeSystem(request: CodeSystemValidateCodeRequest): Promise<ValidateCodeResult> {
    return validateCodeInCodeSystem(this.cache, request);
  }

  subsumes(request: SubsumesRequest): Promise<SubsumptionOutcome> {
    return subsumes(this.cache, request);
  }

  translate(request: TranslateRequest): Promise<TranslateResult> {
    return translateCode(this.cache, request);
  }

  async valueSetMembers(valueSet: ValueSetRef): Promise<ValueSetMembers> {
    const { base } = await this.cache.expansion(valueSet);
    return {
      size: base.items.length,
      has: (system, code) => base.byKey.has(itemKey(system, code)),
      find: (system, code) => {
        const item = system === undefined ? base.items.find((i) => i.code === code) : base.byKey.get(itemKey(system, code));
        return item && { abstract: item.abstract, inactive: item.inactive };
      },
      codes: () => base.items.map(({ system, code, version }) => ({ system, code, ...(version !== undefined ? { version } : {}) })),
    };
  }

  codeSystem(url: string, version?: string): Promise<CodeSystemIndex | undefined> {
    return this.cache.codeSystem(url, version);
  }

  invalidate(): void {
    this.cache.invalidate();
  }
}

/** The server's terminology: the store's CodeSystems, ValueSets and ConceptMaps first, the base R4 ones second. */
export function createStoreTerminology(canonicals: CanonicalResources, baseUrl: string): LocalTerminology {
  const layers = [new StoreTerminologySource(canonicals, baseUrl), new BaseDefinitionsSource()];
  return new LocalTerminology(new LayeredTerminologySource(layers));
}
