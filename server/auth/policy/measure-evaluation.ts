// Who may evaluate the management figures (server/workflows/kpi/): auditors and administrators for any
// scope; clinicians and HIS vendors only for a scope inside their own organizations (a clinic, or a
// family-doctor team of it), never the network or a district. Figures are aggregates over every patient
// of the scope, so the per-patient result restriction does not apply: this decision replaces it.
import type { Caller } from '../../fhir/pipeline/caller';
import type { Decision } from './decide';
import { policiesOf } from './decide';

/** `organizations`: the organizations the evaluated scope belongs to ('all' for the network or a district). */
export function mayEvaluateMeasures(caller: Caller, organizations: readonly string[] | 'all'): Decision {
  if (caller.kind === 'server') {
    return { allowed: true };
  }
  const policies = policiesOf(caller);
  if (policies.some((p) => p.population === 'all' && p.reads === 'all')) {
    return { allowed: true };
  }
  if (!policies.some((p) => p.population === 'organization')) {
    return { allowed: false, reason: "The caller's role does not evaluate the management figures" };
  }
  if (organizations === 'all' || organizations.length === 0) {
    return { allowed: false, reason: 'Only auditors and administrators evaluate the network or a district; name a clinic of yours as subject' };
  }
  const own = new Set(caller.organizations);
  return organizations.every((o) => own.has(o))
    ? { allowed: true }
    : { allowed: false, reason: 'The subject is not one of the organizations the caller acts for' };
}
