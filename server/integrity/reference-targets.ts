// Rule 'reference-target-exists': a literal reference to a resource on this server must point at one that
// exists (and, with /_history/n, at a version that exists), as HAPI FHIR enforces by default
// (https://hl7.org/fhir/R4/references.html#literal). It is checked when the transaction's writes are all
// made, so that a transaction's own entries count whatever their order. A `urn:uuid:`/`urn:oid:`
// placeholder names another entry of a transaction Bundle; anywhere else (a batch entry, a single
// request) it can never resolve and is refused rather than stored verbatim.
import type { Resource } from '@medplum/fhirtypes';
import type { ResourceVersion, StoreOperations } from '../store/port';
import { rewriteReferences } from '../fhir/bundle/reference-rewrite';
import { ruleViolation, type WriteRule } from '../fhir/pipeline/write-rules';
import { isValidId } from '../fhir/ids';
import { isResourceType } from '../fhir/resource-definitions';

export const referenceTargetRule = 'reference-target-exists';

/**
 * References not checked: those that record what happened to a resource (they stay valid after it is
 * gone), and those inside a stored Bundle's entries, which resolve within the Bundle (its fullUrls), not
 * on this server (https://hl7.org/fhir/R4/bundle.html#references).
 */
const uncheckedReferences = [/^Provenance\.target\[\d+\]\.reference$/, /^AuditEvent\.entity\[\d+\]\.what\.reference$/, /^Bundle\.entry\[/];

interface LocalReference {
  path: string;
  reference: string;
  resourceType: string;
  id: string;
  versionId?: string;
}

/**
 * The targets already looked up in one store transaction (keyed by `write.transaction`), by
 * 'Type/id/version': the entries of a patient's record all refer to the same patient, encounter and
 * organization, so a 74-entry Bundle reads each of them once instead of once per entry. A write of a
 * resource through the rules (an entry, a rule's effect) forgets what was read of it; the other writes
 * of a transaction (its Provenance) only create, which can only make a missing target exist, and a
 * missing target is never remembered: it fails the transaction.
 */
const lookedUp = new WeakMap<object, Map<string, Promise<ResourceVersion | undefined>>>();

function lookUp(tx: StoreOperations, transaction: object, ref: LocalReference): Promise<ResourceVersion | undefined> {
  let targets = lookedUp.get(transaction);
  if (!targets) {
    targets = new Map();
    lookedUp.set(transaction, targets);
  }
  const key = `${ref.resourceType}/${ref.id}/${ref.versionId ?? ''}`;
  let found = targets.get(key);
  if (!found) {
    found = ref.versionId ? tx.readVersion(ref.resourceType, ref.id, ref.versionId) : tx.readCurrent(ref.resourceType, ref.id);
    targets.set(key, found);
  }
  return found;
}

export function referenceTargetsExist(baseUrl: string): WriteRule {
  return {
    name: referenceTargetRule,
    async check(write) {
      // This write changes what a later check would read of its resource (its versions are immutable).
      lookedUp.get(write.transaction)?.delete(`${write.resourceType}/${write.id}/`);
      if (!write.resource) {
        return;
      }
      const references = localReferences(write.resource, baseUrl);
      if (!references.length) {
        return;
      }
      write.atEnd(async (tx) => {
        for (const ref of references) {
          const found = await lookUp(tx, write.transaction, ref);
          if (!found || (!ref.versionId && found.deleted)) {
            const state = !found ? 'does not exist' : 'was deleted';
            throw ruleViolation(
              referenceTargetRule,
              `${ref.path} refers to ${ref.reference}, which ${state} on this server: create it first (in a transaction, as another entry)`,
              ref.path
            );
          }
        }
      });
    },
  };
}

/** The literal references of a resource that point at this server, each with its element path. */
function localReferences(resource: Resource, baseUrl: string): LocalReference[] {
  const found: LocalReference[] = [];
  const seen = new Set<string>();
  // The walker rewrites nothing here (it returns undefined); it visits every Reference.reference.
  rewriteReferences(
    resource,
    (reference, path) => {
      if (uncheckedReferences.some((pattern) => pattern.test(path))) {
        return undefined;
      }
      if (reference.startsWith('urn:uuid:') || reference.startsWith('urn:oid:')) {
        throw ruleViolation(
          referenceTargetRule,
          `${path} is '${reference}', a placeholder for another entry that only a transaction Bundle resolves; refer to the resource by Type/id`,
          path
        );
      }
      const local = parseLocal(reference, baseUrl);
      if (local && !seen.has(`${local.resourceType}/${local.id}/${local.versionId ?? ''}`)) {
        seen.add(`${local.resourceType}/${local.id}/${local.versionId ?? ''}`);
        found.push({ ...local, path, reference });
      }
      return undefined;
    },
    resource.resourceType
  );
  return found;
}

/** 'Type/id', 'Type/id/_history/v', or the same under this server's base; undefined for other references. */
function parseLocal(reference: string, baseUrl: string): Omit<LocalReference, 'path' | 'reference'> | undefined {
  const relative = reference.startsWith(baseUrl + '/') ? reference.slice(baseUrl.length + 1) : reference;
  const match = /^([A-Z][A-Za-z]+)\/([^/]+)(?:\/_history\/([^/]+))?$/.exec(relative);
  if (!match || !isResourceType(match[1]) || !isValidId(match[2])) {
    return undefined;
  }
  return { resourceType: match[1], id: match[2], ...(match[3] ? { versionId: match[3] } : {}) };
}
