// Checks shared by the seed's tests: every profile a resource claims, validated with @medplum/core
// against profiles/generated; and the literal references a resource makes.
import type { Resource, StructureDefinition } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { residentIdCheckCharacter } from '../../seed/identifiers';
import { indexGeneratedProfiles, validateWithProfile } from '../profiles/profile-validation';

let profilesByUrl: Map<string, StructureDefinition> | undefined;

/** 'Type/id: profile: expression message' for every error; the profiles validated go into `validated`. */
export function profileErrors(resources: Iterable<Resource>, validated = new Set<string>()): string[] {
  profilesByUrl ??= new Map(indexGeneratedProfiles().map((sd) => [sd.url!, sd]));
  const errors: string[] = [];
  for (const resource of resources) {
    for (const url of resource.meta?.profile ?? []) {
      const profile = profilesByUrl.get(url);
      if (!profile) {
        errors.push(`${resource.resourceType}/${resource.id}: claims an unknown profile ${url}`);
        continue;
      }
      validated.add(profile.id!);
      for (const issue of validateWithProfile(resource, profile).errors) {
        errors.push(`${resource.resourceType}/${resource.id}: ${profile.id}: ${issue.expression?.join(', ') ?? ''} ${issue.details?.text ?? issue.diagnostics ?? ''}`);
      }
    }
  }
  return errors;
}

/** Every Reference.reference in a resource. */
export function referencesOf(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    value.forEach((v) => referencesOf(v, found));
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'reference' && typeof v === 'string') {
        found.push(v);
      } else {
        referencesOf(v, found);
      }
    }
  }
  return found;
}

/** The references of `resources` that name none of `known` ('Type/id'); a local reference ('#id') names a contained resource. */
export function unresolvedReferences(resources: Resource[], known: Set<string>): string[] {
  return [...new Set(resources.flatMap((r) => referencesOf(r)))].filter((reference) => !known.has(reference) && !reference.startsWith('#'));
}

export function keyOf(resource: Resource): string {
  return `${resource.resourceType}/${resource.id}`;
}

/** A resident ID number of the unassigned province 99 with its check character, birth date and sex digit. */
export function checkResidentId(value: string, birthDate: string, gender: string): void {
  assert.match(value, /^99\d{15}[0-9X]$/);
  assert.equal(value[17], residentIdCheckCharacter(value.slice(0, 17)), value);
  assert.equal(value.slice(6, 14), birthDate.replaceAll('-', ''));
  assert.equal(Number(value[16]) % 2 === 1, gender === 'male');
}
