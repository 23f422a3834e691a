// The network's versioned rule set for the mutual recognition of laboratory results
// (profiles/recognition/rule-set.json, explained in docs/recognition.md): per recognized item its LOINC
// code, UCUM unit, validity window and quality-assessment item, and the mass-concentration counterpart a
// result may arrive in. It is a JSON file rather than a FHIR resource because no R4 resource carries a
// window per item or a molar mass without extensions; its url|version is named in every answer and in
// every Provenance of a reuse, so an auditor knows which rules decided.
import ruleSetJson from '../../../profiles/recognition/rule-set.json';

export interface MassCounterpart {
  /** The mass-concentration LOINC code (e.g. 1558-6, mg/dL), converted to the item's molar code. */
  loinc: string;
  display: string;
  /** g/mol, to turn a mass concentration into an amount-of-substance concentration. */
  molarMass: number;
}

export interface RecognitionItem {
  loinc: string;
  display: string;
  text: string;
  /** The UCUM unit a recognized value is given in. */
  unit: string;
  /** A specimen collected more than this many days before the date of use is not recognized. */
  validityDays: number;
  /** The item the quality-control centre records a laboratory's quality-assessment pass for (a LOINC code). */
  qualityAssessmentItem: string;
  massCounterpart?: MassCounterpart;
}

export interface RecognitionRuleSet {
  url: string;
  version: string;
  date: string;
  title: string;
  sources: string[];
  /** Result statuses that may be recognized (https://hl7.org/fhir/R4/valueset-observation-status.html). */
  recognizedStatuses: string[];
  /** The profile a recognized result conforms to, per resource type. */
  profiles: Record<'Observation' | 'DiagnosticReport', string>;
  /** The identifier system that says two Patient records are the same person. */
  residentIdSystem: string;
  items: RecognitionItem[];
}

export const recognitionRuleSet: RecognitionRuleSet = ruleSetJson;

export const loincSystem = 'http://loinc.org';

/** The item a LOINC code names, as the item's own (molar) code or as its mass-concentration counterpart. */
export function itemForLoinc(ruleSet: RecognitionRuleSet, code: string): { item: RecognitionItem; viaMass: boolean } | undefined {
  for (const item of ruleSet.items) {
    if (item.loinc === code) {
      return { item, viaMass: false };
    }
    if (item.massCounterpart?.loinc === code) {
      return { item, viaMass: true };
    }
  }
  return undefined;
}

/** Every LOINC code the rule set accepts: the items' and their mass counterparts'. */
export function acceptedLoincCodes(ruleSet: RecognitionRuleSet): string[] {
  return ruleSet.items.flatMap((i) => [i.loinc, ...(i.massCounterpart ? [i.massCounterpart.loinc] : [])]);
}
