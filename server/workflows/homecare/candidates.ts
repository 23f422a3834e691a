// The nurses who may take a home-care order, ranked: authorized for the service (the
// authorized-home-care-service extension on their PractitionerRole), serving the home (the great-circle
// distance from their base Location's position is within its service radius), on duty when the visit is
// wanted (availableTime), and not already carrying maxVisitsPerDay open visits on the day the visit is
// wanted; nearest first, then the fewer open visits that day. The nurses and their areas come from the
// in-memory roster (nurse-roster.ts); only the open visits of the nurses left are searched. Reads go to
// the store below the caller's restriction: who is free is the network's knowledge, not the caller's
// view of it (only the chosen nurse and distances are answered).
import type { Location, PractitionerRole, ServiceRequest, Task } from '@medplum/fhirtypes';
import { referenceTo } from '../../auth/policy/restriction';
import type { StoreOperations } from '../../store/port';
import { isOnDuty, requestedVisitTime, visitTimeOf } from './availability';
import { homeCareWorkflowSystem, openVisitStatuses, serviceCode } from './codes';
import type { Position } from './geo';
import { distanceWithin, nurseRoster, serviceAreaOf } from './nurse-roster';
import { searchAll, tokenFilter } from './store-queries';

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
  for (const { role, reference, area } of (await nurseRoster(store)).byService.get(code) ?? []) {
    ranking.authorized++;
    if (exclude.has(reference)) {
      ranking.declined++;
      continue;
    }
    const distance = distanceWithin(area, home);
    if (distance === undefined || !area) {
      ranking.outsideArea++;
      continue;
    }
    if (!isOnDuty(role, at)) {
      ranking.offDuty++;
      continue;
    }
    inArea.push({ role, reference, distanceKm: distance, radiusKm: area.radiusKm });
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

/** The distance and radius when the Location's area contains the home; undefined otherwise (or without a position and radius). */
export function serviceArea(location: Location | undefined, home: Position): { distanceKm: number; radiusKm: number } | undefined {
  const area = serviceAreaOf(location);
  const distance = distanceWithin(area, home);
  return area && distance !== undefined ? { distanceKm: distance, radiusKm: area.radiusKm } : undefined;
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
