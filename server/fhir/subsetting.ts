// _summary and _elements: return part of a resource, marked SUBSETTED.
// https://hl7.org/fhir/R4/search.html#summary and search.html#elements
import { withNumberTextsOf } from '../json/number-text';
import type { Resource } from '@medplum/fhirtypes';
import { badRequest } from '../outcomes';
import { getResourceDefinition, isElementIn } from './resource-definitions';

export type SummaryMode = 'true' | 'text' | 'data' | 'count' | 'false';

const subsettedTag = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };
/** Elements every subset keeps. */
const alwaysKept = new Set(['resourceType', 'id', 'meta']);

export interface SubsetRequest {
  summary?: SummaryMode;
  elements?: Set<string>;
}

/** Reads _summary and _elements; 'count' is only meaningful for search, so read refuses it. */
export function parseSubsetRequest(query: URLSearchParams, allowCount: boolean): SubsetRequest {
  const result: SubsetRequest = {};
  const summary = query.get('_summary');
  if (summary !== null) {
    const allowed = allowCount ? ['true', 'text', 'data', 'count', 'false'] : ['true', 'text', 'data', 'false'];
    if (!allowed.includes(summary)) {
      throw badRequest(`_summary must be one of ${allowed.join(', ')}, got '${summary}'`, '_summary');
    }
    result.summary = summary as SummaryMode;
  }
  const elements = query.getAll('_elements').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (elements.length) {
    // 'Patient.name' is also accepted for 'name', as some clients send type-qualified names.
    const names = elements.map((e) => e.replace(/^[A-Z][A-Za-z]+\./, ''));
    // A client names a choice element by its stem ('value'), which covers valueQuantity, valueString...
    result.elements = new Set(names.flatMap((n) => [n, `${n}[x]`]));
  }
  return result;
}

export function applySubset<T extends Resource>(resource: T, request: SubsetRequest): T {
  const { summary, elements } = request;
  if (elements) {
    return keep(resource, (key) => isElementIn(elements, key));
  }
  if (!summary || summary === 'false' || summary === 'count') {
    return resource;
  }
  const definition = getResourceDefinition(resource.resourceType);
  if (summary === 'data') {
    return keep(resource, (key) => key !== 'text');
  }
  if (summary === 'text') {
    return keep(resource, (key) => key === 'text' || (!!definition && isElementIn(definition.mandatoryElements, key)));
  }
  return keep(resource, (key) => !!definition && isElementIn(definition.summaryElements, key));
}

function keep<T extends Resource>(resource: T, wanted: (key: string) => boolean): T {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    if (alwaysKept.has(key) || wanted(key)) {
      result[key] = value;
    }
  }
  const meta = resource.meta ?? {};
  result.meta = { ...meta, tag: [...(meta.tag ?? []), subsettedTag] };
  return withNumberTextsOf(resource, result) as T;
}
