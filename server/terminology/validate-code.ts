// $validate-code on a ValueSet and on a CodeSystem (https://hl7.org/fhir/R4/valueset-operation-validate-code.html,
// codesystem-operation-validate-code.html). The result is true when the code is in the ValueSet (or defined
// by the CodeSystem) and every detail given is right: a display that is neither the display nor a
// designation of the code makes the result false, since R4 defines result as "the concept details supplied
// are valid"; `display` then carries the right one. An unknown system is result false with a message
// naming it, not an error. A CodeableConcept is valid when one of its codings is.
import type { CodeableConcept, Coding } from '@medplum/fhirtypes';
import type { CodeSystemIndex } from './concept-index';
import { displayIn, sameDisplay, validDisplays, type ConceptTexts } from './designations';
import { itemKey } from './expansion';
import { missingCodeText } from './lookup-code';
import type { ResolvedExpansion, TerminologyCache } from './terminology-cache';
import type { CodeSystemValidateCodeRequest, ValidateCodeRequest, ValidateCodeResult } from './terminology-service';

export async function validateCodeInValueSet(cache: TerminologyCache, request: ValidateCodeRequest): Promise<ValidateCodeResult> {
  const resolved = await cache.expansion(request.valueSet);
  const check = async (coding: Coding): Promise<ValidateCodeResult> => checkInValueSet(cache, resolved, coding, request);
  return combine(await Promise.all(codingsOf(request).map(check)), request.codeableConcept);
}

export async function validateCodeInCodeSystem(
  cache: TerminologyCache,
  request: CodeSystemValidateCodeRequest
): Promise<ValidateCodeResult> {
  const index = await cache.codeSystemOf(request.codeSystem);
  const url = 'url' in request.codeSystem ? request.codeSystem.url : request.codeSystem.resource.url;
  if (!index) {
    return { result: false, message: `Unknown code system '${url}': this server does not know it, so no code of it can be validated` };
  }
  const results = codingsOf(request).map((coding) => checkInCodeSystem(index, coding, request));
  return combine(results, request.codeableConcept);
}

function codingsOf(request: { coding?: Coding; codeableConcept?: CodeableConcept }): Coding[] {
  return request.codeableConcept ? (request.codeableConcept.coding ?? []) : request.coding ? [request.coding] : [];
}

async function checkInValueSet(
  cache: TerminologyCache,
  resolved: ResolvedExpansion,
  coding: Coding,
  request: ValidateCodeRequest
): Promise<ValidateCodeResult> {
  const { system, code } = coding;
  const label = resolved.valueSet.url ?? 'the ValueSet';
  if (!code || !system) {
    const given = `system '${system ?? ''}', code '${code ?? ''}'`;
    return { result: false, message: `A coding needs a system and a code to be validated (got ${given})` };
  }
  const index = await cache.codeSystem(system, coding.version);
  const item = resolved.base.byKey.get(itemKey(system, index?.get(code)?.code ?? code));
  if (!item) {
    const inValueSet = resolved.base.items.some((i) => i.system === system);
    if (!index && !inValueSet) {
      const version = coding.version ? ` version ${coding.version}` : '';
      const message = `Unknown code system '${system}'${version}: the code '${code}' cannot be validated, and is not in ${label}`;
      return { result: false, message };
    }
    const undefinedCode = index && !index.get(code) ? `${missingCodeText(index, code)}; it ` : `The code '${code}' of '${system}' `;
    return { result: false, message: `${undefinedCode}is not in the value set ${label}` };
  }
  return checkDetails(coding, item.texts, { abstract: item.abstract, inactive: item.inactive }, request);
}

function checkInCodeSystem(index: CodeSystemIndex, coding: Coding, request: CodeSystemValidateCodeRequest): ValidateCodeResult {
  const { system, code } = coding;
  if (!code) {
    return { result: false, message: 'A coding without a code cannot be validated' };
  }
  if (system !== undefined && system !== index.url) {
    return { result: false, message: `The coding's system '${system}' is not the code system '${index.url}' being validated against` };
  }
  const concept = index.get(code);
  if (!concept) {
    return { result: false, message: missingCodeText(index, code) };
  }
  const texts: ConceptTexts = { display: concept.display, displayLanguage: index.language, designations: concept.designations };
  return checkDetails({ ...coding, system: index.url, code: concept.code }, texts, concept, request);
}

/** A code that is in: is it allowed here (abstract, inactive), and is the display given right? */
function checkDetails(
  coding: Coding,
  texts: ConceptTexts,
  flags: { abstract: boolean; inactive: boolean },
  request: { displayLanguage?: string; abstract?: boolean; activeOnly?: boolean }
): ValidateCodeResult {
  const display = displayIn(texts, request.displayLanguage);
  const withDisplay = (result: ValidateCodeResult): ValidateCodeResult => (display === undefined ? result : { ...result, display });
  const what = `${coding.system}#${coding.code}`;
  if (flags.abstract && request.abstract === false) {
    return withDisplay({ result: false, message: `${what} is abstract (not for use in data), and abstract codes were not allowed` });
  }
  if (flags.inactive && request.activeOnly) {
    return withDisplay({ result: false, message: `${what} is inactive, and only active codes were allowed` });
  }
  if (coding.display !== undefined && !validDisplays(texts).some((d) => sameDisplay(d, coding.display as string))) {
    return withDisplay({
      result: false,
      message: `The display '${coding.display}' is not a display of ${what}; it should be '${display ?? ''}' (or one of its designations)`,
    });
  }
  return withDisplay(flags.inactive ? { result: true, message: `${what} is inactive` } : { result: true });
}

/** One coding: its result. A CodeableConcept: true if any coding is valid, else every coding's reason. */
function combine(results: ValidateCodeResult[], codeableConcept: CodeableConcept | undefined): ValidateCodeResult {
  if (!codeableConcept) {
    return results[0] ?? { result: false, message: 'No code was given to validate' };
  }
  const valid = results.find((r) => r.result);
  if (valid) {
    return valid;
  }
  if (!results.length) {
    return { result: false, message: 'The CodeableConcept has no coding to validate' };
  }
  return { result: false, message: results.map((r) => r.message).filter(Boolean).join('; ') };
}
