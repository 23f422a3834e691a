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
import { baseStructureDefinition } from '../server/validation/structure-definitions';
import { patientRecord } from './generator/patient-records';

export interface ValidationFigures {
  kind: string;
  resourceType: string;
  perSecond: number[];
}

const repoRoot = path.resolve(__dirname, '..', '..');

/**
 * One valid example of each of the network's profiles (the first file of each profile name), so the
 * figures are per profile and per resource type.
 */
function profiledSamples(): { file: string; resource: Resource }[] {
  const dir = path.join(repoRoot, 'profiles', 'examples', 'valid');
  const seen = new Set<string>();
  const samples: { file: string; resource: Resource }[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const profile = file.split('--')[0];
    if (!seen.has(profile)) {
      seen.add(profile);
      samples.push({ file, resource: readJson<Resource>(path.join(dir, file)) });
    }
  }
  return samples;
}

export async function measureValidation(seed: number, runs: number, durationMs: number): Promise<ValidationFigures[]> {
  loadBaseSchema();
  const record = patientRecord(3, seed);
  const figures: ValidationFigures[] = [];
  const firstOfEachType = [...new Map(record.map((r) => [r.resourceType, r])).values()];
  for (const resource of firstOfEachType.slice(0, 2)) {
    const perSecond: number[] = [];
    for (let r = 0; r < runs; r++) {
      perSecond.push(await timeLoop(() => validateBaseSchema(resource), durationMs));
    }
    figures.push({ kind: 'base schema (ajv)', resourceType: resource.resourceType, perSecond });
  }
  const validator = networkValidator();
  // What every write of a generated resource runs: the base schema and the validator (base
  // definition of its type, and its profiles when it claims any).
  for (const resource of firstOfEachType) {
    await expectValid(validator, resource, resource.resourceType);
    const perSecond: number[] = [];
    for (let r = 0; r < runs; r++) {
      perSecond.push(await timeLoop(() => writeChecks(validator, resource), durationMs));
    }
    const claims = resource.meta?.profile?.length ? `profiles ${resource.meta.profile.map((p) => p.split('/').pop()).join(', ')}` : 'no profile';
    figures.push({ kind: `write checks, generated (${claims})`, resourceType: resource.resourceType, perSecond });
  }
  for (const { file, resource } of profiledSamples()) {
    await expectValid(validator, resource, file);
    const perSecond: number[] = [];
    for (let r = 0; r < runs; r++) {
      perSecond.push(await timeLoop(() => writeChecks(validator, resource), durationMs));
    }
    const profile = resource.meta?.profile?.[0]?.split('/').pop();
    figures.push({ kind: `base schema + profile ${profile} (cached)`, resourceType: resource.resourceType, perSecond });
  }
  return figures;
}

function writeChecks(validator: ResourceValidator, resource: Resource): Promise<unknown> {
  validateBaseSchema(resource);
  return validator.validate(resource);
}

async function expectValid(validator: ResourceValidator, resource: Resource, name: string): Promise<void> {
  const issues = [...validateBaseSchema(resource), ...(await validator.validate(resource))];
  if (issues.some((i) => i.severity === 'error')) {
    throw new Error(`${name} does not validate: ${issues.map((i) => i.details?.text).join('; ')}`);
  }
}

/** The server's validator over profiles/generated and terminology/, held in memory. */
export function networkValidator(): ResourceValidator {
  ensureFhirSchema();
  const profiles = new Map<string, StructureDefinition>();
  for (const resource of readDirectory(path.join(repoRoot, 'profiles', 'generated'))) {
    if (resource.resourceType === 'StructureDefinition') {
      profiles.set(resource.url, resource);
    }
  }
  const lookup = async (canonical: string): Promise<StructureDefinition | undefined> => {
    const url = canonical.split('|')[0];
    return profiles.get(url) ?? baseStructureDefinition(url);
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

/**
 * Validations per second of CPU time (one core) of `work`; a promise it returns is awaited (the profile
 * check). CPU time rather than wall time: on a machine shared with other work, wall time measures the
 * neighbours as much as the validator (runs of the same code differed threefold).
 */
export async function timeLoop(work: () => unknown, durationMs: number): Promise<number> {
  const run = async (times: number): Promise<void> => {
    for (let i = 0; i < times; i++) {
      const result = work();
      if (result instanceof Promise) {
        await result;
      }
    }
  };
  await run(durationMs >= 1000 ? 500 : 20); // a smoke run proves the loop works; it needs no warm JIT
  let count = 0;
  const started = process.cpuUsage();
  let cpuMs = 0;
  while (cpuMs < durationMs) {
    await run(100);
    count += 100;
    const used = process.cpuUsage(started);
    cpuMs = (used.user + used.system) / 1000;
  }
  return count / (cpuMs / 1000);
}

// `node dist/bench/validation-in-process.js [runs] [ms]`: these figures alone, without a server.
if (require.main === module) {
  const [runs, ms] = [Number(process.argv[2] ?? 3), Number(process.argv[3] ?? 1000)];
  void measureValidation(20261123, runs, ms).then((figures) => {
    for (const f of figures) {
      const sorted = [...f.perSecond].sort((a, b) => a - b);
      console.log(`${f.resourceType.padEnd(20)} ${Math.round(sorted[Math.floor(sorted.length / 2)]).toString().padStart(8)}/s  ${f.kind}`);
    }
  });
}
