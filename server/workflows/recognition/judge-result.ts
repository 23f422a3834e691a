// The rules that decide whether one laboratory result is recognized by an organization on a date
// (docs/recognition.md): code (LOINC, or a local code mapped to LOINC by a ConceptMap), unit (UCUM, the
// item's unit or converted to it), profile (dhc-lab-result, judged on the result with its LOINC code),
// status, quality assessment (the performing laboratory's pass as the quality-control centre recorded
// it), window (specimen collected within the item's validity days before the date of use) and patient
// (the same person by resident ID). Every rule gives its verdict, so a refusal says exactly why.
import type { Coding, DiagnosticReport, Observation, Patient, Quantity, Reference } from '@medplum/fhirtypes';
import type { FhirContext } from '../../fhir/request';
import { isErrorIssue } from '../../outcomes';
import { QualityAssessmentRecords } from './quality-assessment';
import { itemForLoinc, loincSystem, recognitionRuleSet, type RecognitionItem, type RecognitionRuleSet } from './rule-set';
import { convertConcentration } from './ucum-conversion';

export type RuleName = 'code' | 'unit' | 'profile' | 'status' | 'quality-assessment' | 'window' | 'patient' | 'results';
export type Verdict = 'pass' | 'fail' | 'not-evaluated';

export interface RuleVerdict {
  rule: RuleName;
  verdict: Verdict;
  message: string;
}

export interface ResultRecognition {
  /** 'Observation/x', or the type alone for a result sent inline and not stored. */
  result: string;
  /** Whether the result is stored: only a stored result can be recorded as reused. */
  stored: boolean;
  versionId?: string;
  recognized: boolean;
  verdicts: RuleVerdict[];
  /** The performing laboratory's organization. */
  source?: Reference;
  collected?: string;
  /** The item's LOINC code and the value in the item's unit, once code and unit passed. */
  code?: Coding;
  value?: Quantity;
}

export interface RecognitionQuestion {
  /** The recognizing organization, 'Organization/x'. */
  organization: string;
  /** The date of use, YYYY-MM-DD. */
  date: string;
  /** The resident ID numbers of the patient in front of the recognizing physician, when one was named. */
  residentIds?: ReadonlySet<string>;
}

const ucumSystem = 'http://unitsofmeasure.org';

/**
 * Map equivalences under which a local result is a result of the LOINC item: the same concept, or a
 * LOINC concept wider than the local one (a local code that also names the method).
 * https://hl7.org/fhir/R4/valueset-concept-map-equivalence.html
 */
const sameItem = new Set(['equal', 'equivalent', 'wider', 'subsumes']);

/** Judges results for one question; the quality-control records and patients read are shared by its results. */
export class ResultJudge {
  private readonly qualityRecords: QualityAssessmentRecords;
  private readonly patients = new Map<string, Promise<Set<string> | undefined>>();

  constructor(
    private readonly context: FhirContext,
    private readonly question: RecognitionQuestion,
    private readonly ruleSet: RecognitionRuleSet = recognitionRuleSet
  ) {
    this.qualityRecords = new QualityAssessmentRecords(context);
  }

  async judgeObservation(observation: Observation, stored: { versionId?: string } | undefined): Promise<ResultRecognition> {
    const verdicts: RuleVerdict[] = [];
    const code = await this.judgeCode(observation);
    verdicts.push(code.verdict);
    const unit = judgeUnit(observation, code.item, code.viaMass);
    verdicts.push(unit.verdict);
    // The profile asks for a LOINC code: a result coded locally is judged with the LOINC code it maps to.
    const withLoinc = code.mapped ? { ...observation, code: { ...observation.code, coding: [...(observation.code.coding ?? []), code.mapped] } } : observation;
    verdicts.push(await this.judgeProfile(withLoinc, this.ruleSet.profiles.Observation));
    verdicts.push(this.judgeStatus(observation.status));
    const collected = observation.effectiveDateTime ?? observation.effectivePeriod?.start ?? observation.effectiveInstant;
    const source = observation.performer?.find((p) => p.reference?.startsWith('Organization/'));
    verdicts.push(await this.judgeQualityAssessment(source?.reference, code.item, collected));
    verdicts.push(this.judgeWindow(code.item, collected));
    verdicts.push(await this.judgePatient(observation.subject?.reference));
    const recognized = verdicts.every((v) => v.verdict === 'pass');
    return {
      result: stored && observation.id ? `Observation/${observation.id}` : 'Observation',
      stored: stored !== undefined,
      ...(stored?.versionId ? { versionId: stored.versionId } : {}),
      recognized,
      verdicts,
      ...(source ? { source: { reference: source.reference, ...(source.display ? { display: source.display } : {}) } } : {}),
      ...(collected ? { collected } : {}),
      ...(code.item && unit.value !== undefined
        ? {
            code: { system: loincSystem, code: code.item.loinc, display: code.item.display },
            value: { value: unit.value, unit: code.item.unit, system: ucumSystem, code: code.item.unit },
          }
        : {}),
    };
  }

