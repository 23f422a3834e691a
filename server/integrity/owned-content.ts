// Rule 'owned-content': the CodeSystems, ValueSets, ConceptMaps, StructureDefinitions, SearchParameters
// and the ImplementationGuide loaded from terminology/ and profiles/generated are owned by their files,
// and start-up restores each file's version. Changing or deleting one through the API is refused for
// everyone (403, naming the file), and so is another resource claiming the same canonical url, which
// would change what the url resolves to. Without this anyone could PUT the blood-pressure profile without
// its constraints, or DELETE a CodeSystem.
import path from 'node:path';
import type { OwnedResource } from '../content/content-loader';
import { ruleViolation, type WriteRule } from '../fhir/pipeline/write-rules';

export const ownedContentRule = 'owned-content';

/** The resources the server's content files own, by Type/id and by Type and canonical url. */
export class ContentOwnership {
  private readonly byKey = new Map<string, OwnedResource>();
  private readonly byUrl = new Map<string, OwnedResource>();

  add(owned: readonly OwnedResource[]): void {
    for (const resource of owned) {
      this.byKey.set(`${resource.resourceType}/${resource.id}`, resource);
      if (resource.url) {
        this.byUrl.set(`${resource.resourceType} ${resource.url}`, resource);
      }
    }
  }

  owner(resourceType: string, id: string): OwnedResource | undefined {
    return this.byKey.get(`${resourceType}/${id}`);
  }

  ownerOfUrl(resourceType: string, url: string): OwnedResource | undefined {
    return this.byUrl.get(`${resourceType} ${url}`);
  }

  get size(): number {
    return this.byKey.size;
  }
}

export function ownedContent(ownership: ContentOwnership): WriteRule {
  return {
    name: ownedContentRule,
    async check(write) {
      const owner = ownership.owner(write.resourceType, write.id);
      if (owner) {
        throw ruleViolation(
          ownedContentRule,
          `${write.resourceType}/${write.id} is loaded from ${shown(owner.file)} at every start-up and cannot be ` +
            `${write.action === 'delete' ? 'deleted' : 'changed'} through the API: change that file and restart the server`,
          undefined,
          403
        );
      }
      const url = (write.resource as { url?: unknown } | undefined)?.url;
      const urlOwner = typeof url === 'string' ? ownership.ownerOfUrl(write.resourceType, url) : undefined;
      if (urlOwner) {
        throw ruleViolation(
          ownedContentRule,
          `${write.resourceType} ${url} is ${urlOwner.resourceType}/${urlOwner.id}, loaded from ${shown(urlOwner.file)}: ` +
            'another resource may not claim its url; change that file instead, or use a url of your own',
          `${write.resourceType}.url`,
          403
        );
      }
    },
  };
}

/** The file as a path from the working directory, as a person would find it in the repository. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') ? file : relative;
}
