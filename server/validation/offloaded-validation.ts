// Validation of a Bundle's entries off the server's thread (docs/performance.md, "Transaction ingest"):
// what crosses to a thread that has its own read connection to the store, and the validators such a
// thread keeps. A thread answers with the same checks a write runs on the server's thread (the base JSON
// schema, then the profiles, bindings and extensions: server/fhir/validate-write.ts), each keyed by the
// JSON text of what it checked and by the store's marker of the validator's sources, so that the writer
// uses a verdict only for exactly that content checked against exactly those profiles and terminology.
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { rewriteReferences } from '../fhir/bundle/reference-rewrite';
import { isErrorIssue } from '../outcomes';
import { extractPlannedIndex, type PlannedIndex } from '../search/indexing/planned-extraction';
import { SearchParameterRegistry } from '../search/indexing/registry';
import type { StoreOperations } from '../store/port';
import type { LocalTerminology } from '../terminology/local-terminology';
import { validateBaseSchema } from './base-schema';
import type { ResourceValidator, ValidationPolicy } from './resource-validator';
import { storeValidator } from './store-validator';

/**
 * The resource types a validator's verdict depends on besides the resource itself: its profiles and
 * extensions (StructureDefinition) and the terminology of its bindings.
 */
export const validatorSources: readonly string[] = ['CodeSystem', 'ConceptMap', 'StructureDefinition', 'ValueSet'];

/** The validator's settings as they cross to a thread: plain data (a Map becomes its entries). */
export interface ValidatorSettings {
  baseUrl: string;
  unknownProfile: ValidationPolicy['unknownProfile'];
  unknownExtension: ValidationPolicy['unknownExtension'];
  requiredProfiles: [string, string[]][];
}

export interface ValidationRequest {
  settings: ValidatorSettings;
  /** Reference text -> what a transaction is planned to rewrite it to, applied to each body before it is checked. */
  rewrites: [string, string][];
  bodies: unknown[];
}

/** What a write's checks said of one resource, with the JSON text of the resource they checked. */
export interface ValidationVerdict {
  text: string;
  /** The base schema's issues; when there are any, the profiles were not checked (the write fails with 400). */
  schemaIssues: OperationOutcomeIssue[];
  /** The validator's errors and warnings (ResourceValidator.writeIssues). */
  issues: OperationOutcomeIssue[];
  /**
   * For a resource that passed, on a store that asked for it: its index entries that do not depend on
   * what the store sets (search/indexing/planned-extraction.ts), which the store's writer takes instead
   * of extracting them when it stores that very text.
   */
  index?: PlannedIndex;
}

export interface ValidationAnswer {
  /** The store's change marker of validatorSources the verdicts were reached under. */
  marker: string;
  /** Per body, in order; undefined for one the thread could not check (the writer checks it itself). */
  verdicts: (ValidationVerdict | undefined)[];
}

/**
 * The validator of a thread: built over the thread's own store operations, forgotten with its caches
 * when the store's marker of validatorSources moves (a write by this process or another) or the
 * settings differ. `marker` must read the same snapshot `store` reads (one read transaction per request).
 */
export class ThreadValidators {
  private current: { key: string; marker: string; validator: ResourceValidator; terminology: LocalTerminology } | undefined;
  // Only the base parameters are needed: the lookups search the canonical types by url and version.
  private readonly registry = new SearchParameterRegistry([]);

  /** `indexing`: the store's indexer's registry, when the store takes entries extracted here. */
  constructor(
    private readonly store: Pick<StoreOperations, 'search'>,
    private readonly marker: () => string,
    private readonly indexing?: SearchParameterRegistry
  ) {}

  async validate(request: ValidationRequest): Promise<ValidationAnswer> {
    const marker = this.marker();
    const validator = this.validatorFor(request.settings, marker);
    const rewrites = new Map(request.rewrites);
    const verdicts: (ValidationVerdict | undefined)[] = [];
    for (const body of request.bodies) {
      verdicts.push(await verdictOf(body, rewrites, validator, this.indexing));
    }
    return { marker, verdicts };
  }

  private validatorFor(settings: ValidatorSettings, marker: string): ResourceValidator {
    const key = JSON.stringify(settings);
    if (this.current?.key === key && this.current.marker === marker) {
      return this.current.validator;
    }
    if (this.current?.key === key) {
      // The same validator with its caches dropped, as the server's thread does on such a write.
      this.current.terminology.invalidate();
      this.current.validator.invalidate();
      this.current.marker = marker;
      return this.current.validator;
    }
    const { terminology, validator } = storeValidator(this.store, this.registry, settings.baseUrl, {
      unknownProfile: settings.unknownProfile,
      unknownExtension: settings.unknownExtension,
      requiredProfiles: new Map(settings.requiredProfiles),
    });
    this.current = { key, marker, validator, terminology };
    return validator;
  }
}

async function verdictOf(
  body: unknown,
  rewrites: ReadonlyMap<string, string>,
  validator: ResourceValidator,
  indexing: SearchParameterRegistry | undefined
): Promise<ValidationVerdict | undefined> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return undefined;
  }
  rewriteReferences(body, (reference) => rewrites.get(reference), 'resource');
  const text = JSON.stringify(body);
  try {
    const schemaIssues = validateBaseSchema(body);
    // The server's thread refuses a body with schema issues before its profiles are checked.
    const issues = schemaIssues.length ? [] : await validator.writeIssues(body as never);
    // Extracted only for a write that will be stored: a refused one never reaches the index.
    const passes = !schemaIssues.length && !issues.some(isErrorIssue);
    return { text, schemaIssues, issues, ...(passes && indexing ? { index: extractPlannedIndex(body as Resource, indexing, text) } : {}) };
  } catch {
    // Whatever went wrong here goes wrong again on the writer's thread, which reports it as it always has.
    return undefined;
  }
}

export function validatorSettings(baseUrl: string, policy: ValidationPolicy): ValidatorSettings {
  return {
    baseUrl,
    unknownProfile: policy.unknownProfile,
    unknownExtension: policy.unknownExtension,
    requiredProfiles: [...policy.requiredProfiles].map(([type, urls]) => [type, [...urls]]),
  };
}
