// The cloud pharmacy's write rules, in the order they run: the prescription's review, the pharmacist's
// review Task, the dispense. Wired once in server/main.ts and in the test server; see docs/workflows.md.
import type { WriteRule } from '../../fhir/pipeline/write-rules';
import { cloudDispenseRule } from './dispense-rule';
import { cloudPrescriptionRule } from './prescription-rule';
import { cloudReviewTaskRule } from './review-task-rule';

export const pharmacyRules: readonly WriteRule[] = [cloudPrescriptionRule, cloudReviewTaskRule, cloudDispenseRule];
