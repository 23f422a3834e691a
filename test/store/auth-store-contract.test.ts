// The AuthStore contract against every adapter: SQLite always, the MongoDB adapter over mingo always,
// and MongoDB whenever MONGODB_URL is set (test/helpers/store-adapters.ts).
import { forEachStoreAdapter } from '../helpers/store-adapters';
import { authStoreContract } from './auth-store-contract';

describe('auth store contract', () => {
  forEachStoreAdapter((adapter) => {
    authStoreContract(async () => {
      const store = await adapter.open();
      return { store: store.authStore(), close: () => store.close() };
    });
  });
});
