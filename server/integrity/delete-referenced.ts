// Rule 'delete-referenced': deleting a resource that current resources still refer to is refused with
// 409, naming some of them, unless the caller asked to delete them too (`_cascade=delete`, when the
// configuration allows it; delete.ts deletes the referrers first, in the same transaction). The check
// runs on the transaction's end state, so a transaction Bundle may delete both sides of a reference.
// Provenance and AuditEvent resources record what happened and never block a delete.
import { ruleViolation, type WriteRule } from '../fhir/pipeline/write-rules';
import { recordTypes } from '../fhir/record-types';

export const deleteReferencedRule = 'delete-referenced';

/** How many referrers a refusal names. */
const named = 5;

export const deleteReferenced: WriteRule = {
  name: deleteReferencedRule,
  async check(write) {
    if (write.action !== 'delete') {
      return;
    }
    const previous = await write.previous();
    if (!previous || previous.deleted) {
      return;
    }
    const target = { resourceType: write.resourceType, id: write.id };
    write.atEnd(async (tx) => {
      const referrers = await tx.referrers(target, { limit: named + 1, excludeTypes: recordTypes });
      if (!referrers.length) {
        return;
      }
      const listed = referrers.slice(0, named).map((r) => `${r.resourceType}/${r.id}`);
      const more = referrers.length > named ? ' and more' : '';
      throw ruleViolation(
        deleteReferencedRule,
        `${target.resourceType}/${target.id} is still referred to by ${listed.join(', ')}${more}: change or delete those first, ` +
          'or delete them with it by adding _cascade=delete (where the server allows it)',
        undefined,
        409
      );
    });
  },
};
