// The policy plugged into the request pipeline (server/fhir/pipeline): a hook that decides every
// request and every Bundle entry before it runs (403 when denied) and checks that a resource named by
// id is inside the caller's grant; a write rule that keeps every write inside the grant (the patients
// a written resource refers to must be ones the caller may see); and the result restriction the store
// applies inside every search, include, chain, _has, history and $everything.
import type { Resource } from '@medplum/fhirtypes';
import type { Caller } from '../fhir/pipeline/caller';
import type { RequestHook } from '../fhir/pipeline/hooks';
import type { InteractionInfo } from '../fhir/pipeline/interaction';
import type { Pipeline } from '../fhir/pipeline/pipeline';
import { ruleViolation, type PendingWrite, type WriteRule } from '../fhir/pipeline/write-rules';
import { unparsedTextOf } from '../json/lazy-resource';
import { forbidden, unauthorized } from '../outcomes';
import type { StoreOperations } from '../store/port';
import { decide, grantingScopes, requiredPermission, widestLevel } from './policy/decide';
import type { Permission } from './scopes';
import { granularFilter, restrictionFor } from './policy/restriction';
import { isPatientDataType } from './policy/roles';
import { isVisible, matchesFilters, visibilityFilters } from './policy/visibility';

/** Interactions that name one resource by id, whose visibility is checked before they run. */
const instanceInteractions = new Set(['read', 'vread', 'history-instance', 'update', 'patch', 'delete', 'operation']);

/**
 * The caller as the population check sees it: its scopes for `resourceType` and `permission` at their
 * widest level, asked as a read of Patient at that level, so that a write-only token still has a population.
 */
function populationCaller(caller: Caller, resourceType: string, permission: 'r' | 's' | 'c' | 'u' | 'd'): Caller | undefined {
  const level = widestLevel(grantingScopes(caller, resourceType, permission));
  return level ? { ...caller, scopes: [`${level}/Patient.rs`, `${level}/${resourceType}.rs`] } : undefined;
}

export const authorizationHook: RequestHook = {
  name: 'smart-authorization',
  async before({ caller, interaction, context }): Promise<void> {
    if (caller.kind === 'server') {
      return;
    }
    const decision = decide(caller, interaction);
    if (!decision.allowed) {
      throw caller.kind === 'anonymous' ? unauthorized('This request needs an access token') : forbidden(decision.reason);
    }
    const store = context.pipeline.dataStore;
    if (interaction.compartment && !(await visibleOrAbsent(store, caller, interaction.compartment.resourceType, interaction.compartment.id, 's', 'Patient'))) {
      throw forbidden(`${interaction.compartment.resourceType}/${interaction.compartment.id} is outside your grant`);
    }
    if (instanceInteractions.has(interaction.code) && interaction.resourceType && interaction.id) {
      if ((interaction.code === 'read' || interaction.code === 'vread') && context.pipeline.restriction) {
        // Asked through the caller's view, which the read then asks again and finds answered.
        if (!(await context.store.readCurrent(interaction.resourceType, interaction.id)) && (await existsUndeleted(store, interaction.resourceType, interaction.id))) {
          throw forbidden(`${interaction.resourceType}/${interaction.id} is outside your grant`);
        }
        return;
      }
      const permission = requiredPermission(interaction) ?? 'r';
      if (!(await visibleOrAbsent(store, caller, interaction.resourceType, interaction.id, permission))) {
        throw forbidden(`${interaction.resourceType}/${interaction.id} is outside your grant`);
      }
    }
  },
};

/**
 * Whether the resource is visible to the caller; true as well when no current version exists, so that
 * the interaction answers 404 or 410 (or an update creates it, checked by the write rule).
 */
async function visibleOrAbsent(
  store: StoreOperations,
  caller: Caller,
  resourceType: string,
  id: string,
  permission: 'r' | 's' | 'c' | 'u' | 'd',
  scopeType = resourceType
): Promise<boolean> {
  const asked = populationCaller(caller, scopeType, permission);
  if (asked && visibilityFilters(asked, resourceType)?.length === 0) {
    return true;
  }
  if (asked && (await isVisible(store, asked, resourceType, id))) {
    return true;
  }
  return !(await existsUndeleted(store, resourceType, id));
}

async function existsUndeleted(store: StoreOperations, resourceType: string, id: string): Promise<boolean> {
  const current = await store.readCurrent(resourceType, id);
  return !!current && !current.deleted;
}

/** Every patient a resource refers to ('Patient/x' references anywhere in it but contained resources). */
export function referencedPatients(resource: Resource): string[] {
  const found = new Set<string>();
  const text = unparsedTextOf(resource);
  if (text !== undefined && !text.includes(containedKey)) {
    collectPatientsInText(text, found);
  } else {
    collectPatients(resource, found);
  }
  return [...found];
}

const patientReference = /^Patient\/[A-Za-z0-9\-.]{1,64}$/;

/**
 * A `reference` member whose value patientReference accepts, in a resource's stored text: compact JSON as
 * JSON.stringify writes it (stored-text.ts), where a key starts right after '{' or ',' (a '"' there
 * cannot be an escaped one) and the value's characters are never escaped. A string member cannot hold
 * this text: its quotes would be escaped.
 */
