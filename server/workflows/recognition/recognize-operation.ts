// Observation/$recognize and DiagnosticReport/$recognize, at type and instance level: whether the
// results are recognized by an organization on a date under the network's rule set
// (OperationDefinition https://fhir.dhc.example/OperationDefinition/recognize; docs/recognition.md). The result is the instance of the URL, or sent
// inline as `result`, or every laboratory result of a `patient` (optionally of one `code`).
import type { DiagnosticReport, Observation, Resource } from '@medplum/fhirtypes';
import { decideRecognition } from '../../auth/policy/recognition-access';
import type { FhirContext, Interaction } from '../../fhir/request';
import { badRequest, forbidden, notFound, unprocessable, issue } from '../../outcomes';
import { residentIdsOf, ResultJudge, type RecognitionQuestion, type ResultRecognition } from './judge-result';
import { laboratoryResultsOf, samePersonRecords } from './patient-results';
import { readRecognizeInput, type RecognizeInput } from './recognize-input';
import { recognitionParameters } from './recognize-output';
import { parameterNotFound } from './recognition-errors';
import { recordReuse } from './reuse-provenance';
import { loincSystem, recognitionRuleSet } from './rule-set';

const recognizedTypes = ['Observation', 'DiagnosticReport'] as const;

export const recognize: Interaction = async (request, { resourceType, id }, context) => {
  const type = recognizedTypes.find((t) => t === resourceType);
  if (!type) {
    throw notFound(`$recognize is defined on ${recognizedTypes.join(' and ')}, not on ${resourceType}`);
  }
  const input = readRecognizeInput(request, type);
  const decision = decideRecognition(context.caller, input.organization, input.record);
  if (!decision.allowed) {
    throw forbidden(decision.reason);
  }
  // The directory is reference data: an organization exists whatever the caller's scopes.
  const organization = await context.pipeline.dataStore.readCurrent('Organization', input.organization.slice('Organization/'.length));
  if (!organization?.resource) {
    throw parameterNotFound(`${input.organization} is not a known organization`, 'organization');
  }
  const ruleSet = recognitionRuleSet;
  let residentIds: Set<string> | undefined;
  let patientIds: string[] | undefined;
  if (input.patient) {
    const patientId = input.patient.slice('Patient/'.length);
    residentIds = await residentIdsOf(context, ruleSet.residentIdSystem, patientId);
    if (!residentIds) {
      throw parameterNotFound(`${input.patient} is not a known patient`, 'patient');
    }
    if (!residentIds.size) {
      throw unprocessable([issue('business-rule', `${input.patient} has no resident ID number (${ruleSet.residentIdSystem}): results of other institutions cannot be matched to the person`, 'patient')]);
    }
    patientIds = await samePersonRecords(context, patientId, ruleSet.residentIdSystem, residentIds);
  }
  const question: RecognitionQuestion = { organization: input.organization, date: input.date, ...(residentIds ? { residentIds } : {}) };
  const judge = new ResultJudge(context, question, ruleSet);
  const recognitions = await judged(type, id, input, patientIds, judge, context);
  const shown = input.onlyRecognized ? recognitions.filter((r) => r.recognized) : recognitions;
  const recorded = input.record ? await recordReuse(context, shown, input.organization, input.date, ruleSet) : new Map<string, string>();
  return { status: 200, body: recognitionParameters(question, ruleSet, shown, recorded) };
};

async function judged(
  type: 'Observation' | 'DiagnosticReport',
  id: string | undefined,
  input: RecognizeInput,
  patientIds: string[] | undefined,
  judge: ResultJudge,
  context: FhirContext
): Promise<ResultRecognition[]> {
  const sources = [id !== undefined, input.result !== undefined].filter(Boolean).length;
  if (sources > 1) {
    throw badRequest(`$recognize on ${type}/${id} judges that ${type}: send no 'result' with it`, 'result');
  }
  if (id !== undefined) {
    const current = await context.store.readCurrent(type, id);
    if (!current?.resource) {
      throw notFound(`${type}/${id} is not known (or was deleted)`);
    }
    return judgeOne(current.resource, current.versionId, judge, context);
  }
  if (input.result) {
    return judgeOne(input.result, undefined, judge, context);
  }
  if (!patientIds) {
    throw badRequest(`$recognize needs a result: ${type}/[id]/$recognize, a 'result' parameter, or a 'patient' (with an optional 'code')`, 'patient');
  }
  const versions = await laboratoryResultsOf(context, type, patientIds);
  const groups: { codes: string[]; recognitions: ResultRecognition[] }[] = [];
  for (const version of versions) {
    const resource = version.resource as Observation | DiagnosticReport;
    groups.push({ codes: loincCodes(resource), recognitions: await judgeOne(resource, version.versionId, judge, context) });
  }
  const wanted = input.code;
  // A result of the item: coded with it, or normalized to it (a mass-concentration or local code).
  const kept = wanted ? groups.filter((g) => g.codes.includes(wanted) || g.recognitions.some((r) => r.code?.code === wanted)) : groups;
  return kept.flatMap((g) => g.recognitions).sort((a, b) => (b.collected ?? '').localeCompare(a.collected ?? ''));
}

function loincCodes(resource: Observation | DiagnosticReport): string[] {
  return (resource.code?.coding ?? []).filter((c) => c.system === loincSystem && c.code).map((c) => c.code as string);
}

/** A stored or inline result: an Observation alone, or a report followed by the results it groups. */
async function judgeOne(resource: Resource, versionId: string | undefined, judge: ResultJudge, context: FhirContext): Promise<ResultRecognition[]> {
  const stored = versionId !== undefined ? { versionId } : undefined;
  if (resource.resourceType === 'Observation') {
    return [await judge.judgeObservation(resource, stored)];
  }
  const report = resource as DiagnosticReport;
  const results: ResultRecognition[] = [];
  const missing: string[] = [];
  for (const reference of report.result ?? []) {
    const observationId = reference.reference?.startsWith('Observation/') ? reference.reference.slice('Observation/'.length) : undefined;
    const current = observationId ? await context.store.readCurrent('Observation', observationId) : undefined;
    if (current?.resource) {
      results.push(await judge.judgeObservation(current.resource as Observation, { versionId: current.versionId }));
    } else {
      missing.push(reference.reference ?? '(no reference)');
    }
  }
  const verdicts = await judge.judgeReportRules(report, results, missing);
  const source = report.performer?.find((p) => p.reference?.startsWith('Organization/'));
  const reportRecognition: ResultRecognition = {
    result: stored && report.id ? `DiagnosticReport/${report.id}` : 'DiagnosticReport',
    stored: stored !== undefined,
    ...(versionId ? { versionId } : {}),
    recognized: verdicts.every((v) => v.verdict === 'pass'),
    verdicts,
    ...(source ? { source } : {}),
    ...(report.effectiveDateTime ? { collected: report.effectiveDateTime } : {}),
  };
  return [reportRecognition, ...results];
}