  /** The report's own rules (profile, status, patient) and whether every result it groups is recognized. */
  judgeReportRules(report: DiagnosticReport, results: ResultRecognition[], missing: string[]): Promise<RuleVerdict[]> {
    return Promise.all([
      this.judgeProfile(report, this.ruleSet.profiles.DiagnosticReport),
      Promise.resolve(this.judgeStatus(report.status)),
      this.judgePatient(report.subject?.reference),
      Promise.resolve(judgeResults(results, missing)),
    ]);
  }

  private async judgeCode(observation: Observation): Promise<{ verdict: RuleVerdict; item?: RecognitionItem; viaMass: boolean; mapped?: Coding }> {
    const codings = observation.code?.coding ?? [];
    for (const coding of codings.filter((c) => c.system === loincSystem && c.code)) {
      const found = itemForLoinc(this.ruleSet, coding.code as string);
      if (found) {
        return { verdict: pass('code', `LOINC ${coding.code} is the rule set's item ${found.item.loinc} (${found.item.text})`), ...found };
      }
    }
    if (codings.some((c) => c.system === loincSystem)) {
      const codes = codings.filter((c) => c.system === loincSystem).map((c) => c.code).join(', ');
      return { verdict: fail('code', `LOINC ${codes} is not an item of the rule set ${this.ruleSet.version}`), viaMass: false };
    }
    for (const coding of codings.filter((c) => c.system && c.code)) {
      const translation = await this.context.terminology.translate({ codings: [coding], targetSystem: loincSystem });
      const match = translation.matches.find((m) => sameItem.has(m.equivalence) && m.concept?.code);
      const found = match ? itemForLoinc(this.ruleSet, match.concept?.code as string) : undefined;
      if (match && found) {
        const mapped = { system: loincSystem, code: match.concept?.code, ...(match.concept?.display ? { display: match.concept.display } : {}) };
        return { verdict: pass('code', `${coding.system}|${coding.code} maps to LOINC ${mapped.code} (${match.source})`), ...found, mapped };
      }
    }
    const local = codings.map((c) => `${c.system}|${c.code}`).join(', ') || 'no coding';
    return { verdict: fail('code', `The code (${local}) is not LOINC and no ConceptMap maps it to a LOINC item of the rule set`), viaMass: false };
  }

  private async judgeProfile(resource: Observation | DiagnosticReport, profile: string): Promise<RuleVerdict> {
    const errors = (await this.context.validator.validate(resource, [profile])).filter(isErrorIssue);
    if (!errors.length) {
      return pass('profile', `Conforms to ${profile}`);
    }
    const first = errors[0];
    return fail('profile', `Does not conform to ${profile}: ${first.details?.text ?? first.diagnostics ?? first.code}${first.expression ? ` (${first.expression.join(', ')})` : ''}`);
  }

  private judgeStatus(status: string | undefined): RuleVerdict {
    const allowed = this.ruleSet.recognizedStatuses;
    return status && allowed.includes(status)
      ? pass('status', `The status is ${status}`)
      : fail('status', `The status is ${status ?? 'missing'}: only ${allowed.join(', ')} results are recognized`);
  }

  private async judgeQualityAssessment(laboratory: string | undefined, item: RecognitionItem | undefined, collected: string | undefined): Promise<RuleVerdict> {
    if (!item || !collected) {
      return notEvaluated('quality-assessment', item ? 'The result says not when the specimen was collected' : 'The result is not an item of the rule set');
    }
    if (!laboratory) {
      return fail('quality-assessment', 'The result names no performing laboratory (an Organization among its performers)');
    }
    const found = await this.qualityRecords.passAt(laboratory, item.qualityAssessmentItem, Date.parse(collected));
    return found.held
      ? pass('quality-assessment', `${laboratory} held the quality-assessment pass for ${item.qualityAssessmentItem} when the specimen was collected (${found.record})`)
      : fail('quality-assessment', found.reason);
  }

