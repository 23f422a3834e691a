// profiles/examples: at least one valid and three invalid examples per profile. Every valid example passes
// @medplum/core's validator against its profile; every invalid one, named <profile id>--<rule>.json,
// breaks that rule and no other: medplum's outcome names the rule (the invariant key, or the element
// path), or profiles/examples/manifest.json lists it as checked by the server's validation layer, with why.
import type { StructureDefinition } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import {
  examplesDir,
  repoRoot,
  indexGeneratedProfiles,
  issueNamesRule,
  parseInvalidName,
  readExamples,
  readJsonFile,
  resourceProfiles,
  validateWithProfile,
  withChoiceElements,
} from './profile-validation';

/** profiles/examples/manifest.json: per invalid example, its profile, rule and who detects it. */
interface InvalidManifest {
  invalid: Record<string, { profile: string; rule: string; checkedBy: 'medplum' | 'server-layer'; why?: string }>;
}

/** Codes of the code systems shipped in terminology/ (fragments of LOINC and ICD-10 included), by url. */
function shippedCodes(): Map<string, Map<string, { abstract: boolean }>> {
  const dir = path.join(repoRoot, 'terminology', 'codesystems');
  const systems = new Map<string, Map<string, { abstract: boolean }>>();
  type Concept = { code: string; concept?: Concept[]; property?: { code: string; valueBoolean?: boolean }[] };
  const walk = (concepts: Concept[] | undefined, into: Map<string, { abstract: boolean }>): void => {
    for (const c of concepts ?? []) {
      into.set(c.code, { abstract: c.property?.some((p) => p.code === 'notSelectable' && p.valueBoolean) ?? false });
      walk(c.concept, into);
    }
  };
  for (const file of fs.readdirSync(dir)) {
    const cs = readJsonFile<{ url: string; concept?: Concept[] }>(path.join(dir, file));
    const codes = new Map<string, { abstract: boolean }>();
    walk(cs.concept, codes);
    systems.set(cs.url, codes);
  }
  return systems;
}

/** Every Coding-like object ({system, code}) in a resource, with where it is. */
function codings(value: unknown, at = ''): { at: string; system: string; code: string }[] {
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => codings(v, `${at}[${i}]`));
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const own = typeof o.system === 'string' && typeof o.code === 'string' ? [{ at, system: o.system, code: o.code }] : [];
    return [...own, ...Object.entries(o).flatMap(([k, v]) => codings(v, at ? `${at}.${k}` : k))];
  }
  return [];
}

describe('profiles/examples', () => {
  const profiles = resourceProfiles();
  const byId = new Map<string, StructureDefinition>(profiles.map((p) => [p.id as string, p]));
  const valid = readExamples('valid');
  const invalid = readExamples('invalid');
  const manifest = readJsonFile<InvalidManifest>(path.join(examplesDir, 'manifest.json'));
  const profileOf = (file: string): StructureDefinition => {
    const profile = byId.get(file.split('--')[0]);
    assert.ok(profile, `${file}: the name starts with a profile id (${[...byId.keys()].join(', ')})`);
    return profile;
  };

  before(() => {
    indexGeneratedProfiles();
  });

  it('every example is a resource of its profile type that claims the profile in meta.profile', () => {
    for (const { file, resource } of [...valid, ...invalid]) {
      const profile = profileOf(file);
      assert.equal(resource.resourceType, profile.type, `${file}: resourceType`);
      assert.deepEqual(resource.meta?.profile, [profile.url], `${file}: meta.profile`);
      assert.match(resource.id ?? '', /^[A-Za-z0-9\-.]{1,64}$/, `${file}: id`);
    }
  });

  it('every profile has at least one valid and three invalid examples', () => {
    for (const profile of profiles) {
      const prefix = `${profile.id}--`;
      const validCount = valid.filter((e) => e.file.startsWith(prefix)).length;
      const invalidCount = invalid.filter((e) => e.file.startsWith(prefix)).length;
      assert.ok(validCount >= 1, `${profile.id}: ${validCount} valid examples`);
      assert.ok(invalidCount >= 3, `${profile.id}: ${invalidCount} invalid examples`);
    }
  });

  it('every invalid example names a rule of its profile: one of its invariant keys or element paths', () => {
    for (const { file } of invalid) {
      const { rule } = parseInvalidName(file);
      const profile = profileOf(file);
      const elements = profile.snapshot?.element ?? [];
      if (/^dhc-[a-z0-9]+-\d+$/.test(rule)) {
        assert.ok(
          elements.some((e) => e.constraint?.some((c) => c.key === rule)),
          `${file}: ${rule} is an invariant of ${profile.id}`
        );
      } else {
        const wanted = withChoiceElements(rule);
        assert.ok(
          elements.some((e) => e.id === wanted || e.id === `${wanted}[x]`),
          `${file}: ${rule} (${wanted}) is an element of ${profile.id}'s snapshot`
        );
      }
    }
  });

  it("valid examples use selectable codes that exist in the network's code systems (medplum does not check codes)", () => {
    const systems = shippedCodes();
    const wrong: string[] = [];
    for (const { file, resource } of valid) {
      for (const { at, system, code } of codings(resource)) {
        const concept = systems.get(system)?.get(code);
        if (systems.has(system) && (!concept || concept.abstract)) {
          wrong.push(`${file} ${at}: ${system}|${code}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  for (const { file, resource } of valid) {
    it(`valid/${file} conforms to its profile`, () => {
      const { errors } = validateWithProfile(resource, profileOf(file));
      assert.deepEqual(
        errors.map((i) => `${i.details?.text} @ ${i.expression?.join(', ')}`),
        [],
        `${file} should conform`
      );
    });
  }

  for (const { file, resource } of invalid) {
    const { rule } = parseInvalidName(file);
    const serverLayer = manifest.invalid[file]?.checkedBy === 'server-layer';
    const title = serverLayer ? `invalid/${file} breaks ${rule}: checked by the server's validation layer` : `invalid/${file} fails naming ${rule}`;
    it(title, () => {
      const { errors } = validateWithProfile(resource, profileOf(file));
      const others = errors.filter((i) => !issueNamesRule(i, rule));
      assert.deepEqual(
        others.map((i) => `${i.details?.text} @ ${i.expression?.join(', ')}`),
        [],
        `${file} breaks ${rule} and nothing else`
      );
      if (!serverLayer) {
        assert.ok(errors.length > 0, `${file}: medplum reports ${rule}`);
      }
    });
  }

  it('the manifest lists every invalid example with the profile and rule of its name, and why for the server layer', () => {
    assert.deepEqual(Object.keys(manifest.invalid).sort(), invalid.map((e) => e.file));
    for (const [file, entry] of Object.entries(manifest.invalid)) {
      const { rule } = parseInvalidName(file);
      assert.equal(entry.profile, profileOf(file).url, `${file}: profile`);
      assert.equal(entry.rule, rule, `${file}: rule`);
      assert.ok(entry.checkedBy === 'medplum' || (entry.checkedBy === 'server-layer' && entry.why), `${file}: checkedBy and why`);
    }
  });
});
