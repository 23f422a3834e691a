// Loads a directory of FHIR resources shipped with the server (the network's terminology, later its
// profiles and seed) into the store at start-up. Idempotent: a file whose resource is unchanged writes
// nothing, a changed one writes one new version. All files load in one transaction, so a bad file
// stops start-up with nothing half-loaded.
import type { Resource } from '@medplum/fhirtypes';
import fs from 'node:fs';
import path from 'node:path';
import { isValidId } from '../fhir/ids';
import { validateWrite } from '../fhir/validate-write';
import { FhirError } from '../outcomes';
import type { ResourceStore } from '../store/port';

export interface ContentLoadResult {
  files: number;
  written: number;
  unchanged: number;
  /** What each file holds: the resources the directory owns (write rules keep clients from changing them). */
  owned: OwnedResource[];
}

/** A resource loaded from a file, which owns it: start-up restores the file's version. */
export interface OwnedResource {
  resourceType: string;
  id: string;
  /** The canonical url, for conformance resources. */
  url?: string;
  file: string;
}

/** Thrown for a file that cannot be loaded; the message names the file and what to fix. */
export class ContentError extends Error {}

export async function loadContentDirectory(store: ResourceStore, dir: string): Promise<ContentLoadResult> {
  const files = listJsonFiles(dir);
  const resources = files.map((file) => readResource(file));
  return store.transaction(async (tx) => {
    let written = 0;
    for (const [i, resource] of resources.entries()) {
      try {
        const { outcome } = await tx.update(resource);
        written += outcome === 'unchanged' ? 0 : 1;
      } catch (err) {
        throw new ContentError(`${files[i]} could not be stored: ${(err as Error).message}`);
      }
    }
    const owned = resources.map((resource, i) => {
      const url = (resource as { url?: unknown }).url;
      return { resourceType: resource.resourceType, id: resource.id as string, ...(typeof url === 'string' ? { url } : {}), file: files[i] };
    });
    return { files: files.length, written, unchanged: files.length - written, owned };
  });
}

/** Every .json file below `dir`, in a stable order; a missing directory holds none. */
function listJsonFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

function readResource(file: string): Resource {
  let body: unknown;
  try {
    body = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ContentError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const resource = body as Partial<Resource>;
  if (typeof resource.resourceType !== 'string' || typeof resource.id !== 'string' || !isValidId(resource.id)) {
    throw new ContentError(`${file} must hold one FHIR resource with a resourceType and a valid id`);
  }
  try {
    return validateWrite(body, resource.resourceType, resource.id);
  } catch (err) {
    const detail =
      err instanceof FhirError
        ? err.outcome.issue.map((i) => `${i.expression?.[0] ?? ''} ${i.details?.text ?? i.diagnostics ?? ''}`.trim()).join('; ')
        : (err as Error).message;
    throw new ContentError(`${file} is not a valid ${resource.resourceType}: ${detail}`);
  }
}
