// Who is calling: the identity every request carries through the FHIR core, from the HTTP edge (or a
// Bundle's request, or the server's own start-up work) to the hooks, the write rules and the result
// restrictions. Authorization (server/auth) fills it from a token; while security is off every HTTP
// caller is the explicit anonymous one, never a missing value.

export type CallerKind = 'anonymous' | 'user' | 'client' | 'server';

export interface Caller {
  /**
   * 'user': a person signed in through an app; 'client': a backend service acting for itself;
   * 'anonymous': no credentials (security off); 'server': this server's own work (start-up seed).
   */
  kind: CallerKind;
  /** The person's FHIR identity (fhirUser): 'Practitioner/123', 'Patient/9', 'RelatedPerson/4'. */
  user?: string;
  /** The person's account (login name), for audit; never a credential. */
  account?: string;
  /** The client application (OAuth client_id). */
  clientId?: string;
  /** The organizations the caller acts for, as references: 'Organization/clinic-12'. */
  organizations: readonly string[];
  /** The caller's roles in the network: 'clinician', 'pharmacist', 'nurse', 'auditor', 'administrator'... */
  roles: readonly string[];
  /** The scopes granted, as issued: 'patient/Observation.rs', 'user/*.cruds', 'system/Patient.r'. */
  scopes: readonly string[];
  /** The launch context's patient ('Patient/9'), for patient-level scopes. */
  patient?: string;
  /** The launch context's encounter, when an EHR launch bound one. */
  encounter?: string;
  /**
   * Break-the-glass: a clinician opened a record outside their grant, stating why. The token carrying
   * it lives minutes; every request made with it is audited (server/auth/break-glass.ts).
   */
  breakGlass?: { patient: string; reason: string };
  /** The network address the request came from (the HTTP peer, or X-Forwarded-For when configured). */
  sourceAddress?: string;
}

/** A caller with no credentials: what every HTTP request is while security is off. */
export function anonymousCaller(sourceAddress?: string): Caller {
  return { kind: 'anonymous', organizations: [], roles: [], scopes: [], ...(sourceAddress ? { sourceAddress } : {}) };
}

/** The server itself: start-up seeding and other work no client asked for. */
export const serverCaller: Caller = Object.freeze({ kind: 'server', organizations: [], roles: [], scopes: [] });

/**
 * Whether a workflow judges the caller by role and identity: people and apps (user and backend-client
 * callers) are; the server's own work (the seed) and the anonymous caller of a server run with
 * FHIR_AUTH=off have no role to check, and only the rules on the data itself apply to them.
 */
export function isJudgedCaller(caller: Caller): boolean {
  return caller.kind === 'user' || caller.kind === 'client';
}
