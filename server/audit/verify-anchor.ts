// Checks the stored history against an anchor exported earlier: every type's versions up to the
// anchor's position must give the anchored count and digest, and the AuditEvent chain the anchored head.
// A chain rewritten consistently (hashes recomputed) passes the chain checks but not this one.
import type { StoreOperations } from '../store/port';
import { digestHistory } from './anchor-digest';
import type { Anchor } from './anchor-token';

export interface AnchorBreak {
  /** The type whose versions differ; absent for the AuditEvent chain's head. */
  resourceType?: string;
  problem: string;
  expected: string;
  found: string;
}

/** The differences from the anchor; `resourceType` checks that type only (one resource's history). */
export async function compareWithAnchor(store: StoreOperations, anchor: Anchor, resourceType?: string): Promise<AnchorBreak[]> {
  const now = await digestHistory(store, { position: anchor.position, resourceType });
  const breaks: AnchorBreak[] = [];
  const types = resourceType ? [resourceType] : [...new Set([...Object.keys(anchor.types), ...Object.keys(now.types)])].sort();
  const shown = (d: { versions: number; digest: string } | undefined): string => (d ? `${d.versions} versions, digest ${d.digest}` : 'no versions');
  for (const type of types) {
    const anchored = anchor.types[type];
    const found = now.types[type];
    if (anchored?.versions !== found?.versions || anchored?.digest !== found?.digest) {
      breaks.push({
        resourceType: type,
        problem: `the ${type} versions written up to the anchor differ from the anchored ones: some were changed (and their hashes recomputed), removed or added since`,
        expected: shown(anchored),
        found: shown(found),
      });
    }
  }
  if (!resourceType && anchor.auditHead !== now.auditHead) {
    breaks.push({
      problem: 'the AuditEvent chain up to the anchor differs from the anchored one: it was rewritten or cut',
      expected: anchor.auditHead ?? '(none)',
      found: now.auditHead ?? '(none)',
    });
  }
  return breaks;
}
