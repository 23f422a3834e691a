// The inputs the terminology operations share: the code to work on (code and system, a Coding or a
// CodeableConcept, exactly one), and the ValueSet, CodeSystem or ConceptMap to use (by canonical url,
// inline in the body, or the instance the operation was called on).
import type { CodeableConcept, CodeSystem, Coding, ConceptMap, Resource, ValueSet } from '@medplum/fhirtypes';
import { badRequest, gone, notFound } from '../../../outcomes';
import { parseCanonical } from '../../../terminology/canonical';
import type { CodeSystemRef, ConceptMapRef, ValueSetRef } from '../../../terminology/terminology-service';
import type { FhirContext, RouteParams } from '../../request';
import type { OperationInput } from './operation-parameters';

export interface CodedInput {
  coding?: Coding;
  codeableConcept?: CodeableConcept;
}

export interface CodedInputOptions {
  /** The parameter holding the code system's version: 'version' or 'systemVersion'. */
  versionParameter: string;
  /** The system a bare code belongs to when the operation names it otherwise (CodeSystem/$validate-code). */
  impliedSystem?: string;
  allowCodeableConcept: boolean;
}

/** code (+system, version, display), coding or codeableConcept: exactly one of them. */
export function codedInput(input: OperationInput, operation: string, options: CodedInputOptions): CodedInput {
  const given = ['code', 'coding', ...(options.allowCodeableConcept ? ['codeableConcept'] : [])].filter((n) => input.has(n));
  if (given.length !== 1) {
    const names = options.allowCodeableConcept ? 'code, coding or codeableConcept' : 'code or coding';
    throw badRequest(`${operation} needs exactly one of ${names}${given.length ? `; got ${given.join(' and ')}` : ''}`, given[1] ?? 'code');
  }
  if (given[0] === 'coding') {
    return { coding: input.coding('coding') };
  }
  if (given[0] === 'codeableConcept') {
    return { codeableConcept: input.codeableConcept('codeableConcept') };
  }
  const code = input.string('code') as string;
  const system = input.string('system') ?? options.impliedSystem;
  if (!system) {
    throw badRequest(`${operation}: a code needs its system (parameter 'system')`, 'system');
  }
  const version = input.string(options.versionParameter);
  const display = input.string('display');
  return {
    coding: { system, ...(version !== undefined ? { version } : {}), code, ...(display !== undefined ? { display } : {}) },
  };
}

/** The ValueSet: the instance (ValueSet/[id]/$op), url (+valueSetVersion), or an inline valueSet. */
export async function valueSetInput(
  input: OperationInput,
  operation: string,
  params: RouteParams,
  context: FhirContext
): Promise<ValueSetRef> {
  if (params.id) {
    return readInstance<ValueSet>(context, 'ValueSet', params.id);
  }
  const url = input.string('url');
  const inline = input.resource<ValueSet>('valueSet', 'ValueSet');
  if (url !== undefined && inline) {
    throw badRequest(`${operation}: give the ValueSet by url or inline as valueSet, not both`, 'valueSet');
  }
  if (url !== undefined) {
    const canonical = parseCanonical(url);
    const version = input.string('valueSetVersion') ?? canonical.version;
    return { url: canonical.url, ...(version !== undefined ? { version } : {}) };
  }
  if (inline) {
    return { resource: inline };
  }
  throw badRequest(`${operation} needs a ValueSet: the url parameter, a valueSet in a POST body, or ValueSet/[id]/${operation}`, 'url');
}

/** The CodeSystem: the instance, a resource parameter, or a canonical (from `urlParameter` or the coding's system). */
export async function codeSystemInput(
  input: OperationInput,
  operation: string,
  params: RouteParams,
  context: FhirContext,
  options: { urlParameter: string; resourceParameter?: string; coding?: Coding }
): Promise<CodeSystemRef> {
  if (params.id) {
    return readInstance<CodeSystem>(context, 'CodeSystem', params.id);
  }
  const inline = options.resourceParameter ? input.resource<CodeSystem>(options.resourceParameter, 'CodeSystem') : undefined;
  if (inline) {
    return { resource: inline };
  }
  const url = input.string(options.urlParameter) ?? options.coding?.system;
  if (url === undefined) {
    throw badRequest(`${operation} needs the code system: parameter '${options.urlParameter}'`, options.urlParameter);
  }
  const canonical = parseCanonical(url);
  const version = input.string('version') ?? options.coding?.version ?? canonical.version;
  return { url: canonical.url, ...(version !== undefined ? { version } : {}) };
}

/** The ConceptMap, if the request names one: the instance, url (+conceptMapVersion), or an inline conceptMap. */
export async function conceptMapInput(
  input: OperationInput,
  params: RouteParams,
  context: FhirContext
): Promise<ConceptMapRef | undefined> {
  if (params.id) {
    return readInstance<ConceptMap>(context, 'ConceptMap', params.id);
  }
  const inline = input.resource<ConceptMap>('conceptMap', 'ConceptMap');
  if (inline) {
    return { resource: inline };
  }
  const url = input.string('url');
  if (url === undefined) {
    return undefined;
  }
  const canonical = parseCanonical(url);
  const version = input.string('conceptMapVersion') ?? canonical.version;
  return { url: canonical.url, ...(version !== undefined ? { version } : {}) };
}

/**
 * The current version of the instance an operation was called on. Its cache key names the version, so
 * what is cached for it can never be stale.
 */
export async function readInstance<T extends Resource>(
  context: FhirContext,
  type: string,
  id: string
): Promise<{ resource: T; cacheKey: string }> {
  const version = await context.store.readCurrent(type, id);
  if (!version) {
    throw notFound(`${type}/${id} is not known`);
  }
  if (version.deleted || !version.resource) {
    throw gone(`${type}/${id} was deleted (version ${version.versionId})`);
  }
  return { resource: version.resource as T, cacheKey: `${type}/${id}/_history/${version.versionId}` };
}
