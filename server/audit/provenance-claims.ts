// What a caller may claim to be: in a Provenance (sent in X-Provenance or created directly) every agent
// that names a person must name the caller's own fhirUser, and every organization named (as the agent or
// its onBehalfOf) must be one the caller acts for; `meta.source` of a written resource, when present,
// must name one of the caller's organizations: '[base]/Organization/{id}' or 'Organization/{id}',
// optionally followed by '#' and the sending system's request id. See docs/audit.md.
import type { Provenance, Reference, Resource } from '@medplum/fhirtypes';
import type { Caller } from '../fhir/pipeline/caller';

/** Reference types that name a person, whom only that person may claim to be. */
const personTypes = new Set(['Practitioner', 'PractitionerRole', 'Patient', 'RelatedPerson']);

/** The 'Type/id' a reference names (relative or absolute), or undefined for none. */
function named(reference: Reference | undefined): string | undefined {
  const match = reference?.reference?.match(/(?:^|\/)([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/);
  return match?.[1];
}

/** Why the Provenance's agents claim someone the caller is not; empty when they do not. */
export function provenanceClaimProblems(provenance: Provenance, caller: Caller): { text: string; expression: string }[] {
  const problems: { text: string; expression: string }[] = [];
  (provenance.agent ?? []).forEach((agent, i) => {
    const who = named(agent.who);
    const onBehalfOf = named(agent.onBehalfOf);
    for (const [claim, element] of [
      [who, 'who'],
      [onBehalfOf, 'onBehalfOf'],
    ] as const) {
      if (!claim) continue;
      const type = claim.split('/')[0];
      const expression = `Provenance.agent[${i}].${element}`;
      if (type === 'Organization' && !caller.organizations.includes(claim)) {
        problems.push({ text: `${claim} is not an organization the caller acts for`, expression });
      } else if (personTypes.has(type) && claim !== caller.user) {
        problems.push({ text: `${claim} is not the caller (${caller.user ?? 'no user'})`, expression });
      }
    }
  });
  return problems;
}

/** Why a resource's meta.source claims another organization; undefined when it does not. */
export function sourceClaimProblem(resource: Resource, caller: Caller, baseUrl: string): string | undefined {
  const source = resource.meta?.source;
  if (source === undefined) {
    return undefined;
  }
  const [system] = source.split('#');
  const relative = system.startsWith(`${baseUrl}/`) ? system.slice(baseUrl.length + 1) : system;
  if (!/^Organization\/[A-Za-z0-9\-.]{1,64}$/.test(relative)) {
    return `meta.source '${source}' must name the organization writing: Organization/{id} or ${baseUrl}/Organization/{id}, optionally followed by #request-id`;
  }
  if (!caller.organizations.includes(relative)) {
    return `meta.source names ${relative}, which is not an organization the caller acts for`;
  }
  return undefined;
}
