// The answer of $recognize: a Parameters resource with the question (organization, date, rule set) and,
// per result judged, a `recognition` part: the result, recognized or not, the source institution, the
// specimen collection time, the normalized LOINC code and value, each rule's verdict, and the Provenance
// when the reuse was recorded.
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import type { RecognitionQuestion, ResultRecognition } from './judge-result';
import type { RecognitionRuleSet } from './rule-set';

export function recognitionParameters(
  question: RecognitionQuestion,
  ruleSet: RecognitionRuleSet,
  recognitions: ResultRecognition[],
  recorded: ReadonlyMap<string, string>
): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'organization', valueReference: { reference: question.organization } },
      { name: 'date', valueDate: question.date },
      { name: 'ruleSet', valueCanonical: `${ruleSet.url}|${ruleSet.version}` },
      { name: 'count', valueInteger: recognitions.length },
      { name: 'recognizedCount', valueInteger: recognitions.filter((r) => r.recognized).length },
      ...recognitions.map((r) => recognitionPart(r, recorded.get(r.result))),
    ],
  };
}

function recognitionPart(r: ResultRecognition, provenance: string | undefined): ParametersParameter {
  const part: ParametersParameter[] = [
    { name: 'result', valueReference: r.stored ? { reference: r.result } : { display: `${r.result} sent inline` } },
    { name: 'recognized', valueBoolean: r.recognized },
  ];
  if (r.source) {
    part.push({ name: 'source', valueReference: r.source });
  }
  if (r.collected) {
    part.push({ name: 'collected', valueDateTime: r.collected });
  }
  if (r.code) {
    part.push({ name: 'code', valueCoding: r.code });
  }
  if (r.value) {
    part.push({ name: 'value', valueQuantity: r.value });
  }
  for (const v of r.verdicts) {
    part.push({
      name: 'rule',
      part: [
        { name: 'name', valueCode: v.rule },
        { name: 'verdict', valueCode: v.verdict },
        { name: 'message', valueString: v.message },
      ],
    });
  }
  if (provenance) {
    part.push({ name: 'provenance', valueReference: { reference: provenance } });
  }
  return { name: 'recognition', part };
}
