// Recomputes the tamper-evidence chains (chain-hash.ts) from the stored versions and reports every
// break: a version whose stored bytes or columns no longer give its hash, one chained to a predecessor
// that changed or is gone, an AuditEvent whose link does not follow the one written before it. A version
// stored without a hash (written before hashes were kept) is counted as unchained, never as verified.
import type { ChainQuery, ChainRecord, StoreOperations } from '../store/port';
import { auditChainType, auditLink, versionHash } from './chain-hash';

export interface ChainBreak {
  resourceType: string;
  id: string;
  versionId: number;
  problem: string;
  expected?: string;
  found?: string;
}

export type VersionStatus = 'verified' | 'unchained' | 'broken';

export interface ChainReport {
  /** Versions examined. */
  versions: number;
  verified: number;
  unchained: number;
  breaks: ChainBreak[];
  /** Each version's status in write order, when the caller asked for them (one resource's history). */
  statuses?: { record: ChainRecord; status: VersionStatus }[];
}

/** Versions read per query. */
const pageSize = 1000;

/** Checks every stored version `query` selects (its `limit` and `after` are set here), page by page. */
export async function verifyChains(store: StoreOperations, query: Omit<ChainQuery, 'limit' | 'after'>, keepStatuses = false): Promise<ChainReport> {
  const report: ChainReport = { versions: 0, verified: 0, unchained: 0, breaks: [], ...(keepStatuses ? { statuses: [] } : {}) };
  let after: string | undefined;
  for (;;) {
    const page = await store.chainRecords({ ...query, after, limit: pageSize });
    for (const record of page) {
      const found = checkRecord(record);
      report.versions++;
      const status: VersionStatus = found.length ? 'broken' : record.hash === null ? 'unchained' : 'verified';
      if (status === 'verified') report.verified++;
      if (status === 'unchained') report.unchained++;
      report.breaks.push(...found);
      report.statuses?.push({ record, status });
    }
    if (page.length < pageSize) {
      return report;
    }
    after = page[page.length - 1].position;
  }
}

/** The breaks one version shows; none for a version without a hash (it has nothing to check). */
export function checkRecord(record: ChainRecord): ChainBreak[] {
  const where = { resourceType: record.resourceType, id: record.id, versionId: record.versionId };
  if (record.hash === null) {
    return [];
  }
  if (record.previousHash === undefined) {
    return [{ ...where, problem: `version ${record.versionId - 1}, which this version is chained to, is missing from the store` }];
  }
  const breaks: ChainBreak[] = [];
  const expected = versionHash(record.previousHash, record);
  if (expected !== record.hash) {
    breaks.push({
      ...where,
      problem:
        record.versionId > 1
          ? `the stored version does not give its hash: it, or version ${record.versionId - 1} it is chained to, was changed`
          : 'the stored version does not give its hash: it was changed',
      expected,
      found: record.hash,
    });
  }
  if (record.resourceType === auditChainType) {
    const link = auditLink(record.previousAuditHash, record.hash);
    if (record.auditHash !== link) {
      breaks.push({
        ...where,
        problem: 'the AuditEvent chain breaks here: this event, or the one written before it, was changed, removed or inserted',
        expected: link,
        found: record.auditHash ?? '(none)',
      });
    }
  }
  return breaks;
}
