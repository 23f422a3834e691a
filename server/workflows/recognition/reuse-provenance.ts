// The record of a reuse: when a physician recognizes a stored result instead of repeating the test
// (record=true), a Provenance (https://hl7.org/fhir/R4/provenance.html) says so: target the result,
// activity recognition#reused, agents the recognizing organization and the physician acting for it,
// entity the result's version as the source, policy the rule set's url|version. Auditors count the tests
// the network avoided with `Provenance?activity=...|reused&_summary=count` (docs/recognition.md).
// The server writes it as its own record (as it would an audit event), after the caller's right to
// record was decided; the integrity rules still run on it.
import type { Organization, Provenance, Reference } from '@medplum/fhirtypes';
import { newResourceId } from '../../fhir/ids';
import { serverCaller } from '../../fhir/pipeline/caller';
import { scopedContext } from '../../fhir/pipeline/pipeline';
import type { FhirContext } from '../../fhir/request';
import type { ResultRecognition } from './judge-result';
import { recognitionSystem } from './quality-assessment';
import type { RecognitionRuleSet } from './rule-set';

export const reusedActivity = { system: recognitionSystem, code: 'reused', display: 'Result recognized and reused instead of repeated' };

export function reuseProvenance(recognition: ResultRecognition, organization: string, date: string, user: string | undefined, ruleSet: RecognitionRuleSet): Provenance {
  const version = recognition.versionId ? `${recognition.result}/_history/${recognition.versionId}` : recognition.result;
  return {
    resourceType: 'Provenance',
    target: [{ reference: recognition.result }],
    occurredDateTime: date,
    recorded: new Date().toISOString(),
    policy: [`${ruleSet.url}|${ruleSet.version}`],
    activity: { coding: [reusedActivity], text: '检验结果互认 · result reused' },
    agent: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'custodian', display: 'Custodian' }] },
        who: { reference: organization },
      },
      ...(user
        ? [
            {
              type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'verifier', display: 'Verifier' }] },
              who: { reference: user },
              onBehalfOf: { reference: organization },
            },
          ]
        : []),
    ],
    entity: [{ role: 'source', what: { reference: version }, ...(recognition.source ? { agent: [{ who: recognition.source as Reference<Organization> }] } : {}) }],
  };
}

/** Writes the Provenance of each recognized stored result; returns their references by result. */
export async function recordReuse(
  context: FhirContext,
  recognitions: ResultRecognition[],
  organization: string,
  date: string,
  ruleSet: RecognitionRuleSet
): Promise<Map<string, string>> {
  const recorded = new Map<string, string>();
  const reusable = recognitions.filter((r) => r.recognized && r.stored && r.result.startsWith('Observation/'));
  if (!reusable.length) {
    return recorded;
  }
  const user = context.caller.user?.startsWith('Practitioner/') || context.caller.user?.startsWith('PractitionerRole/') ? context.caller.user : undefined;
  const store = scopedContext({ ...context, caller: serverCaller }, { code: 'create', resourceType: 'Provenance' }).store;
  await store.transaction(async (tx) => {
    for (const recognition of reusable) {
      const written = await tx.create({ ...reuseProvenance(recognition, organization, date, user, ruleSet), id: newResourceId() });
      recorded.set(recognition.result, `Provenance/${written.id}`);
    }
  });
  return recorded;
}
