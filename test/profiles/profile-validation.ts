// Validates resources against the generated profiles with @medplum/core, and tells whether an outcome names
// a rule: an invariant key (dhc-pat-3) or an element path (Observation.valueQuantity.code,
// Observation.extension:eqaStatus). Shared by the profile tests.
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import type { OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';
import fs from 'node:fs';
import path from 'node:path';
import { ensureFhirSchema } from '../../server/search/indexing/fhir-schema';

export const repoRoot = path.resolve(__dirname, '../../..');
export const generatedDir = path.join(repoRoot, 'profiles', 'generated');
export const examplesDir = path.join(repoRoot, 'profiles', 'examples');
export const canonicalBase = 'https://fhir.dhc.example';

export function readJsonFile<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** Every generated resource, by file name. */
export function generatedResources(dir = generatedDir): Map<string, Resource> {
  const result = new Map<string, Resource>();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    result.set(file, readJsonFile<Resource>(path.join(dir, file)));
  }
  return result;
}

/** The generated StructureDefinitions that constrain a resource (not extensions, not data types). */
export function resourceProfiles(resources = generatedResources()): StructureDefinition[] {
  return [...resources.values()].filter(
    (r): r is StructureDefinition => r.resourceType === 'StructureDefinition' && r.kind === 'resource' && r.derivation === 'constraint'
  );
}

let indexed = false;
/** Indexes R4 and the generated StructureDefinitions (profiles are kept by url, R4 types stay as they are). */
export function indexGeneratedProfiles(): StructureDefinition[] {
  const all = [...generatedResources().values()].filter((r): r is StructureDefinition => r.resourceType === 'StructureDefinition');
  if (!indexed) {
    ensureFhirSchema();
    indexStructureDefinitionBundle(all);
    indexed = true;
  }
  return all;
}

export interface ValidationResult {
  errors: OperationOutcomeIssue[];
  warnings: OperationOutcomeIssue[];
}

/** medplum throws the errors as one OperationOutcome and returns the warnings. */
export function validateWithProfile(resource: Resource, profile: StructureDefinition): ValidationResult {
  try {
    const warnings = validateResource(resource, { profile });
    return { errors: [], warnings };
  } catch (err) {
    if (err instanceof OperationOutcomeError) {
      const issues = err.outcome.issue ?? [];
      return {
        errors: issues.filter((i) => i.severity === 'error' || i.severity === 'fatal'),
        warnings: issues.filter((i) => i.severity !== 'error' && i.severity !== 'fatal'),
      };
    }
    throw err;
  }
}

export interface Example {
  file: string;
  resource: Resource;
}

/** profiles/examples/valid or /invalid, by file name. */
export function readExamples(kind: 'valid' | 'invalid'): Example[] {
  const dir = path.join(examplesDir, kind);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, resource: readJsonFile<Resource>(path.join(dir, file)) }));
}

/** One example by file name. */
export function readExample(kind: 'valid' | 'invalid', file: string): Resource {
  return readJsonFile<Resource>(path.join(examplesDir, kind, file));
}

/** The rule an invalid example's file name names: `<profile id>--<rule>.json`. */
export function parseInvalidName(file: string): { profileId: string; rule: string } {
  const match = /^([a-z0-9-]+?)--(.+)\.json$/.exec(path.basename(file));
  if (!match) {
    throw new Error(`${file}: an invalid example is named <profile id>--<rule>.json`);
  }
  return { profileId: match[1], rule: match[2] };
}

const choiceBases = new Set(['value', 'effective', 'onset', 'medication', 'occurrence', 'dose', 'deceased', 'multipleBirth', 'abatement', 'rate']);
const choiceSuffix = /^([a-z][A-Za-z]*?)([A-Z][A-Za-z]*)$/;

/** `Observation.valueQuantity.code` -> `Observation.value[x].code`, as medplum reports paths. */
export function withChoiceElements(rulePath: string): string {
  return rulePath
    .split('.')
    .map((segment) => {
      const match = choiceSuffix.exec(segment);
      return match && choiceBases.has(match[1]) ? `${match[1]}[x]` : segment;
    })
    .join('.');
}

/**
 * Whether an issue names the rule: for an invariant key, medplum's text "Constraint <key> not met"; for an
 * element path, the issue's expression (choice elements as [x], array indexes dropped); for a slice
 * (`Path:slice`), the sliced element (medplum reports a missing slice there, by name, and the sliced
 * element's own cardinality, which the slices' minimums raise, there too).
 */
export function issueNamesRule(issue: OperationOutcomeIssue, rule: string): boolean {
  const text = issue.details?.text ?? '';
  if (/^dhc-[a-z0-9]+-\d+$/.test(rule)) {
    return new RegExp(`\\b${rule}\\b`).test(text);
  }
  const expressions = (issue.expression ?? []).map((e) => withChoiceElements(e.replace(/\[\d+\]/g, '')));
  const elementPath = rule.split(':')[0];
  return expressions.includes(withChoiceElements(elementPath));
}
