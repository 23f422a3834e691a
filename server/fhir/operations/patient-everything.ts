// $everything: GET [base]/Patient/[id]/$everything (https://hl7.org/fhir/R4/patient-operation-everything.html).
// The patient, every current resource in its compartment, and what those refer to outside it; paged by cursor.
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { badRequest, gone, issue, notFound, outcome } from '../../outcomes';
import { compartmentMembers, membershipFilter } from '../../search/compartments';
import { parseDateRange } from '../../search/date-value';
import type { Filter, SearchPlan } from '../../search/plan';
import { decodeCursor, encodeCursor } from '../../store/cursor';
import type { ResourceVersion } from '../../store/port';
import { pageLinks, parseCount } from '../paging';
import { isStrictHandling } from '../prefer';
import type { FhirContext, Interaction } from '../request';
import { isResourceType } from '../resource-definitions';
import type { RouteOperation } from '../routes';

export const patientEverythingOperation: RouteOperation = {
  resourceTypes: ['Patient'],
  name: 'everything',
  definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
};

/** Parameters this implementation reads (_format and _pretty belong to the HTTP layer). */
const knownParameters = new Set(['_since', '_type', '_count', '_cursor', '_format', '_pretty']);

/**
 * One store query of the walk: the resources of `type` that are in the compartment through reference
 * parameter `code` ('_id' for the patient itself). One step per parameter, rather than one per type
 * with the parameters ORed, lets the store look the few matches up in that parameter's index instead
 * of walking every resource of the type; each step leaves out what an earlier step of the type found.
 */
interface Step {
  type: string;
  code: string;
  filters: Filter[];
}

export const patientEverything: Interaction = async (request, { resourceType, id }, context) => {
  if (resourceType !== 'Patient') {
    throw notFound(`$everything is defined for Patient on this server, not for ${resourceType}`);
  }
  const patientId = id as string;
  const members = compartmentMembers('Patient');
  const steps = walkSteps(patientId, selectedTypes(request.query.getAll('_type'), members), members);
  const since = request.query.get('_since');
  const sinceMs = since === null ? undefined : parseDateRange(since, '_since').low;
  const count = parseCount(request.query);
  const cursor = request.query.get('_cursor');
  const start = pageStart(cursor, steps);
  const unknown = [...new Set(request.query.keys())].filter((name) => !knownParameters.has(name));
  if (unknown.length && isStrictHandling(request)) {
    throw badRequest(`Unknown $everything parameter(s): ${unknown.join(', ')}`, unknown[0]);
  }

  const patient = await context.store.readCurrent('Patient', patientId);
  if (!patient) {
    throw notFound(`Patient/${patientId} is not known`);
  }
  if (patient.deleted) {
    throw gone(`Patient/${patientId} was deleted (version ${patient.versionId})`);
  }

  const matches: ResourceVersion[] = [];
  const included = new Map<string, ResourceVersion>();
  let nextCursor: string | undefined;
  // _count=0 asks for no resources: a next link would lead to the same empty page for ever.
  for (let i = start.index; count > 0 && i < steps.length; i++) {
    const step = steps[i];
    const room = count - matches.length;
    const storeCursor = i === start.index ? start.storeCursor : undefined;
    if (room === 0) {
      // The page is full: the next link points at the next step with anything in it, so that the
      // last page is never an empty one.
      const peek = await context.store.search(stepPlan(step, 1, storeCursor, sinceMs, context, false));
      if (peek.resources.length) {
        nextCursor = encodeCursor([step.type, step.code, storeCursor ?? '']);
        break;
      }
      continue;
    }
    const page = await context.store.search(stepPlan(step, room, storeCursor, sinceMs, context, true));
    matches.push(...page.resources);
    for (const version of page.included) {
      // A referenced resource of a compartment type is either this patient's (a match of its own step)
      // or someone else's, which must not leak in; _since applies to referenced resources too.
      if (!members.has(version.resourceType) && (sinceMs === undefined || Date.parse(version.lastUpdated) >= sinceMs)) {
        included.set(`${version.resourceType}/${version.id}`, version);
      }
    }
    if (page.nextCursor) {
      nextCursor = encodeCursor([step.type, step.code, page.nextCursor]);
      break;
    }
  }

  const entry: BundleEntry[] = [
    ...matches.map((v) => bundleEntry(v, 'match', context)),
    ...[...included.values()].map((v) => bundleEntry(v, 'include', context)),
  ];
  if (unknown.length) {
    const ignored = unknown.map((name) =>
      issue('not-supported', `Parameter '${name}' is not supported by $everything and was ignored`, name, 'warning')
    );
    entry.push({ resource: outcome(...ignored), search: { mode: 'outcome' } });
  }
  const firstAndOnlyPage = cursor === null && !nextCursor;
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    // As search's default: a total only when it is free, here when one page holds everything.
    ...(firstAndOnlyPage && count > 0 ? { total: matches.length } : {}),
    link: pageLinks(request, context, nextCursor),
    entry,
  };
  return { status: 200, body: bundle };
};

