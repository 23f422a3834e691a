// $translate (https://hl7.org/fhir/R4/conceptmap-operation-translate.html): a code's counterparts in
// ConceptMaps. Without a map url, every map with a group from the code's system is used (with
// reverse=true: to the code's system, read target -> source). R4 states an equivalence from target to
// source ("wider": the target is wider), so a reverse match turns it around (wider <-> narrower,
// subsumes <-> specializes): it always says how the returned concept relates to the code given.
// `target` keeps the matches that are in that ValueSet; `source` skips maps made for another ValueSet.
import type { Coding, ConceptMap } from '@medplum/fhirtypes';
import { pickVersion } from './canonical';
import { itemKey } from './expansion';
import type { TerminologyCache } from './terminology-cache';
import { notKnown } from './terminology-errors';
import type { TranslateMatch, TranslateRequest, TranslateResult } from './terminology-service';

type Equivalence = TranslateMatch['equivalence'];

const reversed: Partial<Record<Equivalence, Equivalence>> = {
  wider: 'narrower',
  narrower: 'wider',
  subsumes: 'specializes',
  specializes: 'subsumes',
};

const noMatch = new Set<Equivalence>(['unmatched', 'disjoint']);

export async function translateCode(cache: TerminologyCache, request: TranslateRequest): Promise<TranslateResult> {
  const matches: TranslateMatch[] = [];
  const notes: string[] = [];
  for (const coding of request.codings) {
    if (!coding.system || !coding.code) {
      notes.push(`A coding needs a system and a code to be translated`);
      continue;
    }
    const maps = await mapsFor(cache, request, coding.system);
    if (!maps.length) {
      const forValueSet = request.source ? ` for ValueSet ${request.source}` : '';
      notes.push(`No ConceptMap translates ${request.reverse ? 'to' : 'from'} '${coding.system}'${forValueSet}`);
      continue;
    }
    const found = await inTargetValueSet(cache, request, maps, maps.flatMap((map) => translateWith(map, coding, request)));
    if (!found.length) {
      notes.push(`No mapping of ${coding.system}#${coding.code} in ${maps.map((m) => m.url).join(', ')}`);
    }
    notes.push(...found.filter((m) => noMatch.has(m.equivalence) && m.comment).map((m) => `${coding.code}: ${m.comment}`));
    matches.push(...found);
  }
  const result = matches.some((m) => !noMatch.has(m.equivalence));
  return { result, ...(notes.length ? { message: notes.join('; ') } : {}), matches };
}

async function mapsFor(cache: TerminologyCache, request: TranslateRequest, system: string): Promise<ConceptMap[]> {
  const ref = request.conceptMap;
  if (ref && 'resource' in ref) {
    return [ref.resource];
  }
  if (ref) {
    const map = pickVersion(await cache.conceptMaps({ url: ref.url }), ref.version);
    if (!map) {
      throw notKnown(`ConceptMap '${ref.url}'${ref.version ? ` version ${ref.version}` : ''} is not known to this server`, 'url');
    }
    return [map];
  }
  const maps = await cache.conceptMaps(request.reverse ? { targetSystem: system } : { sourceSystem: system });
  // A map made for another source ValueSet does not apply; one that names none may.
  return maps.filter((map) => {
    const declared = request.reverse ? (map.targetUri ?? map.targetCanonical) : (map.sourceUri ?? map.sourceCanonical);
    return request.source === undefined || declared === undefined || declared === request.source;
  });
}

function translateWith(map: ConceptMap, coding: Coding, request: TranslateRequest): TranslateMatch[] {
  const matches: TranslateMatch[] = [];
  const source = map.url;
  for (const group of map.group ?? []) {
    const from = request.reverse ? group.target : group.source;
    const to = request.reverse ? group.source : group.target;
    const toVersion = request.reverse ? group.sourceVersion : group.targetVersion;
    if (from !== coding.system || (request.targetSystem !== undefined && to !== request.targetSystem)) {
      continue;
    }
    for (const element of group.element ?? []) {
      for (const target of element.target ?? []) {
        const equivalence = target.equivalence ?? 'equivalent';
        if (!request.reverse && element.code === coding.code) {
          const concept = target.code !== undefined ? coded(to, toVersion, target.code, target.display) : undefined;
          matches.push({
            equivalence,
            ...(concept ? { concept } : {}),
            ...(source ? { source } : {}),
            ...(target.comment ? { comment: target.comment } : {}),
          });
        } else if (request.reverse && target.code === coding.code && element.code !== undefined) {
          matches.push({
            equivalence: reversed[equivalence] ?? equivalence,
            concept: coded(to, toVersion, element.code, element.display),
            ...(source ? { source } : {}),
            ...(target.comment ? { comment: target.comment } : {}),
          });
        }
      }
    }
  }
  return matches;
}

/** With a target ValueSet, only matches whose concept is in it (or from a map made for it) remain. */
async function inTargetValueSet(
  cache: TerminologyCache,
  request: TranslateRequest,
  maps: ConceptMap[],
  matches: TranslateMatch[]
): Promise<TranslateMatch[]> {
  const target = request.target;
  if (target === undefined || !matches.length) {
    return matches;
  }
  const madeFor = new Set(
    maps
      .filter((map) => (request.reverse ? (map.sourceUri ?? map.sourceCanonical) : (map.targetUri ?? map.targetCanonical)) === target)
      .map((map) => map.url)
  );
  let members: ReadonlyMap<string, unknown>;
  try {
    members = (await cache.expansion({ url: target })).base.byKey;
  } catch (err) {
    throw (err as { status?: number }).status === 404 ? notKnown(`Target ValueSet '${target}' is not known to this server`, 'target') : err;
  }
  return matches.filter(
    (m) => madeFor.has(m.source) || (m.concept?.system && m.concept.code && members.has(itemKey(m.concept.system, m.concept.code)))
  );
}

function coded(system: string | undefined, version: string | undefined, code: string, display: string | undefined): Coding {
  return { ...(system ? { system } : {}), ...(version ? { version } : {}), code, ...(display ? { display } : {}) };
}
