// The store contract against every adapter: SQLite always, MongoDB whenever MONGODB_URL is set.
import { storeAdapters } from '../helpers/store-adapters';
import { describeStoreContract } from './store-contract';

for (const adapter of storeAdapters()) {
  describeStoreContract(adapter.name, (indexer) => adapter.open(indexer), adapter.gaps);
}
