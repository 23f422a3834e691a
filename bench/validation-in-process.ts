// Workload 6 (in-process part): how many resources per second the base-schema check validates in one
// thread, without HTTP. Profiled validation is added here when the network's profiles land.
import type { Resource } from '@medplum/fhirtypes';
import { loadBaseSchema, validateBaseSchema } from '../server/validation/base-schema';
import { patientRecord } from './generator/patient-records';

export interface ValidationFigures {
  kind: string;
  resourceType: string;
  perSecond: number[];
}

export function measureValidation(seed: number, runs: number, durationMs: number): ValidationFigures[] {
  loadBaseSchema();
  const record = patientRecord(3, seed);
  const samples: Resource[] = [record[0], record.find((r) => r.resourceType === 'Observation')!];
  return samples.map((resource) => ({
    kind: 'base schema (ajv)',
    resourceType: resource.resourceType,
    perSecond: Array.from({ length: runs }, () => timeLoop(() => validateBaseSchema(resource), durationMs)),
  }));
}

function timeLoop(work: () => unknown, durationMs: number): number {
  for (let i = 0; i < 1000; i++) {
    work();
  }
  let count = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    for (let i = 0; i < 500; i++) {
      work();
    }
    count += 500;
    elapsed = performance.now() - started;
  }
  return count / (elapsed / 1000);
}
