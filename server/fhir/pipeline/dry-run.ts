// A write made and undone: the write rules (and the store's own checks, such as unique identifiers) run
// inside a store transaction exactly as for the real write, which is then rolled back. $validate with
// mode=create, update or delete answers with it what the write would answer.
import { FhirError } from '../../outcomes';
import { joinTransaction } from '../../store/joined-transaction';
import type { StoreOperations } from '../../store/port';
import type { FhirContext } from '../request';
import type { InteractionInfo } from './interaction';
import { withWriteRules, WriteSession } from './write-step';

/** Thrown to roll the dry run's transaction back once the write and its checks have passed. */
class DryRunDone extends Error {}

/** The refusal the write would meet, or undefined when it would be stored; nothing is stored either way. */
export async function dryRunWrite(
  context: FhirContext,
  interaction: InteractionInfo,
  write: (store: StoreOperations) => Promise<unknown>
): Promise<FhirError | undefined> {
  // The checks a write's transaction runs before it commits are run here before the rollback.
  const session = new WriteSession();
  try {
    await context.pipeline.dataStore.transaction(async (tx) => {
      const store = withWriteRules(joinTransaction(tx), { rules: context.pipeline.writeRules, caller: context.caller, interaction, session });
      await store.transaction((guarded) => write(guarded));
      // As a real write's: the end-of-transaction checks see the transaction's own operations, not the rules'.
      await session.flush(tx);
      throw new DryRunDone();
    });
  } catch (err) {
    if (err instanceof DryRunDone) {
      return undefined;
    }
    if (err instanceof FhirError && err.status < 500) {
      return err;
    }
    throw err;
  }
  return undefined;
}
