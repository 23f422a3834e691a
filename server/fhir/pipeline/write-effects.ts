// Write effects: resources a write rule writes as a consequence of a write (a workflow's review Task,
// the findings it records, the request an approval moves on), inside the same store transaction, so that
// the write and its consequences commit together or not at all. A rule asks for them with
// `write.afterwards(work)`; `work` runs once every write of the transaction is made (as `atEnd` checks
// do), on operations that run the write rules before each of its writes, with `effectOf` set so that a
// rule can tell its own consequences from a client's write. See docs/pipeline.md, "Write effects".
import type { StoreOperations } from '../../store/port';

/** Which rule wrote a consequence, and the write it is a consequence of. */
export interface EffectOrigin {
  rule: string;
  resourceType: string;
  id: string;
}

/** A rule's consequences of a write: reads and writes through `effects`, in the write's transaction. */
export type WriteEffect = (effects: StoreOperations) => Promise<void>;
