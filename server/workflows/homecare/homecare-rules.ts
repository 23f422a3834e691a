// The home-care workflow's write rules, in the order they run: wired once in main.ts and in the test
// server (test/helpers/test-server.ts), after the integrity rules.
import type { WriteRule } from '../../fhir/pipeline/write-rules';
import { homeCareAssessmentRule } from './assessment-rules';
import { homeCareTaskCodeRule } from './task-kind-rule';
import { homeVisitRule } from './visit-rules';

// The code rule first: a Task about an order that the other two would not recognise is refused before them.
export const homeCareRules: readonly WriteRule[] = [homeCareTaskCodeRule, homeCareAssessmentRule, homeVisitRule];
