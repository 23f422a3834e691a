// Resources that record what happened to other resources (who wrote a version, who saw it). They refer
// to what they record but never hold it in place: a delete neither waits for them nor cascades to them,
// and a write of one is not itself given a Provenance.

/** Resource types whose references record history rather than depend on their target. */
export const recordTypes: readonly string[] = ['Provenance', 'AuditEvent'];
