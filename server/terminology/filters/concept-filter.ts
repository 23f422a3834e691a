// ValueSet.compose.include.filter: a property, an operator and a value, selecting concepts of one code
// system (https://hl7.org/fhir/R4/valueset-definitions.html#ValueSet.compose.include.filter). Each
// operator lives in its own module and compiles to a predicate, built once per expansion.
import type { ValueSetComposeIncludeFilter } from '@medplum/fhirtypes';
import { builtInProperties, type CodeSystemIndex, type IndexedConcept } from '../concept-index';
import { unsupportedContent } from '../terminology-errors';
import { compileEquals } from './equals-filter';
import { compileExists } from './exists-filter';
import { compileHierarchy } from './hierarchy-filter';
import { compileIn } from './in-filter';
import { compileRegex } from './regex-filter';

export type ConceptPredicate = (concept: IndexedConcept) => boolean;

/** What a filter module is given: the system, the property the filter names, and its value. */
export interface FilterInput {
  index: CodeSystemIndex;
  property: string;
  value: string;
}

const compilers: Record<string, (input: FilterInput, op: string) => ConceptPredicate> = {
  'is-a': compileHierarchy,
  'descendent-of': compileHierarchy,
  'is-not-a': compileHierarchy,
  generalizes: compileHierarchy,
  '=': compileEquals,
  regex: compileRegex,
  in: compileIn,
  'not-in': compileIn,
  exists: compileExists,
};

export function compileFilter(index: CodeSystemIndex, filter: ValueSetComposeIncludeFilter): ConceptPredicate {
  const compile = compilers[filter.op];
  if (!compile) {
    throw unsupportedContent(`Filter operator '${filter.op}' is not supported (on ${index.url})`);
  }
  if (!builtInProperties.has(filter.property) && !index.propertyTypes.has(filter.property)) {
    throw unsupportedContent(`Filter property '${filter.property}' is not defined by code system ${index.url}`);
  }
  return compile({ index, property: filter.property, value: filter.value ?? '' }, filter.op);
}