  private judgeWindow(item: RecognitionItem | undefined, collected: string | undefined): RuleVerdict {
    if (!collected) {
      return fail('window', 'The result says not when the specimen was collected (effectiveDateTime)');
    }
    if (!item) {
      return notEvaluated('window', 'The result is not an item of the rule set');
    }
    // Whole days between the collection's own calendar date and the date of use.
    const days = Math.round((Date.parse(this.question.date) - Date.parse(collected.slice(0, 10))) / 86_400_000);
    if (days < 0) {
      return fail('window', `The specimen was collected on ${collected.slice(0, 10)}, after the date of use ${this.question.date}`);
    }
    return days <= item.validityDays
      ? pass('window', `Collected ${days} day(s) before ${this.question.date}; ${item.text} is recognized for ${item.validityDays} days`)
      : fail('window', `Collected ${days} days before ${this.question.date}: ${item.text} is recognized for ${item.validityDays} days only`);
  }

  private async judgePatient(subject: string | undefined): Promise<RuleVerdict> {
    const ids = subject?.startsWith('Patient/') ? await this.residentIdsOf(subject.slice('Patient/'.length)) : undefined;
    if (!ids?.size) {
      return fail('patient', `The subject (${subject ?? 'none'}) is not a patient known here with a resident ID number: the person cannot be matched across institutions`);
    }
    if (!this.question.residentIds) {
      return pass('patient', `${subject} is identified across institutions by a resident ID number`);
    }
    return [...ids].some((id) => this.question.residentIds?.has(id))
      ? pass('patient', `${subject} has the same resident ID number as the patient named`)
      : fail('patient', `${subject} is another person: its resident ID number differs from the patient named`);
  }

  private residentIdsOf(patientId: string): Promise<Set<string> | undefined> {
    let found = this.patients.get(patientId);
    if (!found) {
      found = residentIdsOf(this.context, this.ruleSet.residentIdSystem, patientId);
      this.patients.set(patientId, found);
    }
    return found;
  }
}

/** A patient's resident ID numbers; undefined for a patient not found (or not visible to the caller). */
export async function residentIdsOf(context: FhirContext, residentIdSystem: string, patientId: string): Promise<Set<string> | undefined> {
  const patient = (await context.store.readCurrent('Patient', patientId))?.resource as Patient | undefined;
  return patient ? new Set((patient.identifier ?? []).filter((i) => i.system === residentIdSystem && i.value).map((i) => i.value as string)) : undefined;
}

/** The unit rule: UCUM, and the item's unit or convertible to it (a mass code needs the molar mass). */
function judgeUnit(observation: Observation, item: RecognitionItem | undefined, viaMass: boolean): { verdict: RuleVerdict; value?: number } {
  const quantity = observation.valueQuantity;
  if (!quantity || quantity.value === undefined) {
    return { verdict: fail('unit', 'The result has no quantity value') };
  }
  if (quantity.system !== ucumSystem || !quantity.code) {
    return { verdict: fail('unit', `The unit '${quantity.unit ?? quantity.code ?? ''}' is not coded in UCUM (${ucumSystem})`) };
  }
  if (!item) {
    return { verdict: notEvaluated('unit', 'The result is not an item of the rule set') };
  }
  const molarMass = viaMass ? item.massCounterpart?.molarMass : undefined;
  const value = convertConcentration(quantity.value, quantity.code, item.unit, molarMass);
  if (value === undefined) {
    return { verdict: fail('unit', `${quantity.code} cannot be converted to ${item.unit}, the unit of ${item.loinc}`) };
  }
  if (quantity.code === item.unit) {
    return { verdict: pass('unit', `UCUM ${item.unit}`), value };
  }
  const how = molarMass ? ` with the molar mass ${molarMass} g/mol, LOINC ${item.massCounterpart?.loinc} becoming ${item.loinc}` : '';
  return { verdict: pass('unit', `${quantity.value} ${quantity.code} is ${value} ${item.unit}${how}`), value };
}

function judgeResults(results: ResultRecognition[], missing: string[]): RuleVerdict {
  if (missing.length) {
    return fail('results', `The report's results ${missing.join(', ')} are not found`);
  }
  const refused = results.filter((r) => !r.recognized).map((r) => r.result);
  return refused.length ? fail('results', `Not every result is recognized: ${refused.join(', ')}`) : pass('results', `All ${results.length} result(s) are recognized`);
}

const pass = (rule: RuleName, message: string): RuleVerdict => ({ rule, verdict: 'pass', message });
const fail = (rule: RuleName, message: string): RuleVerdict => ({ rule, verdict: 'fail', message });
const notEvaluated = (rule: RuleName, message: string): RuleVerdict => ({ rule, verdict: 'not-evaluated', message });
