// The network's home-care nurses as dispatch reads them, kept in memory: each active PractitionerRole
// authorized for a home-care service, with the services and the service area (position, radius and a
// bounding box) of her base Location. Reading them all from the store took most of a dispatch (532
// nurses and their Locations parsed per call at 10k resources, p50 344 ms); the roster is read once and
// read again only when a PractitionerRole or a Location changed. That is asked of the store before every
// use, so that a change made by another process sharing the store, or earlier in the same transaction,
// is seen at once: the newest version of each of the two types (type history, newest first, one step
// down the store's (type, write order) index) is the roster's marker, the way ResourceStore.changeMarker
// keeps the terminology caches right; history is used because it also answers inside a transaction.
import type { Location, PractitionerRole } from '@medplum/fhirtypes';
import type { SearchPlan } from '../../search/plan';
import type { StoreOperations } from '../../store/port';
import { tokenFilter } from './store-queries';
import { authorizedServiceUrl, homeCareServiceSystem } from './codes';
import { boundsAround, distanceKm, locationPosition, serviceRadiusKm, withinBounds, type Bounds, type Position } from './geo';

/** Where a nurse serves: around her base Location's position, within its radius. */
export interface ServiceArea {
  centre: Position;
  radiusKm: number;
  bounds: Bounds;
}

export interface RosterNurse {
  role: PractitionerRole;
  /** 'PractitionerRole/<id>'. */
  reference: string;
  /** Undefined when her first Location lacks a position or a service radius: she serves no home. */
  area?: ServiceArea;
}

export interface NurseRoster {
  /** The newest PractitionerRole and Location versions when it was read. */
  marker: string;
  /** The nurses authorized for each home-care service code. */
  byService: ReadonlyMap<string, readonly RosterNurse[]>;
}

const watchedTypes = ['PractitionerRole', 'Location'] as const;
const page = 1000;

/** One roster per store the dispatch reads through (a core's data store); a transaction's operations get their own. */
const rosters = new WeakMap<StoreOperations, NurseRoster>();

/** The roster as the store holds it now: the cached one when neither type changed since it was read. */
export async function nurseRoster(store: StoreOperations): Promise<NurseRoster> {
  const marker = await rosterMarker(store);
  const cached = rosters.get(store);
  if (cached?.marker === marker) {
    return cached;
  }
  const roster = { marker, byService: await readNurses(store) };
  rosters.set(store, roster);
  return roster;
}

/** The service area a Location describes; undefined without a position and a radius. */
export function serviceAreaOf(location: Location | undefined): ServiceArea | undefined {
  const centre = locationPosition(location);
  const radiusKm = serviceRadiusKm(location);
  return centre && radiusKm !== undefined ? { centre, radiusKm, bounds: boundsAround(centre, radiusKm) } : undefined;
}

/** The great-circle distance from the area's centre when the area contains the home; undefined otherwise. */
export function distanceWithin(area: ServiceArea | undefined, home: Position): number | undefined {
  if (!area || !withinBounds(area.bounds, home)) {
    return undefined;
  }
  const distance = distanceKm(area.centre, home);
  return distance <= area.radiusKm ? distance : undefined;
}

/** The newest version of each watched type, as text: it changes with every create, update or delete of one. */
async function rosterMarker(store: StoreOperations): Promise<string> {
  const newest = await Promise.all(watchedTypes.map((resourceType) => store.history({ resourceType, count: 1 })));
  return newest.map(({ versions: [v] }) => (v ? `${v.resourceType}/${v.id}/${v.versionId}/${v.lastUpdated}` : '-')).join(' ');
}

/** Every active PractitionerRole with a home-care service, by service, with the area of her first Location. */
async function readNurses(store: StoreOperations): Promise<Map<string, RosterNurse[]>> {
  const byService = new Map<string, RosterNurse[]>();
  let cursor: string | undefined;
  do {
    const plan: SearchPlan = {
      resourceType: 'PractitionerRole',
      filters: [tokenFilter('PractitionerRole', 'home-care-service', homeCareServiceSystem, undefined), tokenFilter('PractitionerRole', 'active', undefined, 'true')],
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
      const area = serviceAreaOf(locations.get(role.location?.[0]?.reference ?? ''));
      const nurse: RosterNurse = { role, reference: `PractitionerRole/${role.id}`, ...(area ? { area } : {}) };
      for (const code of authorizedServices(role)) {
        const nurses = byService.get(code) ?? [];
        nurses.push(nurse);
        byService.set(code, nurses);
      }
    }
    cursor = result.nextCursor;
  } while (cursor);
  return byService;
}

/** The home-care service codes a role's authorized-home-care-service extensions name. */
export function authorizedServices(role: PractitionerRole): Set<string> {
  const codes = new Set<string>();
  for (const extension of role.extension ?? []) {
    if (extension.url === authorizedServiceUrl) {
      for (const coding of extension.valueCodeableConcept?.coding ?? []) {
        if (coding.system === homeCareServiceSystem && coding.code) {
          codes.add(coding.code);
        }
      }
    }
  }
  return codes;
}
