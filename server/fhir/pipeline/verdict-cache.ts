// Verdicts of "is this resource visible under this restriction", kept across requests. A verdict depends
// on the resource's own content (its version) and on the resources the restriction's filters reach
// through chains and _has (for a clinic's clinician: Patient, Encounter, ServiceRequest); it stays right
// as long as neither changed. The store's change marker of those types (ResourceStore.changeMarker, one
// indexed lookup) says whether any process sharing the store committed a version of them since, so a
// write that moves a patient into or out of a clinic's population is seen by the very next request here
// and in every other process. Only committed data is cached: never a verdict reached inside a transaction.
import type { Filter, ResultRestriction } from '../../search/plan';

/** Reads the store's change marker of some types (ResourceStore.changeMarker). */
export type ChangeMarker = (resourceTypes: readonly string[]) => Promise<string>;

interface Verdict {
  versionId: string;
  marker: string;
  visible: boolean;
}

/**
 * Most verdicts kept in all (about 150 bytes each): a clinic's records at 10k are a few thousand
 * resources, and many callers share a restriction. When full, all are forgotten (they cost a query each).
 */
const maxVerdicts = 100_000;

const dependencies = new WeakMap<ResultRestriction, readonly string[]>();

/** One store's verdicts (a FHIR core keeps one, next to its store), by restriction and resource. */
export class VisibilityVerdicts {
  private readonly restrictionIds = new WeakMap<ResultRestriction, number>();
  private readonly verdicts = new Map<string, Verdict>();
  private nextId = 0;

  constructor(private readonly changeMarker: ChangeMarker) {}

  /**
   * Whether the resource (at `versionId`, its current version) is visible under `restriction`, answered
   * from an earlier verdict when the types it depends on are unchanged, else by `judge` (then remembered).
   * `restriction` must be one shared object per caller and type (narrowed-restriction.ts builds them so).
   */
  async visible(restriction: ResultRestriction, resourceType: string, id: string, versionId: string, judge: () => Promise<boolean>): Promise<boolean> {
    const types = dependedOnTypes(restriction);
    // Read before judging: a write committed meanwhile changes the marker the next request reads, so a
    // verdict judged on newer data than its marker is never reused under a newer one.
    const marker = types.length ? await this.changeMarker(types) : '';
    const key = `${this.idOf(restriction)} ${resourceType}/${id}`;
    const seen = this.verdicts.get(key);
    if (seen && seen.versionId === versionId && seen.marker === marker) {
      return seen.visible;
    }
    const visible = await judge();
    if (this.verdicts.size >= maxVerdicts) {
      this.verdicts.clear();
    }
    this.verdicts.set(key, { versionId, marker, visible });
    return visible;
  }

  private idOf(restriction: ResultRestriction): number {
    let id = this.restrictionIds.get(restriction);
    if (id === undefined) {
      id = this.nextId++;
      this.restrictionIds.set(restriction, id);
    }
    return id;
  }
}

/** The types whose writes may change a verdict besides the resource's own: chain targets and _has sources. */
export function dependedOnTypes(restriction: ResultRestriction): readonly string[] {
  let types = dependencies.get(restriction);
  if (!types) {
    const found = new Set<string>();
    Object.values(restriction.byType).forEach((filters) => filters.forEach((f) => addReachedTypes(f, found)));
    types = [...found].sort();
    dependencies.set(restriction, types);
  }
  return types;
}

/** Types whose resources a filter reads besides the row it tests: chain targets and _has sources, at any depth. */
export function addReachedTypes(filter: Filter, types: Set<string>): void {
  switch (filter.kind) {
    case 'chain':
      filter.targetTypes.forEach((t) => types.add(t));
      filter.filters.forEach((f) => addReachedTypes(f, types));
      return;
    case 'has':
      types.add(filter.referenceParam.resourceType);
      filter.filters.forEach((f) => addReachedTypes(f, types));
      return;
    case 'anyOf':
      filter.filters.forEach((f) => addReachedTypes(f, types));
      return;
    default:
      return;
  }
}
