// Workload: MedicationRequest/$review, the cloud pharmacy's automated review of a 7-day prescription for
// a loaded patient (formulary, excluded classes, days of supply, dose, frequency, route, and the patient's
// other requests and allergies for duplicates, interactions and allergies), as a clinic's HIS asks it
// before it submits the prescription. Nothing is stored.
import { describeFailure } from '../fhir-client';
import { patientId } from '../generator/patient-records';
import { networkDirectory } from '../../seed/network/directory';
import { rotate, type Prepared, type Workload } from './workload';

const dhc = 'https://fhir.dhc.example';
const ucum = 'http://unitsofmeasure.org';

function prescriptionFor(patient: string, pharmacy: string): string {
  return JSON.stringify({
    resourceType: 'MedicationRequest',
    status: 'draft',
    intent: 'order',
    medicationCodeableConcept: { coding: [{ system: `${dhc}/CodeSystem/formulary`, code: 'amlodipine-tab-5mg' }] },
    subject: { reference: `Patient/${patient}` },
    dosageInstruction: [
      {
        timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
        route: { coding: [{ system: `${dhc}/CodeSystem/route-of-administration`, code: 'oral' }] },
        doseAndRate: [{ doseQuantity: { value: 1, system: ucum, code: '{tablet}' } }],
      },
    ],
    dispenseRequest: {
      quantity: { value: 7, system: ucum, code: '{tablet}' },
      expectedSupplyDuration: { value: 7, system: ucum, code: 'd' },
      performer: { reference: pharmacy },
    },
  });
}

export const reviewWorkloads: Workload[] = [
  {
    name: 'MedicationRequest/$review of a 7-day prescription',
    group: 'read',
    connections: 4,
    writes: false,
    async prepare({ client, patients }): Promise<Prepared> {
      const pharmacy = `Organization/${networkDirectory().cloudPharmacy.id}`;
      const bodies = Array.from({ length: Math.min(patients, 500) }, (_, i) => prescriptionFor(patientId(i), pharmacy));
      if (!bodies.length) {
        return { unsupported: 'no patients loaded' };
      }
      const probe = await client.request('POST', 'MedicationRequest/$review', JSON.parse(bodies[0]));
      if (probe.status !== 200 || probe.body?.resourceType !== 'OperationOutcome') {
        return { unsupported: `MedicationRequest/$review: ${describeFailure(probe)}` };
      }
      const next = rotate(bodies);
      return { nextRequest: () => ({ method: 'POST', path: 'MedicationRequest/$review', body: next(), headers: { 'Content-Type': 'application/fhir+json' } }) };
    },
  },
];
