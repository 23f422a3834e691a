// What keeping JSON exactly as sent costs (server/http/json-body.ts, server/json/number-text.ts), on one
// thread without HTTP or a store: a patient's transaction Bundle read as a request body (the checks of
// duplicate keys, depth and numbers, then the parse) against plain JSON.parse; a stored resource read back
// and one written, against plain JSON.parse and JSON.stringify. Each with decimals that print as written
// (the generator's, the common case) and with decimals written with trailing zeros (1.50), whose text is kept.
import type { Bundle } from '@medplum/fhirtypes';
import { defaultLimits } from '../server/config';
import { parseJsonBody } from '../server/http/json-body';
import { parseJsonKeepingNumbers, stringifyKeepingNumbers } from '../server/json/number-text';
import { patientRecord } from './generator/patient-records';
import { timeLoop } from './validation-in-process';

export interface JsonFigures {
  /** What is measured, and how: 'request body: checked parse', 'request body: JSON.parse', ... */
  kind: string;
  /** 'plain decimals' or 'decimals with kept text'. */
  numbers: string;
  bytes: number;
  perSecond: number[];
}

export async function measureJsonHandling(seed: number, runs: number, durationMs: number): Promise<JsonFigures[]> {
  const record = patientRecord(3, seed);
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: record.map((resource) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } })),
  };
  const plain = JSON.stringify(bundle);
  // The same Bundle with every decimal that has a fraction written to two places more (7.2 -> 7.200).
  const padded = plain.replace(/(:\s*-?\d+\.\d+)(?=[,}\]])/g, '$100');
  const observation = record.find((r) => r.resourceType === 'Observation' && JSON.stringify(r).match(/\d\.\d/)) ?? record[0];
  const storedPlain = JSON.stringify(observation);
  const storedPadded = storedPlain.replace(/(:\s*-?\d+\.\d+)(?=[,}\]])/g, '$100');
  const figures: JsonFigures[] = [];
  const measure = async (kind: string, numbers: string, bytes: number, work: () => unknown): Promise<void> => {
    const perSecond: number[] = [];
    for (let r = 0; r < runs; r++) {
      perSecond.push(await timeLoop(work, durationMs));
    }
    figures.push({ kind, numbers, bytes, perSecond });
  };
  for (const [numbers, body, stored] of [
    ['plain decimals', plain, storedPlain],
    ['decimals with kept text', padded, storedPadded],
  ] as const) {
    await measure('request body: JSON.parse (before)', numbers, body.length, () => JSON.parse(body));
    await measure('request body: checked, lossless parse', numbers, body.length, () => parseJsonBody(body, defaultLimits.jsonDepth));
    await measure('stored resource read: JSON.parse (before)', numbers, stored.length, () => JSON.parse(stored));
    await measure('stored resource read: lossless parse', numbers, stored.length, () => parseJsonKeepingNumbers(stored));
    const parsed = parseJsonKeepingNumbers(stored);
    await measure('stored resource write: JSON.stringify (before)', numbers, stored.length, () => JSON.stringify(parsed));
    await measure('stored resource write: keeping number text', numbers, stored.length, () => stringifyKeepingNumbers(parsed));
  }
  return figures;
}
