// Creates the resources a fixture refers to, so that fixtures written before the reference-target rule
// (docs/integrity.md) still describe a consistent store: each missing target of a local literal reference
// is written first as a small valid resource of its type, with the given id.
import type { Resource } from '@medplum/fhirtypes';
import type supertest from 'supertest';
import { rewriteReferences } from '../../server/fhir/bundle/reference-rewrite';
import { fhirJson } from './test-server';

const patient = { reference: 'Patient/fixture-target-patient' };
const organization = { reference: 'Organization/fixture-target-organization' };
const text = { text: 'fixture target' };

/** The least each type needs to be valid R4; types not listed need nothing but their id. */
const minimal: Record<string, Record<string, unknown>> = {
  Organization: { name: 'fixture target' },
  Encounter: { status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' } },
  Observation: { status: 'final', code: text },
  Condition: { subject: patient },
  Coverage: { status: 'active', beneficiary: patient, payor: [organization] },
  ServiceRequest: { status: 'active', intent: 'order', subject: patient },
  MedicationRequest: { status: 'active', intent: 'order', medicationCodeableConcept: text, subject: patient },
  Task: { status: 'requested', intent: 'order' },
  Procedure: { status: 'completed', subject: patient },
  ClinicalImpression: { status: 'completed', subject: patient },
  Appointment: { status: 'proposed', participant: [{ status: 'accepted', actor: patient }] },
  Schedule: { actor: [patient] },
  Slot: { schedule: { reference: 'Schedule/fixture-target-schedule' }, status: 'free', start: '2026-01-01T08:00:00Z', end: '2026-01-01T08:30:00Z' },
  RelatedPerson: { patient },
  QuestionnaireResponse: { status: 'completed' },
  Goal: { lifecycleStatus: 'active', description: text, subject: patient },
  EpisodeOfCare: { status: 'active', patient },
  DocumentReference: { status: 'current', content: [{ attachment: { contentType: 'text/plain' } }] },
  DetectedIssue: { status: 'final' },
  CommunicationRequest: { status: 'active' },
  CarePlan: { status: 'active', intent: 'plan', subject: patient },
  Claim: {
    status: 'active',
    type: text,
    use: 'claim',
    patient,
    created: '2026-01-01',
    provider: organization,
    priority: text,
    insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/fixture-target-coverage' } }],
  },
};

/** The ids the stubs themselves refer to, created before any stub. */
const shared: Resource[] = [
  { resourceType: 'Patient', id: 'fixture-target-patient' },
  { resourceType: 'Organization', id: 'fixture-target-organization', name: 'fixture target' } as Resource,
  { resourceType: 'Schedule', id: 'fixture-target-schedule', actor: [patient] } as Resource,
  { resourceType: 'Coverage', id: 'fixture-target-coverage', ...minimal.Coverage } as Resource,
];

/** Writes every missing local target of `resources`' references (not the resources themselves). */
export async function createReferencedTargets(http: ReturnType<typeof supertest>, ...resources: Resource[]): Promise<void> {
  const targets = new Map<string, { resourceType: string; id: string }>();
  for (const resource of resources) {
    rewriteReferences(
      resource,
      (reference) => {
        const match = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/\d+)?$/.exec(reference);
        if (match) {
          targets.set(`${match[1]}/${match[2]}`, { resourceType: match[1], id: match[2] });
        }
        return undefined;
      },
      resource.resourceType
    );
  }
  for (const resource of resources) {
    targets.delete(`${resource.resourceType}/${resource.id}`);
  }
  if (!targets.size) {
    return;
  }
  for (const resource of [...shared, ...[...targets.values()].map((t) => ({ ...minimal[t.resourceType], ...t }) as Resource)]) {
    const existing = await http.get(`/${resource.resourceType}/${resource.id}`);
    if (existing.status === 200) {
      continue;
    }
    const res = await http.put(`/${resource.resourceType}/${resource.id}`).set('Content-Type', fhirJson).send(resource);
    if (res.status >= 300) {
      throw new Error(`cannot create the fixture target ${resource.resourceType}/${resource.id}: ${JSON.stringify(res.body)}`);
    }
  }
}
