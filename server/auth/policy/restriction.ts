// The resources a caller may see, as a ResultRestriction (server/search/plan.ts): a pure function of the
// Caller. The store applies it inside every search, chain, _has, _include, _revinclude, history and
// $everything the caller's request runs, so that totals and pages never count what the grant excludes.
// Patient data (the R4 Patient compartment, and Task) is limited to the caller's population; reference
// data (organizations, practitioners, terminology, profiles) is visible to every caller granted its type.
import type { Caller } from '../../fhir/pipeline/caller';
import { compartmentFilter, compartmentMembers } from '../../search/compartments';
import type { Filter, ResultRestriction } from '../../search/plan';
import { parseTokenValue } from '../../search/values/token-value';
import { BoundedCache } from '../bounded-cache';
import { parseResourceScope, type ResourceScope } from '../scopes';
import { auditEventFilters } from './audit-visibility';
import { policiesOf, widestLevel } from './decide';
import { isPatientDataType, type Population } from './roles';

/** Matches nothing: a type the caller may not see at all. */
export const nothing: Filter = { kind: 'id', ids: [] };

/** Token parameters a granular scope may filter on (`patient/Observation.rs?category=...`). */
const granularParameters = new Set(['category', 'code', 'status', 'type']);

/**
 * Restrictions already built, by what they depend on: every request of a token asks for the same one,
 * and building it (scopes parsed, a filter per patient-data type) was an eighth of the server's CPU on
 * reads. A restriction is plain data that no one changes, so one object serves every request. It holds
 * no patient lists (the store evaluates its filters inside each query), so no write can make it stale.
 */
const builtRestrictions = new BoundedCache<ResultRestriction | undefined>(1_000);

/** Undefined: no restriction (the server's own work; every request while security is off). */
export function restrictionFor(caller: Caller): ResultRestriction | undefined {
  if (caller.kind === 'server' || caller.kind === 'anonymous') {
    return undefined;
  }
  const key = JSON.stringify([caller.kind, caller.scopes, caller.roles, caller.organizations, caller.patient, caller.user, caller.breakGlass?.patient]);
  return builtRestrictions.computed(key, () => buildRestriction(caller));
}

function buildRestriction(caller: Caller): ResultRestriction | undefined {
  const scopes = caller.scopes
    .map(parseResourceScope)
    .filter((s): s is ResourceScope => s !== undefined && (s.permissions.has('r') || s.permissions.has('s')));
  const wildcard = scopes.some((s) => s.resourceType === '*');
  const types = new Set(scopes.map((s) => s.resourceType).filter((t) => t !== '*'));
  if (wildcard) {
    for (const type of patientDataTypes()) {
      types.add(type);
    }
  }
  const byType: Record<string, Filter[]> = {};
  for (const type of types) {
    byType[type] = typeFilters(caller, type, scopes.filter((s) => s.resourceType === type || s.resourceType === '*'));
  }
  // Nothing withheld (an administrator, an auditor): no restriction at all, so that the store takes its
  // plain paths and history keeps the versions of deleted resources.
  if (wildcard && Object.values(byType).every((filters) => filters.length === 0)) {
    return undefined;
  }
  return { byType, otherTypes: wildcard ? 'all' : 'none' };
}

/** The filters a resource of `type` must match to be visible to the caller ([] for all of them). */
export function typeFilters(caller: Caller, type: string, scopes: readonly ResourceScope[]): Filter[] {
  const level = widestLevel(scopes);
  if (!level) {
    return [nothing];
  }
  if (type === 'AuditEvent') return auditEventFilters(caller, level);
  const atLevel = scopes.filter((s) => s.level === level);
  const filters: Filter[] = [];
  if (isPatientDataType(type)) {
    const policies = policiesOf(caller);
    if (!policies.some((p) => p.reads === 'all' || p.reads.has(type))) {
      return [nothing];
    }
    const population = level === 'patient' ? patientFilter(caller.patient, type) : populationFilter(caller, type);
    if (population) {
      filters.push(population);
    }
  }
  const granular = granularFilter(type, atLevel);
  if (granular) {
    filters.push(granular);
  }
  return filters;
}

/** Every type holding patient data (the compartment's types and Task). */
export function patientDataTypes(): string[] {
  return [...compartmentMembers('Patient').keys(), 'Task'];
}

/** The patient's own record: undefined patient means nothing. */
function patientFilter(patient: string | undefined, type: string): Filter {
  const id = patient?.startsWith('Patient/') ? patient.slice('Patient/'.length) : undefined;
  if (!id) {
    return nothing;
  }
  if (type === 'Patient') {
    return { kind: 'id', ids: [id] };
  }
  if (type === 'Task') {
    return referenceTo('Task', 'patient', [patient as string]);
  }
  return compartmentFilter('Patient', id, type);
}