const patientReferenceMember = /[{,]"reference":"Patient\/([A-Za-z0-9\-.]{1,64})"/g;
/** In a text that holds it anywhere, contained resources are skipped by walking the parsed resource. */
const containedKey = '"contained":';

/**
 * The Patient references of a lazy resource's stored text (lazy-resource.ts) without parsing it: the
 * text is the resource in document order, which is the order collectPatients walks it in.
 */
function collectPatientsInText(text: string, found: Set<string>): void {
  if (!text.includes('"reference":"Patient/')) {
    return;
  }
  patientReferenceMember.lastIndex = 0;
  for (let match = patientReferenceMember.exec(text); match; match = patientReferenceMember.exec(text)) {
    found.add(match[1]);
  }
}

/**
 * Walks `value` for Patient references, skipping contained resources. Run on every resource the audit
 * records (each entry of a search page), so it loops over keys in place rather than copying them with
 * Object.entries, and tests the pattern only on strings that start like one.
 */
function collectPatients(value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item !== null && typeof item === 'object') {
        collectPatients(item, found);
      }
    }
    return;
  }
  const holder = value as Record<string, unknown>;
  for (const key in holder) {
    const inner = holder[key];
    if (typeof inner === 'object') {
      if (inner !== null && key !== 'contained') {
        collectPatients(inner, found);
      }
    } else if (key === 'reference' && typeof inner === 'string' && inner.startsWith('Patient/') && patientReference.test(inner)) {
      found.add(inner.slice('Patient/'.length));
    }
  }
}

/** A write of patient data must belong to patients the caller may see, before and after the write. */
export const grantWriteRule: WriteRule = {
  name: 'smart-grant',
  async check(write, tx): Promise<void> {
    const { caller } = write;
    if (caller.kind === 'server' || caller.kind === 'anonymous') {
      return;
    }
    const permission = write.action === 'create' ? 'c' : write.action === 'delete' ? 'd' : 'u';
    await checkGranularWrite(write, permission, tx);
    if (!isPatientDataType(write.resourceType)) {
      return;
    }
    const asked = populationCaller(caller, write.resourceType, permission);
    const patientFilters = asked ? visibilityFilters(asked, 'Patient') : undefined;
    if (asked && patientFilters?.length === 0) {
      return;
    }
    const resource = write.resource ?? (await write.previous())?.resource;
    if (!resource || !asked) {
      throw ruleViolation('smart-grant', 'This write is outside your grant', undefined, 403);
    }
    if (write.resourceType === 'Patient') {
      await checkPatientWrite(write.action, resource, asked, tx, write.interaction);
      return;
    }
    const patients = referencedPatients(resource);
    if (patients.length === 0) {
      throw ruleViolation('smart-grant', `A ${write.resourceType} you write must refer to a patient you may see`, write.resourceType, 403);
    }
    // Checked at the end of the transaction, so that a Bundle may register a patient in a later entry
    // than the records that refer to it.
    write.atEnd(async (end) => {
      for (const patient of patients) {
        if (!(await isVisible(end, asked, 'Patient', patient))) {
          throw ruleViolation('smart-grant', `Patient/${patient} is outside your grant`, write.entry ?? write.resourceType, 403);
        }
      }
    });
  },
};

/**
 * Granular scopes hold for writes as for reads (SMART 2.x, "finer-grained resource constraints"): with
 * `patient/Observation.cu?category=...|laboratory` only laboratory Observations are created or changed,
 * and an Observation of another category is neither changed into one nor deleted. Both the stored version
 * and the written one must match, as the store's search sees them.
 * https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html#finer-grained-resource-constraints-using-search-parameters
 */
async function checkGranularWrite(write: PendingWrite, permission: Permission, tx: StoreOperations): Promise<void> {
  const scopes = grantingScopes(write.caller, write.resourceType, permission);
  const level = widestLevel(scopes);
  const filter = level ? granularFilter(write.resourceType, scopes.filter((s) => s.level === level)) : undefined;
  if (!filter) {
    return;
  }
  const refused = (): Error =>
    ruleViolation('smart-grant', `${write.resourceType}/${write.id} is outside what your scopes let you ${write.action} (${scopes.map((s) => s.text).join(' ')})`, write.entry ?? write.resourceType, 403);
  if (write.action !== 'create') {
    const previous = await write.previous();
    if (previous && !previous.deleted && !(await matchesFilters(tx, write.resourceType, write.id, [filter]))) {
      throw refused();
    }
  }
  if (write.action !== 'delete') {
    write.atEnd(async (end) => {
      if (!(await matchesFilters(end, write.resourceType, write.id, [filter]))) {
        throw refused();
      }
    });
  }
}

/** A Patient is written by those who see it; a new one is registered at one of the caller's organizations. */
async function checkPatientWrite(action: string, resource: Resource, caller: Caller, tx: StoreOperations, _interaction: InteractionInfo): Promise<void> {
  const id = resource.id as string;
  const existing = action === 'create' ? undefined : await tx.readCurrent('Patient', id);
  if (existing && !existing.deleted) {
    if (!(await isVisible(tx, caller, 'Patient', id))) {
      throw ruleViolation('smart-grant', `Patient/${id} is outside your grant`, 'Patient', 403);
    }
    return;
  }
  const organization = (resource as { managingOrganization?: { reference?: string } }).managingOrganization?.reference;
  if (!organization || !caller.organizations.includes(organization)) {
    throw ruleViolation('smart-grant', 'A new Patient is registered with managingOrganization set to one of your organizations', 'Patient.managingOrganization', 403);
  }
}

/**
 * The pipeline with the policy added: its hook first, its write rule, and its restriction. (The files
 * of profiles/ and terminology/ own their resources through the integrity rule owned-content.)
 */
export function withSecurity(pipeline: Partial<Pipeline> = {}): Partial<Pipeline> {
  return {
    hooks: [authorizationHook, ...(pipeline.hooks ?? [])],
    writeRules: [grantWriteRule, ...(pipeline.writeRules ?? [])],
    restrict: pipeline.restrict ?? restrictionFor,
  };
}
