// Archiving old AuditEvents without breaking their chain (docs/audit.md, "Retention"): the events last
// written before a date are exported in chain order to NDJSON (one line per stored version: its chain
// columns and its exact stored JSON text), with a manifest signed by the server's key; the file is read
// back and verified against what the store's chain said; only then are the events purged from the store,
// which keeps the boundary (the last archived link) so that the chain left in the store, and the next
// archive, go on from it. `verifyArchive` re-checks an archive offline against its manifest.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SigningKeyRing } from '../auth/signing-keys';
import type { ChainRecord, ResourceStore } from '../store/port';
import { archiveFileName, manifestFileName, manifestSignatureProblem, signManifest, type ArchiveManifest, type ArchiveManifestContent, type KeyLookup } from './archive-manifest';
import { auditChainType, auditLink, versionHash } from './chain-hash';
import { checkRecord } from './verify-chain';

/** One line of the NDJSON file: a stored AuditEvent version with what its hashes cover. */
export interface ArchivedVersion {
  position: string;
  id: string;
  versionId: number;
  /** ms since epoch. */
  lastUpdated: number;
  deleted: boolean;
  author: string | null;
  hash: string;
  auditHash: string;
  /** The stored JSON text, exactly (the AuditEvent: JSON.parse it). */
  content: string | null;
}

export type ArchiveResult = { archived: false; reason: string } | { archived: true; manifest: ArchiveManifest; purged: number; directory: string };

/** Versions read from the store per query. */
const pageSize = 1000;

/**
 * Archives the AuditEvents written before `before` into `outDir` (created; must not hold an archive),
 * then purges them from the store; the store's newest version is never archived. Refuses (throws) when the store's chain over them is broken or
 * unchained: such events are evidence to look into, not to archive away.
 */
export async function archiveAuditEvents(store: ResourceStore, keys: SigningKeyRing, issuer: string, before: Date, outDir: string): Promise<ArchiveResult> {
  if (!store.purgeAuditEvents) {
    throw new Error('this store cannot purge AuditEvents, so they cannot be archived');
  }
  const file = path.join(outDir, archiveFileName);
  if (fs.existsSync(path.join(outDir, manifestFileName)) || fs.existsSync(file)) {
    throw new Error(`${outDir} already holds an archive; give an empty directory`);
  }
  // The store's newest version stays: SQLite gives the next version the position after the newest one
  // left, so purging the newest would let new versions take archived positions again.
  const exported = await exportChain(store, before.getTime(), await store.newestPosition(), file, outDir);
  if (!exported) {
    return { archived: false, reason: `no AuditEvent was written before ${before.toISOString()}` };
  }
  const { first, last, events, sha256, bytes } = exported;
  const content: ArchiveManifestContent = {
    format: 'dhc-audit-archive/1',
    issuer,
    archivedAt: new Date().toISOString(),
    before: before.toISOString(),
    events,
    file: archiveFileName,
    sha256,
    bytes,
    first: { position: first.position, id: first.id, previousAuditHash: first.previousAuditHash },
    last: { position: last.position, id: last.id, auditHash: last.auditHash as string },
  };
  const manifest = signManifest(content, keys);
  fs.writeFileSync(path.join(outDir, manifestFileName), `${JSON.stringify(manifest, null, 2)}\n`);
  // The file as written, read back: what is purged next is exactly what the archive holds.
  const check = verifyArchive(outDir, (kid) => keys.find(kid)?.publicKey);
  if (!check.verified) {
    throw new Error(`the archive written does not verify, nothing was purged: ${check.problems.join('; ')}`);
  }
  const purged = await store.purgeAuditEvents({ position: last.position, auditHash: content.last.auditHash, events });
  return { archived: true, manifest, purged, directory: outDir };
}

/** Writes the chain prefix written before `beforeMs`; undefined (and no file) when there is none. */
async function exportChain(
  store: ResourceStore,
  beforeMs: number,
  newest: string,
  file: string,
  outDir: string
): Promise<{ first: ChainRecord; last: ChainRecord; events: number; sha256: string; bytes: number } | undefined> {
  let first: ChainRecord | undefined;
  let last: ChainRecord | undefined;
  let events = 0;
  let bytes = 0;
  const sha = createHash('sha256');
  let fd: number | undefined;
  try {
    let after: string | undefined;
    for (;;) {
      const page = await store.chainRecords({ resourceType: auditChainType, after, limit: pageSize });
      const end = page.findIndex((r) => r.lastUpdated >= beforeMs || r.position === newest);
      const kept = end === -1 ? page : page.slice(0, end);
      for (const record of kept) {
        refuseUnverified(record);
        const line = `${JSON.stringify(archivedVersion(record))}\n`;
        if (fd === undefined) {
          fs.mkdirSync(outDir, { recursive: true });
          fd = fs.openSync(file, 'wx');
        }
        fs.writeSync(fd, line);
        sha.update(line);
        bytes += Buffer.byteLength(line);
        events++;
        first ??= record;
        last = record;
      }
      if (kept.length < page.length || page.length < pageSize) {
        break;
      }
      after = page[page.length - 1].position;
    }
  } finally {
    if (fd !== undefined) {
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    }
  }
  return first && last ? { first, last, events, sha256: sha.digest('hex'), bytes } : undefined;
}