/** What the caller's roles let it see of `type` at user or system level; undefined: all of it. */
function populationFilter(caller: Caller, type: string): Filter | undefined {
  const populations = new Set<Population>(policiesOf(caller).map((p) => p.population));
  if (populations.has('all')) {
    return undefined;
  }
  const alternatives: Filter[] = [];
  for (const population of populations) {
    alternatives.push(...populationAlternatives(caller, population, type));
  }
  if (caller.breakGlass) {
    alternatives.push(patientFilter(caller.breakGlass.patient, type));
  }
  if (alternatives.length === 0) {
    return nothing;
  }
  return alternatives.length === 1 ? alternatives[0] : { kind: 'anyOf', filters: alternatives };
}

function populationAlternatives(caller: Caller, population: Population, type: string): Filter[] {
  switch (population) {
    case 'own-record':
      return [patientFilter(caller.patient ?? (caller.user?.startsWith('Patient/') ? caller.user : undefined), type)];
    case 'organization': {
      if (caller.organizations.length === 0) {
        return [nothing];
      }
      return [viaPatient(type, organizationPatients(caller.organizations))];
    }
    case 'assigned-tasks': {
      if (!caller.user) {
        return [nothing];
      }
      const mine = referenceTo('Task', 'owner', [caller.user]);
      if (type === 'Task') {
        return [mine];
      }
      const patients: Filter = { kind: 'has', referenceParam: { resourceType: 'Task', code: 'patient', kind: 'reference' }, filters: [mine] };
      return [viaPatient(type, patients)];
    }
    case 'all':
      return [];
  }
}

/**
 * The patients of some organizations: managed there (Patient.managingOrganization), with an encounter
 * there (Encounter.serviceProvider), or referred there (a ServiceRequest whose performer it is).
 */
export function organizationPatients(organizations: readonly string[]): Filter {
  return {
    kind: 'anyOf',
    filters: [
      referenceTo('Patient', 'organization', organizations),
      { kind: 'has', referenceParam: { resourceType: 'Encounter', code: 'patient', kind: 'reference' }, filters: [referenceTo('Encounter', 'service-provider', organizations)] },
      { kind: 'has', referenceParam: { resourceType: 'ServiceRequest', code: 'patient', kind: 'reference' }, filters: [referenceTo('ServiceRequest', 'performer', organizations)] },
    ],
  };
}

/** Resources of `type` whose patient (any compartment parameter) matches `patients`. */
export function viaPatient(type: string, patients: Filter): Filter {
  if (type === 'Patient') {
    return patients;
  }
  const codes = type === 'Task' ? ['patient'] : (compartmentMembers('Patient').get(type) ?? []);
  const chains: Filter[] = codes.map((code) => ({
    kind: 'chain',
    param: { resourceType: type, code, kind: 'reference' },
    targetTypes: ['Patient'],
    filters: [patients],
  }));
  return chains.length === 1 ? chains[0] : { kind: 'anyOf', filters: chains };
}

/** `type`'s reference parameter `code` points at one of `references` ('Type/id'). */
export function referenceTo(type: string, code: string, references: readonly string[]): Filter {
  return {
    kind: 'param',
    param: { resourceType: type, code, kind: 'reference' },
    anyOf: references.map((r) => {
      const [targetType, id] = r.split('/');
      return { type: 'reference', targetTypes: [targetType], id };
    }),
  };
}

/** A granular scope's query as a filter; any scope of the level without a query grants the whole type. */
export function granularFilter(type: string, scopes: readonly ResourceScope[]): Filter | undefined {
  if (scopes.length === 0 || scopes.some((s) => !s.query)) {
    return undefined;
  }
  const alternatives: Filter[] = [];
  for (const scope of scopes) {
    const parts: Filter[] = [];
    for (const [name, value] of scope.query as URLSearchParams) {
      if (!granularParameters.has(name)) {
        // A query this server cannot apply grants nothing rather than everything.
        return nothing;
      }
      parts.push({ kind: 'param', param: { resourceType: type, code: name, kind: 'token' }, anyOf: value.split(',').map((v) => parseTokenValue(v, '', name)) });
    }
    // Several parameters in one scope must all match: only one is supported per scope.
    if (parts.length !== 1) {
      return nothing;
    }
    alternatives.push(parts[0]);
  }
  return alternatives.length === 1 ? alternatives[0] : { kind: 'anyOf', filters: alternatives };
}
