// Authors and Provenance in the request pipeline (docs/audit.md, "Authors and Provenance"):
// - hook 'x-provenance': a client's own Provenance in the X-Provenance header (as HAPI FHIR and Medplum
//   take it) is checked (a Provenance, agents only the caller) before anything runs, for the request's writes;
// - write rule 'provenance': every write of a client (not the server's own: seed, bulk load) is recorded
//   by a Provenance written in the same transaction, the client's own one when it sent one; the writes of
//   one transaction (a transaction Bundle's entries) share one Provenance per activity;
// - write rule 'source-claims': meta.source, and the agents of a Provenance created directly, may not
//   claim another organization or user (provenance-claims.ts).
// Provenance and AuditEvent writes get no Provenance of their own: they are the record.
import { randomUUID } from 'node:crypto';
import type { Provenance } from '@medplum/fhirtypes';
import type { Caller } from '../fhir/pipeline/caller';
import type { RequestHook } from '../fhir/pipeline/hooks';
import type { Pipeline } from '../fhir/pipeline/pipeline';
import { ruleViolation, type WriteAction, type WriteRule } from '../fhir/pipeline/write-rules';
import { recordTypes } from '../fhir/record-types';
import { validateWrite } from '../fhir/validate-write';
import { badRequest } from '../outcomes';
import { provenanceClaimProblems, sourceClaimProblem } from './provenance-claims';
import { provenanceFor, type WrittenVersion } from './provenance-record';
import { authorOf } from './version-author';

export const provenanceRule = 'provenance';
export const sourceClaimsRule = 'source-claims';

const header = 'x-provenance';

export interface ProvenanceOptions {
  baseUrl: string;
  /** FHIR_PROVENANCE: write a Provenance for every client write (a client's X-Provenance is stored either way). */
  writeProvenance: boolean;
}

/**
 * The client Provenance of the request a caller makes. A Caller is made per request (http/fhir-endpoint)
 * and shared by its Bundle's entries, so the header of a Bundle request applies to each entry's write.
 */
const clientProvenances = new WeakMap<Caller, Provenance>();

export function provenancePipeline(options: ProvenanceOptions): Required<Pick<Pipeline, 'hooks' | 'writeRules'>> {
  return { hooks: [xProvenanceHook], writeRules: [sourceClaims(options.baseUrl), provenanceWrites(options.writeProvenance)] };
}

const xProvenanceHook: RequestHook = {
  name: 'x-provenance',
  before({ request, caller, entry }): void {
    const text = request.headers[header];
    if (entry || text === undefined) {
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw badRequest('X-Provenance must hold a Provenance resource as JSON', 'X-Provenance');
    }
    // The server fills in target and recorded: check the rest as the Provenance will be stored.
    const provenance = validateWrite({ ...(parsed as object), target: [{ reference: 'Patient/placeholder' }], recorded: new Date().toISOString() }, 'Provenance') as Provenance;
    const [problem] = provenanceClaimProblems(provenance, caller);
    if (problem && !claimsAnyone(caller)) {
      throw ruleViolation(sourceClaimsRule, `X-Provenance: ${problem.text}`, problem.expression);
    }
    clientProvenances.set(caller, provenance);
  },
  after({ caller, entry }): void {
    if (!entry) {
      clientProvenances.delete(caller);
    }
  },
};

/**
 * The server itself (seed, bulk load) and administrators (who load records migrated from other systems,
 * with their original sources and agents) may name others; docs/audit.md says so.
 */
function claimsAnyone(caller: Caller): boolean {
  return caller.kind === 'server' || caller.roles.includes('administrator');
}

function sourceClaims(baseUrl: string): WriteRule {
  return {
    name: sourceClaimsRule,
    async check(write) {
      if (!write.resource || claimsAnyone(write.caller)) {
        return;
      }
      const problem = sourceClaimProblem(write.resource, write.caller, baseUrl);
      if (problem) {
        throw ruleViolation(sourceClaimsRule, problem, `${write.resourceType}.meta.source`);
      }
      if (write.resource.resourceType === 'Provenance') {
        const [claim] = provenanceClaimProblems(write.resource, write.caller);
        if (claim) {
          throw ruleViolation(sourceClaimsRule, claim.text, claim.expression);
        }
      }
    },
  };
}

/**
 * The versions of a transaction still waiting for their Provenance, by activity. A transaction Bundle's
 * writes share one Provenance per activity instead of one each: who wrote a version is still one
 * `_revinclude=Provenance:target` away, since every version written is a target of exactly one
 * Provenance, the one of the transaction that wrote it, by the same caller at the same moment.
 */
const waiting = new WeakMap<object, Map<WriteAction, WrittenVersion[]>>();

function provenanceWrites(writeProvenance: boolean): WriteRule {
  return {
    name: provenanceRule,
    async check(write) {
      const clientProvenance = clientProvenances.get(write.caller);
      if (write.caller.kind === 'server' || recordTypes.includes(write.resourceType) || (!writeProvenance && !clientProvenance)) {
        return;
      }
      const previous = await write.previous();
      const existing = previous !== undefined && !previous.deleted;
      if (write.action === 'delete' && !existing) {
        return;
      }
      // The version this write makes; an update equal to the current version makes none (checked at the end).
      const versionId = String(Number(previous?.versionId ?? 0) + 1);
      const action = write.action === 'update' && !existing ? 'create' : write.action;
      write.atEnd(async (tx) => {
        const written = await tx.readVersion(write.resourceType, write.id, versionId);
        if (!written || written.deleted !== (action === 'delete')) {
          return;
        }
        let groups = waiting.get(write.transaction);
        if (!groups) {
          // The first version of the transaction to be recorded: its Provenance is written after every
          // end check queued so far (the other writes' included), and a write made later (a rule's
          // effect) opens another.
          const opened = new Map<WriteAction, WrittenVersion[]>();
          waiting.set(write.transaction, opened);
          write.atEnd(async (end) => {
            waiting.delete(write.transaction);
            for (const versions of opened.values()) {
              await end.create(provenanceFor(versions, write.caller, randomUUID(), clientProvenance), { author: authorOf(write.caller) });
            }
          });
          groups = opened;
        }
        const version = { action, resourceType: write.resourceType, id: write.id, versionId, lastUpdated: written.lastUpdated };
        const versions = groups.get(action);
        if (versions) {
          versions.push(version);
        } else {
          groups.set(action, [version]);
        }
      });
    },
  };
}
