// The quality-control centre's record of a laboratory's quality-assessment passes, one
// VerificationResult per laboratory, item and assessment round
// (https://hl7.org/fhir/R4/verificationresult.html): target the laboratory's Organization,
// validationProcess the network's external-quality-assessment code and the item's LOINC code, status
// `validated` (passed) or `val-fail` (failed), and the pass held from lastPerformed until nextScheduled
// (the next round). The eqa-status extension and the HR mark on a result are the result's own claims:
// recognition never reads them.
import type { VerificationResult } from '@medplum/fhirtypes';
import type { FhirContext } from '../../fhir/request';
import { allMatches } from './all-matches';
import { loincSystem } from './rule-set';

export const recognitionSystem = 'https://fhir.dhc.example/CodeSystem/recognition';
export const externalQualityAssessment = 'external-quality-assessment';

export type PassFinding = { held: true; record: string } | { held: false; reason: string };

/** The passes recorded for each laboratory, read once per request. */
export class QualityAssessmentRecords {
  private readonly byLaboratory = new Map<string, Promise<VerificationResult[]>>();

  constructor(private readonly context: FhirContext) {}

  /** Whether `laboratory` ('Organization/x') held a pass for `item` (a LOINC code) at `at` (ms since epoch). */
  async passAt(laboratory: string, item: string, at: number): Promise<PassFinding> {
    const records = (await this.recordsOf(laboratory)).filter((r) => assessesItem(r, item));
    if (!records.length) {
      return { held: false, reason: `The quality-control centre has no quality-assessment record of ${laboratory} for ${item}` };
    }
    const covering = records.filter((r) => covers(r, at));
    const pass = covering.find((r) => r.status === 'validated');
    if (pass) {
      return { held: true, record: `VerificationResult/${pass.id}` };
    }
    if (covering.length) {
      return { held: false, reason: `${laboratory} failed the quality assessment of ${item} in force then (VerificationResult/${covering[0].id}, ${covering[0].status})` };
    }
    const lastEnd = records.map((r) => r.nextScheduled ?? '').sort().at(-1);
    return { held: false, reason: `${laboratory} held no quality-assessment pass for ${item} when the specimen was collected${lastEnd ? ` (the last recorded round ran until ${lastEnd})` : ''}` };
  }

  private recordsOf(laboratory: string): Promise<VerificationResult[]> {
    let found = this.byLaboratory.get(laboratory);
    if (!found) {
      found = this.search(laboratory);
      this.byLaboratory.set(laboratory, found);
    }
    return found;
  }

  private async search(laboratory: string): Promise<VerificationResult[]> {
    // The centre's records are reference data the decision rests on: read whole, whatever the caller's scopes.
    const found = await allMatches({ ...this.context, store: this.context.pipeline.dataStore }, 'VerificationResult', new URLSearchParams({ target: laboratory }), 10_000, `${laboratory} has too many quality-assessment records`);
    return found.map((v) => v.resource as VerificationResult);
  }
}

function assessesItem(record: VerificationResult, item: string): boolean {
  const codings = (record.validationProcess ?? []).flatMap((p) => p.coding ?? []);
  return (
    codings.some((c) => c.system === recognitionSystem && c.code === externalQualityAssessment) &&
    codings.some((c) => c.system === loincSystem && c.code === item)
  );
}

/** The round covers `at` when it was performed at or before it, and the next round is after it. */
function covers(record: VerificationResult, at: number): boolean {
  const from = record.lastPerformed ? Date.parse(record.lastPerformed) : NaN;
  const until = record.nextScheduled ? Date.parse(record.nextScheduled) : NaN;
  return from <= at && (Number.isNaN(until) || at < until);
}
