// Checks coded values against the ValueSets their elements are bound to
// (https://hl7.org/fhir/R4/terminologies.html#strength): a required binding refuses a code outside the
// ValueSet, or an abstract one; an extensible binding warns. A ValueSet this server cannot expand
// offline (UCUM, MIME types, languages, LOINC answer lists...) is not checked: the write goes on, and
// $validate says which binding was skipped and why.
import type { CodeableConcept, Coding, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { FhirError } from '../outcomes';
import { parseCanonical } from '../terminology/canonical';
import type { TerminologyService, ValueSetMembers } from '../terminology/terminology-service';
import type { BindingUse } from './profile-walker';

/** ValueSets that could not be expanded, with why: asked once, not on every write. Cleared with the profile cache. */
export type UncheckableValueSets = Map<string, string>;

export async function checkBindings(
  bindings: readonly BindingUse[],
  terminology: TerminologyService,
  uncheckable: UncheckableValueSets
): Promise<OperationOutcomeIssue[]> {
  const issues: OperationOutcomeIssue[] = [];
  const seen = new Set<string>();
  for (const binding of bindings) {
    const key = `${binding.path} ${binding.valueSet}`;
    if (seen.has(key)) {
      continue; // the same value under the same binding, reached through two claimed profiles
    }
    seen.add(key);
    // Base R4 bindings name version 4.0.1, the only one shipped; the network's name none.
    const { url } = parseCanonical(binding.valueSet);
    const members = await membersOf(url, terminology, uncheckable);
    if (typeof members === 'string') {
      issues.push({
        severity: 'information',
        code: 'not-supported',
        details: { text: `${binding.path}: the ${binding.strength} binding to ${url} was not checked: ${members}` },
        expression: [binding.path],
      });
      continue;
    }
    const problem = bindingProblem(binding, members);
    if (problem) {
      issues.push({
        severity: binding.strength === 'required' ? 'error' : 'warning',
        code: 'code-invalid',
        details: { text: `${binding.path}: ${problem} (${binding.strength} binding to ${url})` },
        expression: [binding.path],
      });
    }
  }
  return issues;
}

async function membersOf(url: string, terminology: TerminologyService, uncheckable: UncheckableValueSets): Promise<ValueSetMembers | string> {
  const known = uncheckable.get(url);
  if (known !== undefined) {
    return known;
  }
  try {
    return await terminology.valueSetMembers({ url });
  } catch (err) {
    if (err instanceof FhirError && err.status < 500) {
      const reason = err.message;
      uncheckable.set(url, reason);
      return reason;
    }
    throw err;
  }
}

/** What is wrong with the value under this binding, or undefined when it conforms. */
function bindingProblem(binding: BindingUse, members: ValueSetMembers): string | undefined {
  const { type, value } = binding.value;
  if (type === 'code') {
    return codingProblem({ code: value as string }, members, true);
  }
  if (type === 'Coding') {
    return codingProblem(value as Coding, members, false);
  }
  const concept = value as CodeableConcept;
  const codings = (Array.isArray(concept?.coding) ? concept.coding : []).filter((c) => c?.code !== undefined);
  if (!codings.length) {
    return binding.strength === 'required' ? 'has no coding; the value set requires a code from it' : undefined;
  }
  const problems = codings.map((c) => codingProblem(c, members, false));
  return problems.some((p) => p === undefined) ? undefined : problems.join('; ');
}

function codingProblem(coding: Coding, members: ValueSetMembers, systemless: boolean): string | undefined {
  // $validate walks resources that failed the base schema too: a code or system that is not a string
  // has been reported there, and cannot be looked up here.
  if (typeof coding?.code !== 'string' || !['string', 'undefined'].includes(typeof coding.system)) {
    return undefined;
  }
  if (!systemless && coding.system === undefined) {
    return `the code '${coding.code}' has no system, so it cannot be from the value set`;
  }
  const shown = systemless ? `'${coding.code}'` : `'${coding.system}|${coding.code}'`;
  const member = members.find(systemless ? undefined : coding.system, coding.code);
  if (!member) {
    return `${shown} is not in the value set`;
  }
  if (member.abstract) {
    return `${shown} is an abstract grouping code, not for use in data`;
  }
  return undefined;
}
