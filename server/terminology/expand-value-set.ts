// $expand (https://hl7.org/fhir/R4/valueset-operation-expand.html): the ValueSet with an `expansion`,
// drawn from the cached expansion: text filter, activeOnly and excludeNotForUI select, offset and count
// page, displayLanguage and includeDesignations shape each code. expansion.parameter echoes what was used.
import type { ValueSet, ValueSetExpansionContains, ValueSetExpansionParameter } from '@medplum/fhirtypes';
import { randomUUID } from 'node:crypto';
import { displayIn } from './designations';
import type { ExpansionItem } from './expansion';
import type { TerminologyCache } from './terminology-cache';
import type { ExpandRequest } from './terminology-service';

export async function expandValueSet(cache: TerminologyCache, request: ExpandRequest): Promise<ValueSet> {
  const { resolved, items } = await cache.viewItems(request.valueSet, request);
  const offset = request.offset ?? 0;
  const page = request.count === undefined ? items.slice(offset) : items.slice(offset, offset + request.count);
  const contains = page.map((item) => containsEntry(item, request));
  const { text: _text, meta: _meta, expansion: _previous, compose, ...metadata } = resolved.valueSet;
  return {
    ...metadata,
    ...(request.includeDefinition && compose ? { compose } : {}),
    expansion: {
      identifier: `urn:uuid:${randomUUID()}`,
      timestamp: new Date().toISOString(),
      total: items.length,
      ...(request.offset !== undefined || request.count !== undefined ? { offset } : {}),
      parameter: [...echoedParameters(request), ...resolved.base.codeSystems.map((cs) => ({ name: 'used-codesystem', valueUri: cs }))],
      ...(contains.length ? { contains } : {}),
    },
  };
}

function containsEntry(item: ExpansionItem, request: ExpandRequest): ValueSetExpansionContains {
  const display = displayIn(item.texts, request.displayLanguage);
  const entry: ValueSetExpansionContains = { system: item.system };
  if (item.version !== undefined) entry.version = item.version;
  entry.code = item.code;
  if (display !== undefined) entry.display = display;
  if (item.abstract) entry.abstract = true;
  if (item.inactive) entry.inactive = true;
  if (request.includeDesignations && item.texts.designations.length) {
    entry.designation = item.texts.designations.map((d) => ({
      ...(d.language ? { language: d.language } : {}),
      ...(d.use ? { use: d.use } : {}),
      value: d.value,
    }));
  }
  return entry;
}

/** The request parameters that shaped this expansion. */
function echoedParameters(request: ExpandRequest): ValueSetExpansionParameter[] {
  const parameters: ValueSetExpansionParameter[] = [];
  if (request.filter !== undefined) parameters.push({ name: 'filter', valueString: request.filter });
  if (request.offset !== undefined) parameters.push({ name: 'offset', valueInteger: request.offset });
  if (request.count !== undefined) parameters.push({ name: 'count', valueInteger: request.count });
  if (request.activeOnly !== undefined) parameters.push({ name: 'activeOnly', valueBoolean: request.activeOnly });
  if (request.excludeNotForUI !== undefined) parameters.push({ name: 'excludeNotForUI', valueBoolean: request.excludeNotForUI });
  if (request.displayLanguage !== undefined) parameters.push({ name: 'displayLanguage', valueCode: request.displayLanguage });
  if (request.includeDesignations !== undefined) {
    parameters.push({ name: 'includeDesignations', valueBoolean: request.includeDesignations });
  }
  if (request.includeDefinition !== undefined) parameters.push({ name: 'includeDefinition', valueBoolean: request.includeDefinition });
  return parameters;
}
