// The network's enforced workflows, as write rules: the cloud pharmacy's review and dispense
// (docs/workflows.md#cloud-pharmacy) and home care's assessment, dispatch and visits
// (docs/workflows.md#home-care). The server, the tests' server and the generator's bulk path all run them.
import type { WriteRule } from '../fhir/pipeline/write-rules';
import { homeCareRules } from './homecare/homecare-rules';
import { pharmacyRules } from './pharmacy/pharmacy-rules';

export const workflowRules: readonly WriteRule[] = [...pharmacyRules, ...homeCareRules];
