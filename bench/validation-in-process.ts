// Workload 6 (in-process part): how many resources per second one thread validates, without HTTP or a
// store: the base-schema check every write passes (ajv), and profile validation of resources that claim
// one of the network's profiles (the server's ResourceValidator, with its compiled profiles cached and
// the network's terminology in memory, so bindings are checked as on a write).
import type { Resource, StructureDefinition } from '@medplum/fhirtypes';
import fs from 'node:fs';
import path from 'node:path';
import { ensureFhirSchema } from '../server/search/indexing/fhir-schema';
import { BaseDefinitionsSource } from '../server/terminology/base-definitions-source';
import { LayeredTerminologySource } from '../server/terminology/layered-source';
import { LocalTerminology } from '../server/terminology/local-terminology';
import { InMemoryTerminologySource } from '../server/terminology/memory-source';
import { loadBaseSchema, validateBaseSchema } from '../server/validation/base-schema';
import { ResourceValidator } from '../server/validation/resource-validator';
import { baseStructureDefinitions } from '../server/validation/structure-definitions';
import { patientRecord } from './generator/patient-records';

export interface ValidationFigures {
  kind: string;
  resourceType: string;
  perSecond: number[];
}

const repoRoot = path.resolve(__dirname, '..', '..');
/** Valid examples of the network's profiles: an Observation (the aim is about it), and a heavier prescription. */
const profiledSamples = ['dhc-blood-pressure--clinic.json', 'dhc-lab-result--creatinine.json', 'dhc-cloud-prescription--seven-days-home-delivery.json'];

export async function measureValidation(seed: number, runs: number, durationMs: number): Promise<ValidationFigures[]> {
  loadBaseSchema();
  const record = patientRecord(3, seed);
  const samples: Resource[] = [record[0], record.find((r) => r.resourceType === 'Observation')!];
  const figures: ValidationFigures[] = [];
  for (const resource of samples) {
    const perSecond: number[] = [];
    for (let r = 0; r < runs; r++) {
      perSecond.push(await timeLoop(() => validateBaseSchema(resource), durationMs));
    }
    figures.push({ kind: 'base schema (ajv)', resourceType: resource.resourceType, perSecond });
  }
  const validator = networkValidator();
  for (const file of profiledSamples) {
    const resource = readJson<Resource>(path.join(repoRoot, 'profiles', 'examples', 'valid', file));
    const issues = await validator.validate(resource);
    if (issues.some((i) => i.severity === 'error')) {
      throw new Error(`${file} does not validate: ${issues.map((i) => i.details?.text).join('; ')}`);
    }
    const perSecond: number[] = [];
    for (let r = 0; r < runs; r++) {
      perSecond.push(
        await timeLoop(() => {
          validateBaseSchema(resource);
          return validator.validate(resource);
        }, durationMs)
      );
    }
    const profile = resource.meta?.profile?.[0]?.split('/').pop();
    figures.push({ kind: `base schema + profile ${profile} (cached)`, resourceType: resource.resourceType, perSecond });
  }
  return figures;
}

/** The server's validator over profiles/generated and terminology/, held in memory. */
function networkValidator(): ResourceValidator {
  ensureFhirSchema();
  const profiles = new Map<string, StructureDefinition>();
  for (const resource of readDirectory(path.join(repoRoot, 'profiles', 'generated'))) {
    if (resource.resourceType === 'StructureDefinition') {
      profiles.set(resource.url, resource);
    }
  }
  const lookup = async (canonical: string): Promise<StructureDefinition | undefined> => {
    const url = canonical.split('|')[0];
    return profiles.get(url) ?? baseStructureDefinitions().get(url);
  };
  const network = ['codesystems', 'valuesets', 'conceptmaps'].flatMap((dir) => readDirectory(path.join(repoRoot, 'terminology', dir)));
  const terminology = new LocalTerminology(new LayeredTerminologySource([new InMemoryTerminologySource(network), new BaseDefinitionsSource()]));
  return new ResourceValidator(lookup, terminology);
}

function readDirectory(dir: string): Resource[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => readJson<Resource>(path.join(dir, f)));
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** Validations per second of `work` on this thread; a promise it returns is awaited (the profile check). */
export async function timeLoop(work: () => unknown, durationMs: number): Promise<number> {
  const run = async (times: number): Promise<void> => {
    for (let i = 0; i < times; i++) {
      const result = work();
      if (result instanceof Promise) {
        await result;
      }
    }
  };
  await run(500);
  let count = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    await run(100);
    count += 100;
    elapsed = performance.now() - started;
  }
  return count / (elapsed / 1000);
}
