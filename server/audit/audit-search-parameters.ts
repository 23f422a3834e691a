// The search parameters AuditEvents are indexed on: those auditors and patients search by (issue 15:
// date, agent, entity, patient, type, subtype, action, outcome, source; `patient` is also what a patient's
// compartment filter uses, server/auth/policy/audit-visibility.ts). Every request writes at least one
// AuditEvent and every indexed parameter adds rows to each: R4's others (address, altid, agent-name,
// agent-role, entity-name, entity-role, entity-type, policy, site) made 19 index rows of a read's event
// instead of 12, searched by no one. https://hl7.org/fhir/R4/auditevent.html#search, docs/audit.md "Cost".
export const auditEventSearchCodes: ReadonlySet<string> = new Set([
  'date',
  'agent',
  'entity',
  'patient',
  'type',
  'subtype',
  'action',
  'outcome',
  'source',
]);
