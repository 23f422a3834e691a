// The network's own SearchParameters: every SearchParameter resource (or Bundle of them) among the JSON
// files under profiles/, read at start-up and given to the search registry beside R4's.
import type { Bundle, Resource, SearchParameter } from '@medplum/fhirtypes';
import fs from 'node:fs';
import path from 'node:path';

export function loadNetworkSearchParameters(directory: string): SearchParameter[] {
  if (!fs.existsSync(directory)) {
    return [];
  }
  const found: SearchParameter[] = [];
  for (const file of jsonFiles(directory)) {
    let resource: Resource;
    try {
      resource = JSON.parse(fs.readFileSync(file, 'utf8')) as Resource;
    } catch (err) {
      throw new Error(`${file} is not valid JSON (${(err as Error).message}); fix or remove it`);
    }
    if (resource.resourceType === 'SearchParameter') {
      found.push(resource);
    } else if (resource.resourceType === 'Bundle') {
      for (const entry of (resource as Bundle).entry ?? []) {
        if (entry.resource?.resourceType === 'SearchParameter') {
          found.push(entry.resource);
        }
      }
    }
  }
  return found;
}

function jsonFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'node_modules' ? [] : jsonFiles(full);
    }
    return entry.name.endsWith('.json') ? [full] : [];
  });
}