/** The compartment types to return, in a fixed order (Patient first): all of them, or those _type names. */
function selectedTypes(typeParams: string[], members: ReadonlyMap<string, readonly string[]>): string[] {
  const ordered = ['Patient', ...[...members.keys()].filter((t) => t !== 'Patient')];
  if (!typeParams.length) {
    return ordered;
  }
  const requested = new Set<string>();
  for (const type of typeParams.flatMap((value) => value.split(',')).map((t) => t.trim())) {
    if (!isResourceType(type)) {
      throw badRequest(`_type: '${type}' is not a resource type`, '_type');
    }
    if (!members.has(type)) {
      throw badRequest(
        `_type: ${type} is not in the Patient compartment; resources outside it are returned only as references from those in it`,
        '_type'
      );
    }
    requested.add(type);
  }
  return ordered.filter((t) => requested.has(t));
}

function walkSteps(patientId: string, types: string[], members: ReadonlyMap<string, readonly string[]>): Step[] {
  const steps: Step[] = [];
  for (const type of types) {
    const codes = members.get(type) ?? [];
    if (type === 'Patient') {
      steps.push({ type, code: '_id', filters: [{ kind: 'id', ids: [patientId] }] });
    }
    codes.forEach((code, i) => {
      const filters: Filter[] = [
        membershipFilter('Patient', patientId, type, code),
        ...codes.slice(0, i).map((earlier) => ({ ...membershipFilter('Patient', patientId, type, earlier), negate: true })),
      ];
      if (type === 'Patient') {
        // Patients that link to this one are in its compartment; the patient itself was the step before.
        filters.push({ kind: 'id', ids: [patientId], negate: true });
      }
      steps.push({ type, code, filters });
    });
  }
  return steps;
}

/**
 * Where a page starts: a step and that step's store cursor. The cursor names the step by type and
 * parameter, so a cursor from a request with another _type is refused rather than misread.
 */
function pageStart(cursor: string | null, steps: Step[]): { index: number; storeCursor?: string } {
  if (cursor === null) {
    return { index: 0 };
  }
  const [type, code, storeCursor] = decodeCursor(cursor, 3);
  const index = steps.findIndex((s) => s.type === type && s.code === code);
  if (index < 0 || typeof storeCursor !== 'string') {
    throw badRequest('Invalid or expired page cursor; start again from the first page', '_cursor');
  }
  return { index, storeCursor: storeCursor || undefined };
}

function stepPlan(
  step: Step,
  count: number,
  cursor: string | undefined,
  sinceMs: number | undefined,
  context: FhirContext,
  withReferences: boolean
): SearchPlan {
  const filters = [...step.filters];
  if (sinceMs !== undefined) {
    filters.push({ kind: 'lastUpdated', anyOf: [{ prefix: 'ge', low: sinceMs, high: sinceMs + 1 }] });
  }
  // Every reference parameter of the type: its targets outside the compartment (Practitioner,
  // Organization, Medication, Location...) come along as includes.
  const codes = context.registry.forType(step.type).filter((d) => d.type === 'reference').map((d) => d.code);
  return {
    resourceType: step.type,
    filters,
    sort: [],
    count,
    // Each type's part of the page is bounded; a part cut short ends the page with a next link.
    maxBytes: context.settings.limits.pageBytes,
    ...(cursor ? { cursor } : {}),
    total: 'none',
    include: withReferences && codes.length ? [{ sourceType: step.type, codes, iterate: false }] : [],
    revInclude: [],
  };
}

function bundleEntry(version: ResourceVersion, mode: 'match' | 'include', context: FhirContext): BundleEntry {
  return {
    fullUrl: `${context.baseUrl}/${version.resourceType}/${version.id}`,
    resource: version.resource,
    search: { mode },
  };
}
