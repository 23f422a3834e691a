// The token modifiers that need the terminology (https://hl7.org/fhir/R4/search.html#token): :in and
// :not-in match the codes of a ValueSet's expansion, :above and :below a code and its ancestors or
// descendants in its code system. parseSearch is synchronous and leaves them in the plan as
// TerminologyConditions; this asynchronous step rewrites each into a token condition on that set of
// codes, so that a store only ever compiles plain conditions.
import { FhirError, issue, type IssueCode } from '../outcomes';
import { parseCanonical } from '../terminology/canonical';
import type { TerminologyService, ValueSetRef } from '../terminology/terminology-service';
import type { Filter, SearchPlan, SystemCode, TerminologyCondition, ValueCondition } from './plan';

/**
 * Most codes one :in, :not-in, :above or :below value may stand for. The set goes into the store's
 * query with every search (SQLite reads it from a JSON array: about 6 ms a statement for 10,000 codes,
 * and a search runs two or three statements), so the cost of a search grows with it; a larger set is
 * better searched by its system (`code=system|`) or a narrower ValueSet. The network's largest
 * ValueSet has a few dozen codes.
 */
export const maxFilterCodes = 10_000;

export interface TerminologyFilterContext {
  terminology: TerminologyService;
  /** The current version of ValueSet/[id] (the literal form of :in); a FhirError when there is none. */
  valueSetById(id: string): Promise<ValueSetRef>;
}

/** The plan with every terminology condition replaced by the codes it stands for. */
export async function resolveTerminologyFilters(plan: SearchPlan, context: TerminologyFilterContext): Promise<SearchPlan> {
  if (!plan.filters.some(needsTerminology)) {
    return plan;
  }
  return { ...plan, filters: await Promise.all(plan.filters.map((f) => resolveFilter(f, context))) };
}

function isTerminologyCondition(condition: ValueCondition): condition is TerminologyCondition {
  return condition.type === 'valueSet' || condition.type === 'hierarchy';
}

function needsTerminology(filter: Filter): boolean {
  switch (filter.kind) {
    case 'param':
      return filter.anyOf.some(isTerminologyCondition);
    case 'chain':
    case 'has':
    case 'anyOf':
      return filter.filters.some(needsTerminology);
    default:
      return false;
  }
}

async function resolveFilter(filter: Filter, context: TerminologyFilterContext): Promise<Filter> {
  switch (filter.kind) {
    case 'param':
      return { ...filter, anyOf: await Promise.all(filter.anyOf.map((c) => resolveCondition(c, context))) };
    case 'chain':
    case 'has':
    case 'anyOf':
      return { ...filter, filters: await Promise.all(filter.filters.map((f) => resolveFilter(f, context))) };
    default:
      return filter;
  }
}

async function resolveCondition(condition: ValueCondition, context: TerminologyFilterContext): Promise<ValueCondition> {
  if (!isTerminologyCondition(condition)) {
    return condition;
  }
  try {
    const codes = condition.type === 'valueSet' ? await valueSetCodes(condition, context) : await hierarchyCodes(condition, context);
    return { type: 'token', codes };
  } catch (err) {
    // What the terminology refuses (an unknown ValueSet, one it cannot expand) is the search's bad value.
    if (err instanceof FhirError && err.status < 500) {
      throw new FhirError(400, err.outcome.issue.map((i) => ({ ...i, expression: [condition.parameter] })));
    }
    throw err;
  }
}

type ValueSetCondition = TerminologyCondition & { type: 'valueSet' };
type HierarchyCondition = TerminologyCondition & { type: 'hierarchy' };

async function valueSetCodes(condition: ValueSetCondition, context: TerminologyFilterContext): Promise<SystemCode[]> {
  // R4: "the reference may be literal (to an address where the value set can be found) or logical (a
  // reference to ValueSet.url)". ValueSet/[id] reads this server's resource; anything else is a canonical.
  const literal = /^ValueSet\/([A-Za-z0-9\-.]{1,64})$/.exec(condition.valueSet);
  const ref = literal ? await context.valueSetById(literal[1]) : parseCanonical(condition.valueSet);
  const members = await context.terminology.valueSetMembers(ref);
  refuseLargeSet(members.size, `ValueSet ${condition.valueSet}`, condition.parameter);
  return members.codes().map(({ system, code }) => ({ system, code }));
}

async function hierarchyCodes(condition: HierarchyCondition, context: TerminologyFilterContext): Promise<SystemCode[]> {
  const { system, code, direction, parameter } = condition;
  const index = await context.terminology.codeSystem(system);
  // A CodeSystem known by its definition alone (the R4 definitions' SNOMED CT: content not-present) has no hierarchy either.
  if (!index || index.content === 'not-present') {
    const known = index ? `holds no codes of CodeSystem ${system} (content: not-present)` : `does not know CodeSystem ${system}`;
    const todo = 'load the code system into terminology/ (or PUT it) first';
    throw refusal('not-found', `${parameter}: this server ${known}, so its hierarchy cannot be searched; ${todo}`, parameter);
  }
  // A code the system lacks has no hierarchy to search: refused rather than matching nothing, so that a
  // mistyped code is not mistaken for "no such resources" (docs/decisions.md).
  const concept = index.get(code);
  if (!concept) {
    const held = index.content === 'complete' ? '' : ` as this server holds it (content: ${index.content})`;
    throw refusal('code-invalid', `${parameter}: CodeSystem ${system}${held} has no code '${code}'`, parameter);
  }
  const related = direction === 'below' ? index.descendantsOf(concept.code) : index.ancestorsOf(concept.code);
  refuseLargeSet(related.size + 1, `${code} and its ${direction === 'below' ? 'descendants' : 'ancestors'}`, parameter);
  return [concept.code, ...related].map((c) => ({ system, code: c }));
}

function refuseLargeSet(size: number, what: string, parameter: string): void {
  if (size > maxFilterCodes) {
    const text = `${parameter}: ${what} holds ${size} codes; a search matches at most ${maxFilterCodes} codes this way`;
    throw refusal('too-costly', `${text}. Search by the system (system|) or a narrower ValueSet`, parameter);
  }
}

function refusal(code: IssueCode, text: string, parameter: string): FhirError {
  return new FhirError(400, [issue(code, text, parameter)]);
}
