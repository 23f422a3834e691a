// The nurses who may take a home-care order, ranked: authorized for the service (the
// authorized-home-care-service extension on their PractitionerRole), serving the home (the great-circle
// distance from their base Location's position is within its service radius), on duty when the visit is
// wanted (availableTime), and not already carrying maxVisitsPerDay open visits on the day the visit is
// wanted; nearest first, then the fewer open visits that day. Reads go to the store below the caller's restriction: who is free is the network's
// knowledge, not the caller's view of it (only the chosen nurse and distances are answered).
import type { Location, PractitionerRole, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { Filter, SearchPlan } from '../../search/plan';
import { referenceTo } from '../../auth/policy/restriction';
import type { ResourceVersion, StoreOperations } from '../../store/port';
import { isOnDuty, requestedVisitTime, visitTimeOf } from './availability';
import { homeCareServiceSystem, homeCareWorkflowSystem, openVisitStatuses, serviceCode } from './codes';
import { distanceKm, locationPosition, serviceRadiusKm, type Position } from './geo';

/** A nurse with this many open visits on a day is not offered another that day (a day's round of visits). */
export const maxVisitsPerDay = 6;

export interface NurseCandidate {
  role: PractitionerRole;
  /** 'PractitionerRole/<id>'. */
  reference: string;
  distanceKm: number;
  radiusKm: number;
  /** Her open visits on the day the visit is wanted. */
  openVisits: number;
}

export interface NurseRanking {
  /** Those who may take the order, nearest first. */
  candidates: NurseCandidate[];
  /** How many nurses the service's authorization names, and why the others were left out: for a refusal's text. */
  authorized: number;
  outsideArea: number;
  offDuty: number;
  busy: number;
  declined: number;
}

const page = 1000;

/**
 * The nurses who may take `request` at `home`, ranked; those in `exclude` (PractitionerRole references:
 * nurses who declined it) are left out.
 */
export async function rankNurses(store: StoreOperations, request: ServiceRequest, home: Position | undefined, exclude: ReadonlySet<string> = new Set()): Promise<NurseRanking> {
  const code = serviceCode(request.code);
  const ranking: NurseRanking = { candidates: [], authorized: 0, outsideArea: 0, offDuty: 0, busy: 0, declined: 0 };
  if (!code || !home) {
    return ranking;
  }
  const at = requestedVisitTime(request);
  const inArea: Omit<NurseCandidate, 'openVisits'>[] = [];
  for (const { role, location } of await authorizedNurses(store, code)) {
    ranking.authorized++;
    const reference = `PractitionerRole/${role.id}`;
    if (exclude.has(reference)) {
      ranking.declined++;
      continue;
    }
    const area = serviceArea(location, home);
    if (!area) {
      ranking.outsideArea++;
      continue;
    }
    if (!isOnDuty(role, at)) {
      ranking.offDuty++;
      continue;
    }
    inArea.push({ role, reference, ...area });
  }
  const open = await openVisitCounts(store, inArea.map((c) => c.reference), at.date);
  for (const candidate of inArea) {
    const openVisits = open.get(candidate.reference) ?? 0;
    if (openVisits >= maxVisitsPerDay) {
      ranking.busy++;
    } else {
      ranking.candidates.push({ ...candidate, openVisits });
    }
  }
  ranking.candidates.sort((a, b) => a.distanceKm - b.distanceKm || a.openVisits - b.openVisits || a.reference.localeCompare(b.reference));
  return ranking;
}

/** The distance and radius when the area contains the home; undefined otherwise (or without a position and radius). */
export function serviceArea(location: Location | undefined, home: Position): { distanceKm: number; radiusKm: number } | undefined {
  const centre = locationPosition(location);
  const radiusKm = serviceRadiusKm(location);
  if (!centre || radiusKm === undefined) {
    return undefined;
  }
  const distance = distanceKm(centre, home);
  return distance <= radiusKm ? { distanceKm: distance, radiusKm } : undefined;
}

/** Active PractitionerRoles authorized for the service, each with its first Location (the base of its service area). */
async function authorizedNurses(store: StoreOperations, code: string): Promise<{ role: PractitionerRole; location?: Location }[]> {
  const found: { role: PractitionerRole; location?: Location }[] = [];
  let cursor: string | undefined;
  do {
    const plan: SearchPlan = {
      resourceType: 'PractitionerRole',
      filters: [tokenFilter('PractitionerRole', 'home-care-service', homeCareServiceSystem, code), tokenFilter('PractitionerRole', 'active', undefined, 'true')],
      sort: [],
      count: page,
      total: 'none',
      include: [{ sourceType: 'PractitionerRole', codes: ['location'], targetType: 'Location', iterate: false }],
      revInclude: [],
      ...(cursor ? { cursor } : {}),
    };
    const result = await store.search(plan);
    const locations = new Map(result.included.filter((v) => v.resourceType === 'Location').map((v) => [`Location/${v.id}`, v.resource as Location]));
    for (const version of result.resources) {
      const role = version.resource as PractitionerRole;
      found.push({ role, location: locations.get(role.location?.[0]?.reference ?? '') });
    }
    cursor = result.nextCursor;
  } while (cursor);
  return found;
}

/**
 * Open home visits on `date` per owner, for the owners given (one search). A visit's day is the start of
 * Task.restriction.period (when the fulfilment is sought, copied from the order by dispatch); a visit
 * without one counts on every day.
 */
async function openVisitCounts(store: StoreOperations, owners: string[], date: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (!owners.length) {
    return counts;
  }
  for (const task of await searchAll<Task>(store, 'Task', [
    tokenFilter('Task', 'code', homeCareWorkflowSystem, 'home-visit'),
    { kind: 'param', param: { resourceType: 'Task', code: 'status', kind: 'token' }, anyOf: openVisitStatuses.map((s) => ({ type: 'token' as const, code: s })) },
    referenceTo('Task', 'owner', owners),
  ])) {
    const day = task.restriction?.period?.start ? visitTimeOf(task.restriction.period.start)?.date : undefined;
    if (day !== undefined && day !== date) {
      continue;
    }
    const owner = task.owner?.reference ?? '';
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  return counts;
}

/** Every current resource matching the filters, page by page. */
export async function searchAll<T>(store: StoreOperations, resourceType: string, filters: Filter[]): Promise<T[]> {
  const found: T[] = [];
  let cursor: string | undefined;
  do {
    const result = await store.search({ resourceType, filters, sort: [], count: page, total: 'none', include: [], revInclude: [], ...(cursor ? { cursor } : {}) });
    found.push(...result.resources.map((v: ResourceVersion) => v.resource as T));
    cursor = result.nextCursor;
  } while (cursor);
  return found;
}

export function tokenFilter(resourceType: string, code: string, system: string | undefined, value: string): Filter {
  return { kind: 'param', param: { resourceType, code, kind: 'token' }, anyOf: [{ type: 'token', ...(system ? { system } : {}), code: value }] };
}