/** The store's chain must hold over what is archived: a break or an unchained event stops the archive. */
function refuseUnverified(record: ChainRecord): void {
  const where = `${record.resourceType}/${record.id}/_history/${record.versionId}`;
  if (record.hash === null || record.auditHash === null) {
    throw new Error(`${where} is unchained (written before hashes were kept): it cannot be archived with proof; nothing was archived`);
  }
  const found = checkRecord(record);
  if (found.length) {
    throw new Error(`the AuditEvent chain in the store is broken at ${where} (${found[0].problem}): run $verify-history and look into it; nothing was archived`);
  }
}

function archivedVersion(record: ChainRecord): ArchivedVersion {
  return {
    position: record.position,
    id: record.id,
    versionId: record.versionId,
    lastUpdated: record.lastUpdated,
    deleted: record.deleted,
    author: record.author,
    hash: record.hash as string,
    auditHash: record.auditHash as string,
    content: record.content,
  };
}

export interface ArchiveCheck {
  verified: boolean;
  events: number;
  problems: string[];
  manifest?: ArchiveManifest;
}

/**
 * Re-verifies an archive directory without the store: the manifest's signature, the file's SHA-256 and
 * length, and every line's version hash and AuditEvent link, from the manifest's first previous link to
 * its last link, with the count and positions it states.
 */
export function verifyArchive(dir: string, lookup: KeyLookup): ArchiveCheck {
  const problems: string[] = [];
  let manifest: ArchiveManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, manifestFileName), 'utf8')) as ArchiveManifest;
  } catch (err) {
    return { verified: false, events: 0, problems: [`no readable ${manifestFileName}: ${err instanceof Error ? err.message : String(err)}`] };
  }
  const signatureProblem = manifestSignatureProblem(manifest, lookup);
  if (signatureProblem) {
    problems.push(signatureProblem);
  }
  const text = fs.readFileSync(path.join(dir, path.basename(manifest.file ?? archiveFileName)));
  if (createHash('sha256').update(text).digest('hex') !== manifest.sha256 || text.length !== manifest.bytes) {
    problems.push(`${manifest.file} is not the file the manifest names (its SHA-256 or length differs)`);
  }
  const lines = text.toString('utf8').split('\n').filter((l) => l.length > 0);
  const versionHashes = new Map<string, string>();
  let link = manifest.first?.previousAuditHash ?? null;
  let previousPosition: string | undefined;
  lines.forEach((line, i) => {
    const at = `line ${i + 1}`;
    let version: ArchivedVersion;
    try {
      version = JSON.parse(line) as ArchivedVersion;
    } catch {
      problems.push(`${at} is not JSON`);
      return;
    }
    const previousHash = version.versionId === 1 ? null : versionHashes.get(`${version.id}/${version.versionId - 1}`);
    if (previousHash === undefined) {
      problems.push(`${at} (AuditEvent/${version.id}/_history/${version.versionId}): the version it is chained to is not in the archive`);
    } else if (versionHash(previousHash, { ...version, resourceType: auditChainType, content: version.content }) !== version.hash) {
      problems.push(`${at} (AuditEvent/${version.id}/_history/${version.versionId}): the event does not give its hash: it was changed`);
    }
    if (auditLink(link, version.hash) !== version.auditHash) {
      problems.push(`${at} (AuditEvent/${version.id}): the AuditEvent chain breaks here: an event was changed, removed or inserted`);
    }
    if (previousPosition !== undefined && comparePositions(version.position, previousPosition) <= 0) {
      problems.push(`${at}: out of chain order`);
    }
    versionHashes.set(`${version.id}/${version.versionId}`, version.hash);
    link = version.auditHash;
    previousPosition = version.position;
    if (i === 0 && (version.position !== manifest.first?.position || version.id !== manifest.first?.id)) {
      problems.push('the first event is not the one the manifest names');
    }
  });
  if (lines.length !== manifest.events) {
    problems.push(`the archive holds ${lines.length} events, the manifest says ${manifest.events}`);
  }
  if (link !== manifest.last?.auditHash || previousPosition !== manifest.last?.position) {
    problems.push('the last event and its chain link are not the ones the manifest names');
  }
  return { verified: problems.length === 0, events: lines.length, problems, manifest };
}

/** Positions are opaque but ordered: SQLite's are integers, MongoDB's fixed-width strings. */
function comparePositions(a: string, b: string): number {
  return /^\d+$/.test(a) && /^\d+$/.test(b) && a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}
