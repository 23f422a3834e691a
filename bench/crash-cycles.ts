// Crash durability: concurrent writers (creates, updates, transactions) against the real server, killed
// with SIGKILL mid-write, cycle after cycle on the same store. After each restart, every acknowledged
// write must be there as acknowledged, and every transaction, acknowledged or not, must be all or nothing.
// The benchmark runs a long loop (npm run bench:reliability); CI runs a short one (test/reliability).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServerProcess, type ServerProcess } from './server-process';

export interface CrashFigures {
  cycles: number;
  writers: number;
  /** Writes acknowledged before a kill, each checked after the restart that followed. */
  acknowledgedWrites: number;
  /** Transactions sent (acknowledged or cut off by the kill), each checked for all-or-nothing. */
  transactionsChecked: number;
  /** Acknowledged writes not found as acknowledged after a restart: must be 0. */
  lostWrites: number;
  /** Transactions found partly applied: must be 0. */
  halfAppliedTransactions: number;
  /** The first few problems, for the report. */
  problems: string[];
}

export interface CrashOptions {
  cycles: number;
  writers: number;
  /** How long writes run before each kill, in ms (a random time up to this, from the first acknowledged write). */
  maxRunMs: number;
  log?: (line: string) => void;
}

const json = { 'Content-Type': 'application/fhir+json' };
const txSystem = 'urn:x-crash-test:transaction';

interface Acknowledged {
  kind: 'create' | 'update' | 'transaction';
  id: string;
  versionId: string;
  active?: boolean;
}

