// Single writes as one-write transactions: an adapter's store extends this, so that a create, update
// or delete is atomic in exactly the way a transaction is (and, in SQLite, shares its group commit).
import type { Resource } from '@medplum/fhirtypes';
import type { CreateOptions, DeleteResult, ResourceVersion, StoreOperations, UpdateResult, WriteOptions } from './port';

export abstract class TransactionalWrites {
  abstract transaction<T>(work: (tx: StoreOperations) => Promise<T>): Promise<T>;

  create<T extends Resource>(resource: T, options?: CreateOptions): Promise<ResourceVersion<T>> {
    return this.transaction((tx) => tx.create(resource, options));
  }

  update<T extends Resource>(resource: T, options?: WriteOptions): Promise<UpdateResult> {
    return this.transaction((tx) => tx.update(resource, options));
  }

  delete(resourceType: string, id: string, options?: WriteOptions): Promise<DeleteResult> {
    return this.transaction((tx) => tx.delete(resourceType, id, options));
  }
}
