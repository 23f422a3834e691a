// Validation of resources beyond the JSON schema: each profile a resource claims in meta.profile (and any
// a $validate caller names), or else the base StructureDefinition of its type, is compiled once and
// cached; the resource is walked along it (invariants of every element and data type at every depth,
// the narrative), the coded values under required and extensible bindings are checked with the
// terminology service, the extensions against their definitions, and a Bundle against the Bundle rules.
// The network's policy decides what an unknown profile or extension means and which profiles a
// resource type must claim.
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { isErrorIssue, unprocessable } from '../outcomes';
import { parseCanonical } from '../terminology/canonical';
import type { TerminologyService } from '../terminology/terminology-service';
import { checkBindings, type UncheckableValueSets } from './binding-check';
import { bundleIssues } from './bundle-rules';
import { compileProfile, type CompiledProfile, type DefinitionLookup } from './compiled-profile';
import { BoundedCache } from '../terminology/bounded-cache';
import { checkExtensions, type ExtensionDefinitions } from './extension-check';
import { walkProfile, type WalkResult } from './profile-walker';

export interface ValidationPolicy {
  /** A claimed profile the server does not know: refused (error) or accepted with a warning. */
  unknownProfile: 'error' | 'warning';
  /** An extension without a known definition, or outside its definition's context: refused (error) or a warning. */
  unknownExtension: 'error' | 'warning';
  /** Per resource type, the profiles of which every such resource must claim at least one. */
  requiredProfiles: ReadonlyMap<string, readonly string[]>;
}

export const defaultValidationPolicy: ValidationPolicy = { unknownProfile: 'error', unknownExtension: 'warning', requiredProfiles: new Map() };

const hl7StructureDefinition = 'http://hl7.org/fhir/StructureDefinition/';

type Compiled = { profile: CompiledProfile } | { problem: string } | undefined;

export class ResourceValidator {
  private readonly compiled = new Map<string, Promise<Compiled>>();
  private readonly uncheckable: UncheckableValueSets = new Map();
  private readonly extensionDefinitions: ExtensionDefinitions = new BoundedCache(10_000);

  constructor(
    private readonly lookup: DefinitionLookup,
    private readonly terminology: TerminologyService,
    private readonly policy: ValidationPolicy = defaultValidationPolicy
  ) {}

  /**
   * Every issue (errors, warnings, information) with the profiles the resource claims and `extraProfiles`;
   * a resource checked against none of them is checked against the base definition of its type.
   */
  async validate(resource: Resource, extraProfiles: readonly string[] = []): Promise<OperationOutcomeIssue[]> {
    // $validate reaches here after the base schema's issues too: a meta.profile that is not an array of
    // strings has been reported there, and claims nothing.
    const profiles: unknown = resource.meta?.profile;
    const claimed = Array.isArray(profiles) ? profiles.filter((p): p is string => typeof p === 'string') : [];
    const issues = this.requiredProfileIssues(resource, claimed);
    const walks: WalkResult[] = [];
    const at = `${resource.resourceType}.meta.profile`;
    for (const canonical of new Set([...claimed, ...extraProfiles])) {
      const compiled = await this.compile(canonical);
      if (!compiled) {
        const setting = `FHIR_UNKNOWN_PROFILE=${this.policy.unknownProfile}`;
        const consequence = this.policy.unknownProfile === 'error' ? 'load its StructureDefinition first (or fix the url)' : 'the resource was not checked against it';
        issues.push(problem(this.policy.unknownProfile, 'not-found', `The profile ${canonical} is not known to this server (${setting}): ${consequence}`, at));
        continue;
      }
      if ('problem' in compiled) {
        issues.push(problem('error', 'not-supported', compiled.problem, at));
        continue;
      }
      const { profile } = compiled;
      if (profile.type !== resource.resourceType) {
        issues.push(problem('error', 'invalid', `The profile ${canonical} constrains ${profile.type}, not ${resource.resourceType}`, at));
        continue;
      }
      walks.push(walkProfile(resource, profile));
    }
    if (!walks.length) {
      const base = await this.compile(`${hl7StructureDefinition}${resource.resourceType}`);
      if (base && 'profile' in base) {
        walks.push(walkProfile(resource, base.profile));
      }
    }
    for (const walked of walks) {
      issues.push(...walked.issues, ...(await checkBindings(walked.bindings, this.terminology, this.uncheckable)));
    }
    // Every walk meets the same extensions; one check of them is enough.
    issues.push(...(await checkExtensions(walks[0]?.extensions ?? [], this.lookup, this.extensionDefinitions, this.policy.unknownExtension)));
    if (resource.resourceType === 'Bundle') {
      issues.push(...bundleIssues(resource));
    }
    return withoutRepeats(issues);
  }

  /** The issues a write answers with: the errors and warnings of validate (information is for $validate). */
  async writeIssues(resource: Resource): Promise<OperationOutcomeIssue[]> {
    return (await this.validate(resource)).filter((i) => i.severity !== 'information');
  }

  /** For a write: refuses it with 422 and every issue when any is an error. */
  async checkWrite(resource: Resource): Promise<void> {
    const issues = await this.writeIssues(resource);
    if (issues.some(isErrorIssue)) {
      throw unprocessable(issues);
    }
  }

  /** Forgets compiled profiles and unexpandable ValueSets: after a StructureDefinition or terminology write. */
  invalidate(): void {
    this.compiled.clear();
    this.uncheckable.clear();
    this.extensionDefinitions.clear();
  }

  private requiredProfileIssues(resource: Resource, claimed: readonly string[]): OperationOutcomeIssue[] {
    const required = this.policy.requiredProfiles.get(resource.resourceType);
    const claimedUrls = claimed.map((c) => parseCanonical(c).url);
    if (!required || required.some((url) => claimedUrls.includes(url))) {
      return [];
    }
    const text = `This server requires every ${resource.resourceType} to claim ${required.length > 1 ? 'one of the profiles' : 'the profile'} ${required.join(', ')} in meta.profile`;
    return [problem('error', 'required', text, `${resource.resourceType}.meta.profile`)];
  }

  private compile(canonical: string): Promise<Compiled> {
    let compiled = this.compiled.get(canonical);
    if (!compiled) {
      compiled = this.load(canonical);
      this.compiled.set(canonical, compiled);
      // A failed read is tried again by the next write instead of being remembered.
      compiled.catch(() => this.compiled.delete(canonical));
    }
    return compiled;
  }

  private async load(canonical: string): Promise<Compiled> {
    const definition = await this.lookup(canonical);
    if (!definition) {
      return undefined;
    }
    if (definition.kind !== 'resource' || !definition.snapshot?.element?.length) {
      const why = definition.kind !== 'resource' ? `it defines a ${definition.kind}, not a resource profile` : 'its StructureDefinition has no snapshot';
      return { problem: `The profile ${canonical} cannot be used to validate resources: ${why}` };
    }
    return { profile: await compileProfile(definition, this.lookup) };
  }
}

function problem(severity: 'error' | 'warning', code: OperationOutcomeIssue['code'], text: string, expression: string): OperationOutcomeIssue {
  return { severity, code, details: { text }, expression: [expression] };
}

/** A rule of the base type is in each profile's snapshot too: one issue per problem, however many profiles found it. */
function withoutRepeats(issues: OperationOutcomeIssue[]): OperationOutcomeIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.severity} ${i.details?.text} ${i.expression?.join()}`;
    return !seen.has(key) && (seen.add(key), true);
  });
}
