// The authorization server's collections in MongoDB (server/store/auth-port.ts) and their indexes,
// created idempotently at every start-up beside the resources' (indexes.ts). Every short-lived record
// carries `expiresAt` as a BSON date under a TTL index, so MongoDB deletes it once it has expired
// (https://www.mongodb.com/docs/manual/core/index-ttl/); reads still compare with the caller's `now`,
// since the TTL monitor runs only once a minute. docs/storage-mongo.md describes them.
import { ReadPreference, type Collection, type CollectionOptions, type Db, type IndexDescription } from 'mongodb';
import type { AuthorizationCodeRecord, ClientRecord, LaunchRecord, RefreshTokenRecord, UserRecord } from '../auth-port';

/** Collection names inside the configured database. */
export const authCollectionNames = {
  clients: 'auth_clients',
  users: 'auth_users',
  codes: 'auth_codes',
  launches: 'auth_launches',
  refreshTokens: 'auth_refresh_tokens',
  revokedFamilies: 'auth_revoked_families',
  revokedTokens: 'auth_revoked_tokens',
  assertionIds: 'auth_assertion_ids',
  hits: 'auth_hits',
} as const;

/** A record kept by its key in `_id`; the record itself is a sub-document, as the port shapes it. */
export interface KeptDocument<T> {
  _id: string;
  record: T;
}

/** Something that ends: its `_id` and the instant after which it is gone. */
export interface ExpiringDocument {
  _id: string;
  expiresAt: Date;
}

export type CodeDocument = ExpiringDocument & { record: AuthorizationCodeRecord };
export type LaunchDocument = ExpiringDocument & { record: LaunchRecord };
/** `used` turns true when the token is rotated; `familyId` finds its siblings. */
export type RefreshTokenDocument = ExpiringDocument & { record: RefreshTokenRecord; familyId: string; used: boolean };
/** A client assertion's jti, unique per client (`_id` is generated). */
export interface AssertionIdDocument {
  clientId: string;
  jti: string;
  expiresAt: Date;
}
/** A rate-limit counter: `expiresAt` is the end of its current window. */
export type HitsDocument = ExpiringDocument & { hits: number };

export interface AuthCollections {
  clients: Collection<KeptDocument<ClientRecord>>;
  users: Collection<KeptDocument<UserRecord>>;
  codes: Collection<CodeDocument>;
  launches: Collection<LaunchDocument>;
  refreshTokens: Collection<RefreshTokenDocument>;
  /** `_id` is the family id: a revoked family is remembered as long as any of its tokens could be presented. */
  revokedFamilies: Collection<ExpiringDocument>;
  /** `_id` is a revoked access token's jti, remembered until the token would have expired. */
  revokedTokens: Collection<ExpiringDocument>;
  assertionIds: Collection<AssertionIdDocument>;
  hits: Collection<HitsDocument>;
}

/** MongoDB deletes a document once the clock passes its `expiresAt`. */
const expiry: IndexDescription = { name: 'expiry', key: { expiresAt: 1 }, expireAfterSeconds: 0 };

/**
 * The indexes beyond `_id` (which is unique, so a code, a launch, a refresh token or a revoked jti is
 * kept once): a TTL index on every collection of short-lived records; a refresh token's family (the
 * latest expiry of a family, when it is revoked); a client assertion's jti once per client, the unique
 * index that refuses a replay.
 */
export const authIndexes: Record<keyof AuthCollections, IndexDescription[]> = {
  clients: [],
  users: [],
  codes: [expiry],
  launches: [expiry],
  refreshTokens: [expiry, { name: 'family_expiry', key: { familyId: 1, expiresAt: -1 } }],
  revokedFamilies: [expiry],
  revokedTokens: [expiry],
  assertionIds: [expiry, { name: 'client_jti', key: { clientId: 1, jti: 1 }, unique: true }],
  hits: [expiry],
};

/**
 * Primary reads and majority writes whatever the connection string sets: a revocation, a used code or
 * a counted hit must be seen at once by every process, which a secondary behind the primary would not.
 */
const consistent: CollectionOptions = { readPreference: ReadPreference.primary, writeConcern: { w: 'majority' } };

export function authCollections(db: Db): AuthCollections {
  const names = Object.entries(authCollectionNames).map(([key, name]) => [key, db.collection(name, consistent)]);
  return Object.fromEntries(names) as AuthCollections;
}

export async function ensureAuthIndexes(collections: AuthCollections): Promise<void> {
  for (const [key, indexes] of Object.entries(authIndexes)) {
    if (indexes.length) {
      await collections[key as keyof AuthCollections].createIndexes(indexes);
    }
  }
}
