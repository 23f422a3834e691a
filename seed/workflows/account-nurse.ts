// The home-care nurse behind the seeded `nurse` account (server/auth/seed-accounts.ts), and the seeded
// patient whose orders reach her: the first generated patient, and the nurse whose service area holds
// that patient's home nearest to its centre, the one $dispatch chooses while she is free. So the
// `clinician` (that patient's general practitioner), `patient` and `nurse` accounts meet in the same
// orders, and the start-up replay (homecare-replay.ts) dispatches that patient's first order to her
// without naming her: the choice is $dispatch's own.
import type { Patient } from '@medplum/fhirtypes';
import { addressPosition, distanceKm, type Position } from '../../server/workflows/homecare/geo';
import type { NetworkDirectory, StaffMember } from '../network/directory';
import { patientRecord } from '../patients/patient-record';

export interface AccountNurse {
  nurse: StaffMember;
  /** The generated patient (its index) whose home she serves: the replay's first order is for that patient. */
  patientIndex: number;
}

/** How many generated patients are looked at for a home with a position. */
const patientsLooked = 20;

/** The account's nurse and her patient; undefined when no seeded patient's home is in a nurse's area. */
export function accountNurse(network: NetworkDirectory, options: { seedValue: number; patients: number }): AccountNurse | undefined {
  for (let i = 0; i < Math.min(options.patients, patientsLooked); i++) {
    const patient = patientRecord(i, options.seedValue, network)[0] as Patient;
    const home = addressPosition(patient.address?.find((a) => a.use === 'home') ?? patient.address?.[0]);
    const nurse = home ? nearestServing(network, home) : undefined;
    if (nurse) {
      return { nurse, patientIndex: i };
    }
  }
  return undefined;
}

/** The home-care nurse whose service area holds the home, nearest first (then by role id, as $dispatch ranks ties). */
function nearestServing(network: NetworkDirectory, home: Position): StaffMember | undefined {
  const serving = network.clinics
    .flatMap((c) => c.homeCareNurses)
    .flatMap((nurse) => {
      const distance = nurse.serviceArea && nurse.serviceRadiusKm !== undefined ? distanceKm(nurse.serviceArea, home) : Infinity;
      return distance <= (nurse.serviceRadiusKm ?? 0) ? [{ nurse, distance }] : [];
    });
  serving.sort((a, b) => a.distance - b.distance || a.nurse.roleId.localeCompare(b.nurse.roleId));
  return serving[0]?.nurse;
}
