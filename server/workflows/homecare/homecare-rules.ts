// The home-care workflow's write rules, in the order they run: wired once in main.ts and in the test
// server (test/helpers/test-server.ts), after the integrity rules.
import type { WriteRule } from '../../fhir/pipeline/write-rules';
import { homeCareAssessmentRule } from './assessment-rules';
import { homeVisitRule } from './visit-rules';

export const homeCareRules: readonly WriteRule[] = [homeCareAssessmentRule, homeVisitRule];
