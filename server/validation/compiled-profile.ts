// A profile ready to validate against: its StructureDefinition parsed once by @medplum/core into the
// schema the crawler walks, with everything the walk looks up resolved beforehand (the extension
// definitions its elements name, and the resource type behind each Reference target profile), so
// that validating a resource is synchronous and never parses or reads anything.
import { parseStructureDefinition, type InternalSchemaElement, type InternalTypeSchema } from '@medplum/core';
import type { StructureDefinition } from '@medplum/fhirtypes';

export interface CompiledProfile {
  url: string;
  version?: string;
  /** The resource or data type the profile constrains. */
  type: string;
  name: string;
  schema: InternalTypeSchema;
  /** Extension definitions named by the profile's elements (and by theirs), by url. */
  extensions: ReadonlyMap<string, InternalTypeSchema>;
  /** For each target profile of a Reference element, the resource type it constrains. */
  targetTypes: ReadonlyMap<string, string>;
  /** The schemas this profile defines (root, backbone elements, extensions): only they restrict choice types. */
  ownSchemas: ReadonlySet<InternalTypeSchema>;
}

/** Finds a StructureDefinition by canonical url; undefined when it is not known. */
export type DefinitionLookup = (url: string) => Promise<StructureDefinition | undefined>;

const hl7StructureDefinition = 'http://hl7.org/fhir/StructureDefinition/';

/** Parses `sd` and resolves what its elements refer to. Unknown extensions and targets are simply not checked. */
export async function compileProfile(sd: StructureDefinition, lookup: DefinitionLookup): Promise<CompiledProfile> {
  if (!sd.snapshot?.element?.length) {
    throw new Error(`StructureDefinition ${sd.url} has no snapshot; generate one (npm run profiles does) before using it as a profile`);
  }
  const schema = parseStructureDefinition(sd);
  const extensions = new Map<string, InternalTypeSchema>();
  const targetTypes = new Map<string, string>();
  const ownSchemas = new Set<InternalTypeSchema>();
  const pending: InternalTypeSchema[] = [schema];
  while (pending.length) {
    const current = pending.pop() as InternalTypeSchema;
    if (ownSchemas.has(current)) {
      continue;
    }
    ownSchemas.add(current);
    pending.push(...current.innerTypes);
    for (const element of elementsOf(current)) {
      for (const type of element.type ?? []) {
        for (const target of type.targetProfile ?? []) {
          if (!targetTypes.has(target)) {
            const resolved = await targetType(target, lookup);
            if (resolved) {
              targetTypes.set(target, resolved);
            }
          }
        }
        if (type.code !== 'Extension') {
          continue;
        }
        for (const url of type.profile ?? []) {
          if (extensions.has(url)) {
            continue;
          }
          const definition = await lookup(url);
          if (definition?.snapshot?.element?.length) {
            const extensionSchema = parseStructureDefinition(definition);
            extensions.set(url, extensionSchema);
            pending.push(extensionSchema);
          }
        }
      }
    }
  }
  return {
    url: sd.url,
    ...(sd.version ? { version: sd.version } : {}),
    type: sd.type,
    name: sd.name,
    schema,
    extensions,
    targetTypes,
    ownSchemas,
  };
}

/** A schema's elements, and those of its slices, where the types naming extensions and targets sit. */
function* elementsOf(schema: InternalTypeSchema): Generator<InternalSchemaElement> {
  for (const element of Object.values(schema.elements)) {
    yield element;
    for (const slice of element.slicing?.slices ?? []) {
      yield slice;
      yield* Object.values(slice.elements);
    }
  }
}

/** Base resource profiles name their type in the url; any other profile says it in StructureDefinition.type. */
async function targetType(target: string, lookup: DefinitionLookup): Promise<string | undefined> {
  const base = target.split('|')[0];
  if (base.startsWith(hl7StructureDefinition) && !base.slice(hl7StructureDefinition.length).includes('/')) {
    const name = base.slice(hl7StructureDefinition.length);
    if (/^[A-Z]/.test(name)) {
      const definition = await lookup(base);
      // A base type's own definition (derivation specialization) or a profile of the base spec (vitalsigns).
      return definition?.type ?? name;
    }
  }
  return (await lookup(base))?.type;
}