export async function runCrashCycles(options: CrashOptions): Promise<CrashFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-crash-'));
  const db = path.join(dir, 'crash.sqlite');
  const figures: CrashFigures = {
    cycles: 0,
    writers: options.writers,
    acknowledgedWrites: 0,
    transactionsChecked: 0,
    lostWrites: 0,
    halfAppliedTransactions: 0,
    problems: [],
  };
  const problem = (text: string): void => {
    if (figures.problems.length < 10) {
      figures.problems.push(text);
    }
  };
  let server: ServerProcess | undefined;
  try {
    for (let cycle = 0; cycle < options.cycles; cycle++) {
      server = await startServerProcess({ FHIR_DB: db });
      const base = server.baseUrl;
      const acknowledged: Acknowledged[] = [];
      const transactionsSent: string[] = [];
      let alive = true;
      const writers = Array.from({ length: options.writers }, (_, w) =>
        writeUntilKilled(base, `c${cycle}w${w}`, acknowledged, transactionsSent, () => alive)
      );
      // The kill's moment is random within the writing, counted from the first acknowledged write: on a
      // loaded machine a fresh server may take longer than the whole window to answer its first writes,
      // and a cycle killed before any is acknowledged checks nothing.
      await firstAcknowledged(acknowledged, firstWriteWaitMs);
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * options.maxRunMs));
      await server.kill();
      alive = false;
      await Promise.all(writers);
      server = await startServerProcess({ FHIR_DB: db });
      await verify(server.baseUrl, acknowledged, transactionsSent, figures, problem);
      await server.stop();
      server = undefined;
      figures.cycles++;
      options.log?.(`crash cycle ${cycle + 1}/${options.cycles}: ${acknowledged.length} acknowledged writes checked, ${transactionsSent.length} transactions`);
    }
    return figures;
  } finally {
    await server?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The longest wait for a fresh server's first acknowledged write before the kill's window starts. */
const firstWriteWaitMs = 30_000;

/** Resolves once a write is acknowledged, or after `limitMs`. */
async function firstAcknowledged(acknowledged: Acknowledged[], limitMs: number): Promise<void> {
  const until = Date.now() + limitMs;
  while (acknowledged.length === 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Creates, updates its own patients and sends transactions until the server dies; records what was acknowledged. */
async function writeUntilKilled(
  base: string,
  name: string,
  acknowledged: Acknowledged[],
  transactionsSent: string[],
  alive: () => boolean
): Promise<void> {
  const mine: { id: string; version: number; active: boolean }[] = [];
  try {
    for (let i = 0; alive(); i++) {
      const step = i % 3;
      if (step === 0 || !mine.length) {
        const res = await fetch(`${base}/Patient`, { method: 'POST', headers: json, body: JSON.stringify(crashPatient(`${name}-${i}`)) });
        const body = (await res.json()) as { id: string; meta: { versionId: string } };
        if (res.status === 201) {
          mine.push({ id: body.id, version: 1, active: false });
          acknowledged.push({ kind: 'create', id: body.id, versionId: body.meta.versionId });
        }
      } else if (step === 1) {
        const target = mine[i % mine.length];
        const active = !target.active;
        const res = await fetch(`${base}/Patient/${target.id}`, {
          method: 'PUT',
          headers: json,
          body: JSON.stringify({ ...crashPatient(target.id), id: target.id, active }),
        });
        const body = (await res.json()) as { meta: { versionId: string } };
        if (res.status === 200) {
          target.version = Number(body.meta.versionId);
          target.active = active;
          acknowledged.push({ kind: 'update', id: target.id, versionId: body.meta.versionId, active });
        }
      } else {
        const txId = `${name}-${i}`;
        transactionsSent.push(txId);
        const res = await fetch(base, { method: 'POST', headers: json, body: JSON.stringify(crashTransaction(txId)) });
        await res.arrayBuffer();
        if (res.status === 200) {
          acknowledged.push({ kind: 'transaction', id: txId, versionId: '1' });
        }
      }
    }
  } catch {
    // The kill cut the connection: what was in flight is unacknowledged.
  }
}

async function verify(
  base: string,
  acknowledged: Acknowledged[],
  transactionsSent: string[],
  figures: CrashFigures,
  problem: (text: string) => void
): Promise<void> {
  for (const write of acknowledged) {
    figures.acknowledgedWrites++;
    if (write.kind === 'transaction') {
      continue; // checked with every transaction below
    }
    const res = await fetch(`${base}/Patient/${write.id}/_history/${write.versionId}`);
    const body = (await res.json()) as { active?: boolean };
    if (res.status !== 200 || (write.kind === 'update' && body.active !== write.active)) {
      figures.lostWrites++;
      problem(`${write.kind} of Patient/${write.id} version ${write.versionId} acknowledged, then ${res.status} after the restart`);
    }
  }
  const ackedTransactions = new Set(acknowledged.filter((a) => a.kind === 'transaction').map((a) => a.id));
  for (const txId of transactionsSent) {
    figures.transactionsChecked++;
    const count = async (type: string): Promise<number> => {
      const res = await fetch(`${base}/${type}?identifier=${encodeURIComponent(`${txSystem}|${txId}`)}&_total=accurate&_count=0`);
      return ((await res.json()) as { total: number }).total;
    };
    const [patients, observations] = [await count('Patient'), await count('Observation')];
    const whole = patients === 1 && observations === 2;
    const none = patients === 0 && observations === 0;
    if (!whole && !none) {
      figures.halfAppliedTransactions++;
      problem(`transaction ${txId}: ${patients} of 1 Patient and ${observations} of 2 Observations stored`);
    } else if (ackedTransactions.has(txId) && !whole) {
      figures.lostWrites++;
      problem(`transaction ${txId} acknowledged, then not found after the restart`);
    }
  }
}

function crashPatient(tag: string): Record<string, unknown> {
  return { resourceType: 'Patient', identifier: [{ system: 'urn:x-crash-test:patient', value: tag }], active: false, name: [{ family: 'Crash', given: [tag] }] };
}

/** A Patient and two Observations about it, all tagged with the transaction's id. */
function crashTransaction(txId: string): Record<string, unknown> {
  const identifier = [{ system: txSystem, value: txId }];
  const observation = (code: string): Record<string, unknown> => ({
    fullUrl: `urn:uuid:${crypto.randomUUID()}`,
    resource: {
      resourceType: 'Observation',
      identifier,
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code }] },
      subject: { reference: 'urn:uuid:patient' },
      valueQuantity: { value: 120, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    },
    request: { method: 'POST', url: 'Observation' },
  });
  const patientUuid = `urn:uuid:${crypto.randomUUID()}`;
  const entries = [
    { fullUrl: patientUuid, resource: { resourceType: 'Patient', identifier, active: true }, request: { method: 'POST', url: 'Patient' } },
    observation('8480-6'),
    observation('8462-4'),
  ];
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: entries.map((e) => JSON.parse(JSON.stringify(e).replaceAll('urn:uuid:patient', patientUuid)) as unknown),
  };
}
