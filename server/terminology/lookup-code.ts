// $lookup (https://hl7.org/fhir/R4/codesystem-operation-lookup.html): a code's display, designations
// and properties, including `parent` and `child` from the hierarchy and `definition`.
import type { CodeSystemIndex, IndexedConcept } from './concept-index';
import { displayIn } from './designations';
import type { TerminologyCache } from './terminology-cache';
import { notKnown } from './terminology-errors';
import type { LookupProperty, LookupRequest, LookupResult } from './terminology-service';

export async function lookupCode(cache: TerminologyCache, request: LookupRequest): Promise<LookupResult> {
  const index = await cache.codeSystemOf(request.codeSystem);
  const label = 'url' in request.codeSystem ? request.codeSystem.url : (request.codeSystem.resource.url ?? 'the code system');
  if (!index) {
    throw notKnown(`Code system '${label}' is not known to this server`, 'system');
  }
  const concept = index.get(request.code);
  if (!concept) {
    throw notKnown(missingCodeText(index, request.code), 'code');
  }
  const texts = { display: concept.display, displayLanguage: index.language, designations: concept.designations };
  const wanted = request.properties?.length ? new Set(request.properties) : undefined;
  const wants = (name: string): boolean => wanted === undefined || wanted.has(name);
  const wantsDesignations = wants('designation') || [...(wanted ?? [])].some((p) => p.startsWith('lang.'));
  return {
    name: index.name,
    ...(index.version !== undefined ? { version: index.version } : {}),
    display: displayIn(texts, request.displayLanguage) ?? concept.code,
    abstract: concept.abstract,
    designations: wantsDesignations ? concept.designations.map((d) => ({ ...d })) : [],
    properties: conceptProperties(index, concept).filter((p) => wants(p.code)),
  };
}

/** Why a code is not found, saying so when the server holds only part of the system. */
export function missingCodeText(index: CodeSystemIndex, code: string): string {
  const version = index.version ? ` version ${index.version}` : '';
  if (index.content === 'complete') {
    return `Code '${code}' is not defined in code system '${index.url}'${version}`;
  }
  return `Code '${code}' is not among the codes of '${index.url}'${version} held by this server (content: ${index.content})`;
}

function conceptProperties(index: CodeSystemIndex, concept: IndexedConcept): LookupProperty[] {
  const related = (code: string): string | undefined => index.get(code)?.display;
  const properties: LookupProperty[] = [];
  if (concept.definition !== undefined) {
    properties.push({ code: 'definition', value: { valueString: concept.definition } });
  }
  for (const { code, id: _id, extension: _extension, modifierExtension: _modifier, ...value } of concept.properties) {
    // parent and child stated as properties come out below, with the nesting.
    if (code !== 'parent' && code !== 'child') {
      properties.push({ code, value });
    }
  }
  for (const [code, codes] of [['parent', concept.parents], ['child', concept.children]] as const) {
    for (const other of codes) {
      const description = related(other);
      properties.push({ code, value: { valueCode: other }, ...(description ? { description } : {}) });
    }
  }
  if (concept.inactive) {
    properties.push({ code: 'inactive', value: { valueBoolean: true } });
  }
  return properties;
}
