// Extensions met anywhere in a resource, checked against their definitions
// (https://hl7.org/fhir/R4/extensibility.html, defining-extensions.html#context): a url this server has
// no StructureDefinition for, an extension used where its definition's context does not allow it, and a
// value of a type the definition does not allow. As the HL7 reference validator does by default, an
// unknown or out-of-context extension is a warning; FHIR_UNKNOWN_EXTENSION=error makes it an error.
import type { OperationOutcomeIssue, StructureDefinition } from '@medplum/fhirtypes';
import { BoundedCache } from '../terminology/bounded-cache';
import type { DefinitionLookup } from './compiled-profile';
import type { ExtensionUse } from './profile-walker';

/** What the check needs of an extension's definition, read once per url. */
export interface ExtensionDefinition {
  url: string;
  /** 'element' contexts by expression; fhirpath contexts are not checked (see docs/validation.md). */
  contexts: { type: string; expression: string }[];
  /** JSON keys the value may take (valueString, valueCodeableConcept); empty when the extension takes no value. */
  valueKeys: Set<string>;
}

/** Definitions by url, unknown ones included; bounded, since the urls are whatever clients send. */
export type ExtensionDefinitions = BoundedCache<string, Promise<ExtensionDefinition | undefined>>;

export async function checkExtensions(
  uses: readonly ExtensionUse[],
  lookup: DefinitionLookup,
  cache: ExtensionDefinitions,
  unknownSeverity: 'error' | 'warning'
): Promise<OperationOutcomeIssue[]> {
  const issues: OperationOutcomeIssue[] = [];
  for (const use of uses) {
    const definition = await definitionOf(use.url, lookup, cache);
    if (!definition) {
      issues.push(problem(unknownSeverity, 'extension', `${use.path}: the extension ${use.url} is not known to this server (no StructureDefinition with that url), so it was not checked`, use.path));
      continue;
    }
    if (!definition.contexts.some((c) => allows(c, use))) {
      const allowed = definition.contexts.map((c) => c.expression).join(', ');
      const place = use.contexts.find((c) => c !== 'Element') ?? use.path;
      issues.push(problem(unknownSeverity, 'extension', `${use.path}: the extension ${use.url} is not allowed on ${place}; its definition allows it on ${allowed}`, use.path));
    }
    for (const key of use.walked ? [] : use.valueKeys) {
      if (!definition.valueKeys.has(key)) {
        const allowed = definition.valueKeys.size ? `its definition allows ${[...definition.valueKeys].join(', ')}` : 'its definition allows no value (only nested extensions)';
        issues.push(problem('error', 'structure', `${use.path}.${key}: the extension ${use.url} does not take a ${key}; ${allowed}`, `${use.path}.${key}`));
      }
    }
  }
  return issues;
}

/** A fhirpath context would need evaluating against the parent; it is taken as allowing the place. */
function allows(context: { type: string; expression: string }, use: ExtensionUse): boolean {
  switch (context.type) {
    case 'element':
      return use.contexts.includes(context.expression);
    case 'extension':
      return use.contexts.includes(`extension:${context.expression}`);
    default:
      return true;
  }
}

function definitionOf(url: string, lookup: DefinitionLookup, cache: ExtensionDefinitions): Promise<ExtensionDefinition | undefined> {
  return cache.remember(url, () => lookup(url).then(readDefinition));
}

function readDefinition(sd: StructureDefinition | undefined): ExtensionDefinition | undefined {
  if (!sd || sd.type !== 'Extension' || !sd.snapshot?.element?.length) {
    return undefined;
  }
  const value = sd.snapshot.element.find((e) => e.path === 'Extension.value[x]');
  const valueKeys = new Set(value?.max === '0' ? [] : (value?.type ?? []).map((t) => `value${t.code[0].toUpperCase()}${t.code.slice(1)}`));
  const contexts = (sd.context ?? []).map((c) => ({ type: c.type ?? 'element', expression: c.expression ?? 'Element' }));
  return { url: sd.url, contexts: contexts.length ? contexts : [{ type: 'element', expression: 'Element' }], valueKeys };
}

function problem(severity: 'error' | 'warning', code: OperationOutcomeIssue['code'], text: string, path: string): OperationOutcomeIssue {
  return { severity, code, details: { text }, expression: [path] };
}
