// The network's case mix and the figures the generator is calibrated to; docs/seed.md gives each one's
// source (shared/MISSION.md) and every assumption made where no figure was published.

/** Patients managed for hypertension and for type 2 diabetes (MISSION.md). */
export const managedHypertension = 929_300;
export const managedDiabetes = 370_900;
/** Assumption: half of the diabetes patients also have hypertension (no figure published). */
export const diabetesWithHypertensionShare = 0.5;

const both = managedDiabetes * diabetesWithHypertensionShare;
/** Distinct patients: 743,850 hypertension only, 185,450 diabetes only, 185,450 both: 1,114,750. */
export const managedPatients = managedHypertension + managedDiabetes - both;
export const caseMix = {
  hypertensionOnly: (managedHypertension - both) / managedPatients,
  diabetesOnly: (managedDiabetes - both) / managedPatients,
  both: both / managedPatients,
} as const;

/**
 * Share of patient-years managed to the rule (at least 4 face-to-face follow-ups in the year): the
 * network's standardized-management rate.
 */
export const standardizedManagementRate = 0.7693;

/** Cloud-pharmacy prescriptions per managed patient over the two generated years: 2.08 million / 1,114,750. */
export const cloudPrescriptionsPerPatient = 2_080_000 / managedPatients;
/** Share of cloud-pharmacy prescriptions delivered home: 160,000 deliveries / 2.08 million prescriptions. */
export const homeDeliveryShare = 160_000 / 2_080_000;
/** Share of patients who received home care (8,000 of the managed patients) and visits per such patient (26,000 / 8,000). */
export const homeCarePatientShare = 8_000 / managedPatients;
export const homeVisitsPerPatient = 26_000 / 8_000;

/** Age bands (years at 2025-01-01) of managed patients, 35 and over, with their assumed shares. */
export const ageBands: readonly (readonly [number, number, number])[] = [
  [35, 44, 6],
  [45, 54, 15],
  [55, 64, 28],
  [65, 74, 31],
  [75, 84, 16],
  [85, 94, 4],
];

/** The two generated years of follow-up: 2024 and 2025 (each a year of the standardized-management rule). */
export const firstYear = 2024;
export const years = [2024, 2025] as const;
/** Local clock time (+08:00) kept in milliseconds as if UTC. */
export const windowStart = Date.UTC(2024, 0, 1);
export const windowEnd = Date.UTC(2026, 0, 1);
