// Operations of an open transaction that can be handed to code written for a whole store: a nested
// `transaction` joins the open one instead of queueing behind it (which would wait for itself), so an
// interaction such as conditional create stays atomic alone and inside a transaction Bundle.
import { delegating } from './delegating-operations';
import type { StoreOperations, TransactionalOperations } from './port';

export function joinTransaction(tx: StoreOperations): TransactionalOperations {
  return { ...delegating(tx), transaction: (work) => work(tx) };
}
