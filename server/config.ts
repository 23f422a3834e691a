// The server's configuration: read once from the environment into one typed, validated object
// that start-up passes to the factories. Nothing else reads process.env.
import os from 'node:os';
import path from 'node:path';
import { integrityRuleNames } from './integrity/integrity-rules';

/** The storage adapters that exist: the embedded SQLite file, or a MongoDB replica set. */
export type StoreKind = 'sqlite' | 'mongo';

export interface ServerConfig {
  /** TCP port the HTTP server listens on. */
  port: number;
  /** Directory for the embedded store's files. */
  dataDir: string;
  /** SQLite database file, or ':memory:'. */
  sqliteFile: string;
  /** Which storage adapter runs. */
  store: StoreKind;
  /** MongoDB connection string (it may hold a password: never logged); required when `store` is 'mongo'. */
  mongoUrl: string | undefined;
  /** The MongoDB database holding the store's collections. */
  mongoDatabase: string;
  /**
   * Public base URL of the FHIR endpoint, without a trailing slash (Location headers, Bundle links).
   * Undefined when FHIR_BASE_URL is unset and PORT is 0: start-up fills it in once the port is known.
   */
  baseUrl: string | undefined;
  /** Whether start-up loads the network's seed data into an empty store. */
  seed: boolean;
  /** Whether every interaction is recorded as an AuditEvent (FHIR_AUDIT, docs/audit.md). */
  audit: boolean;
  /** How many generated patients the start-up seed holds. */
  seedPatients: number;
  /** The generator's seed value for those patients. */
  seedValue: number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /**
   * The old-generation size of the server thread's V8 heap, in MiB (node's --max-old-space-size), which
   * start-up applies (server/heap-limit.ts); 0: V8 sizes it. Undefined when node's own options
   * (NODE_OPTIONS) already set one, which then wins.
   */
  heapMiB: number | undefined;
  /**
   * How far V8 lets every thread's old generation grow past what its last full collection left live, in
   * percent (V8's --heap-growing-percent, applied at start-up with the heap limit); 0: V8's own factor,
   * which reaches 300% on a machine with this much memory.
   */
  heapGrowthPercent: number;
  /**
   * glibc malloc settings the process starts with (server/heap-limit.ts restarts it with them): the
   * defaults of `mallocDefaults` that the environment does not set itself. Empty when it sets them all.
   */
  mallocEnv: Record<string, string>;
  /** pino log level ('silent' turns logging off). */
  logLevel: string;
  /** Where the network's profiles live; SearchParameter resources found there are indexed. */
  profilesDir: string;
  /** SQLite's synchronous pragma: FULL survives power loss, NORMAL only a process crash. */
  sqliteSynchronous: 'FULL' | 'NORMAL';
  /** SQLite's page cache of the server's writing connection, in MiB. */
  sqliteCacheMiB: number;
  /** SQLite's page cache of every other connection (the server's reader, each read thread, the audit writer's), in MiB. */
  sqliteReadCacheMiB: number;
  /** Most threads answering the SQLite store's searches and history (docs/performance.md, "Concurrency"); 0: none. */
  sqliteReadThreads: number;
  /** The network's CodeSystems, ValueSets and ConceptMaps, loaded into the store at start-up. */
  terminologyDir: string;
  /** Most entries a batch or transaction Bundle may have; more is refused with 413. */
  maxBundleEntries: number;
  /** Whether a conditional delete matching several resources deletes them all (otherwise 412). */
  conditionalDeleteMultiple: boolean;
  /** A write claiming a profile the server does not know: refused with 422, or accepted with a warning. */
  unknownProfile: 'error' | 'warning';
  /** An extension with no known definition, or used outside its definition's context: a warning, or (strict) refused with 422. */
  unknownExtension: 'error' | 'warning';
  /** Per resource type, the profiles of which every written resource must claim one. */
  requiredProfiles: ReadonlyMap<string, readonly string[]>;
  /** Whether every FHIR request needs a valid access token (SMART on FHIR; docs/smart.md). */
  auth: boolean;
  /** The authorization server's signing keys (JSON, mode 0600); generated there on first start if absent. */
  authKeysFile: string;
  /** Failed logins one address may make per 15 minutes before 429. */
  authLoginLimit: number;
  /** Token-endpoint requests one address may make per minute before 429. */
  authTokenLimit: number;
  /** Failed logins one account may have per 15 minutes, from any address, before it is held (429). */
  authAccountLoginLimit: number;
  /** Integrity rules switched off by name (docs/integrity.md); none by default. */
  rulesOff: ReadonlySet<string>;
  /** Whether `DELETE ...?_cascade=delete` may delete a resource's referrers with it. */
  cascadeDelete: boolean;
  /** Whether every client write is recorded by a Provenance written with it (docs/audit.md). */
  provenance: boolean;
  /** Minutes between the history anchors written to FHIR_DATA_DIR/anchors; 0: none (docs/audit.md). */
  anchorMinutes: number;
  /** What one request may ask of the server (docs/reliability.md). */
  limits: RequestLimits;
  /** Slowest a request may be in arriving (headers and body), in ms; slower ones are cut off with 408. */
  requestTimeoutMs: number;
  /** Most connections open at once; more are closed as they arrive. */
  maxConnections: number;
}

/** Limits on the work one request may ask for; over a limit the request is refused naming it. */
export interface RequestLimits {
  /** Deepest nesting of objects and arrays in a JSON body. */
  jsonDepth: number;
  /** Most parameters in one search (every name=value pair counts, result parameters too). */
  searchParameters: number;
  /** Most comma-separated values of one search parameter. */
  searchValues: number;
  /** Most links of one chain or _has (subject.organization.name is 2). */
  chainDepth: number;
  /** Most keys in _sort. */
  sortKeys: number;
  /** Largest resource stored, in bytes of its JSON. */
  resourceBytes: number;
  /** Largest page of a search or history Bundle, in bytes of its entries' JSON; a fuller page is cut with a next link. */
  pageBytes: number;
}

/** The limits when nothing is configured (tests and in-process callers use these). */
export const defaultLimits: RequestLimits = {
  jsonDepth: 100,
  searchParameters: 50,
  searchValues: 100,
  chainDepth: 4,
  sortKeys: 8,
  resourceBytes: 4 * 1024 * 1024,
  pageBytes: 8 * 1024 * 1024,
};

/**
 * The smallest old generation that fits the server: what it holds live at rest and under the benchmark's
 * load at 10k-40k resources, plus what the largest accepted Bundle needs while it is processed, measured per
 * MiB of body (docs/performance.md, "Memory": a 16 MiB transaction of 10,000 entries). Not the default:
 * at 100k resources a limit of this size cost a quarter to two fifths of the creates' throughput (V8
 * collecting near its limit), so FHIR_HEAP_MB is 0 (V8's own sizing) unless an operator sets it.
 */
export function sizedHeapMiB(maxBodyMiB: number): number {
  return heapBaseMiB + heapPerBodyMiB * maxBodyMiB;
}
const heapBaseMiB = 256;
const heapPerBodyMiB = 16;
/**
 * V8 grows a thread's old generation up to 4 times what its last full collection left live before it
 * collects again (its factor comes from the collector's speed against the allocation rate, capped at 4 on
 * a machine with several GiB): under a load the server thread, live at 70-140 MiB, reached 390-480 MiB,
 * mostly garbage (docs/performance.md, "Memory"). 100: twice what is live, for more full collections.
 */
const defaultHeapGrowthPercent = 100;

/**
 * glibc's malloc, tuned for a long-running process with threads (docs/performance.md, "Memory"). With its
 * own defaults it kept 150 to 310 MiB of freed memory resident at 10k-100k resources (malloc_info at 10k:
 * 208 of the 272 MiB its arenas held were free, not returned): an arena per thread up to 8 per core, and
 * an mmap threshold that rises to the largest block freed (up to 32 MiB), so that large request bodies
 * then come from the arenas and stay there once freed. Two arenas bound how many heaps hold freed memory.
 * The threshold is fixed at 4 MiB: a block from there up gets a mapping of its own, returned on free. Not
 * lower: every block above it costs a fresh mapping and its page faults each time, and at 128 KiB the
 * server's transient blocks of a few hundred KiB to 2 MiB (a batch of AuditEvents handed to their thread, a
 * page of results from a read thread, a response's bytes) cost about 20 times what they cost from an arena
 * (docs/performance.md, "malloc's thresholds"). Fixing the threshold also fixes the trim threshold, the
 * free memory at the top of a heap that glibc keeps rather than return, at 128 KiB unless set: 16 MiB
 * keeps those blocks' pages between requests. glibc reads these only when a process starts. Other C
 * libraries ignore them.
 */
export const mallocDefaults: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: String(4 * 1024 * 1024),
  MALLOC_TRIM_THRESHOLD_: String(16 * 1024 * 1024),
};

/** Below this the server cannot start (the definitions and the validator alone hold about 100 MiB). */
const minHeapMiB = 192;

/** Thrown for a configuration value that cannot be used; the message says what to set instead. */
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): ServerConfig {
  const port = readInteger(env, 'PORT', 8080, 0, 65535);
  const dataDir = path.resolve(env.FHIR_DATA_DIR || './data');
  const dbSetting = env.FHIR_DB || path.join(dataDir, 'fhir.sqlite');
  const sqliteFile = dbSetting === ':memory:' ? dbSetting : path.resolve(dbSetting);
  const store = readChoice(env, 'FHIR_STORE', ['sqlite', 'mongo'] as const, 'sqlite');
  const mongoUrl = env.MONGODB_URL || undefined;
  if (mongoUrl !== undefined && !/^mongodb(\+srv)?:\/\/\S+$/.test(mongoUrl)) {
    // The value itself is not repeated: it may hold a password.
    throw new ConfigError('MONGODB_URL must be a mongodb:// or mongodb+srv:// connection string');
  }
  if (store === 'mongo' && mongoUrl === undefined) {
    throw new ConfigError('FHIR_STORE=mongo needs MONGODB_URL, the connection string of a MongoDB replica set');
  }
  const mongoDatabase = env.MONGODB_DB || 'fhir';
  // https://www.mongodb.com/docs/manual/reference/limits/#naming-restrictions
  if (!/^[^/\\. "$*<>:|?]{1,63}$/.test(mongoDatabase)) {
    throw new ConfigError(`MONGODB_DB must be a MongoDB database name (up to 63 characters, none of /\\. "$*<>:|?), got '${mongoDatabase}'`);
  }
  const given = env.FHIR_BASE_URL || (port === 0 ? undefined : `http://localhost:${port}`);
  const baseUrl = given?.replace(/\/+$/, '');
  if (baseUrl !== undefined && !/^https?:\/\/[^/]+/.test(baseUrl)) {
    throw new ConfigError(`FHIR_BASE_URL must be an absolute http(s) URL, got '${baseUrl}'`);
  }
  const seed = readChoice(env, 'FHIR_SEED', ['on', 'off'] as const, 'on') === 'on';
  const audit = readChoice(env, 'FHIR_AUDIT', ['on', 'off'] as const, 'on') === 'on';
  const seedPatients = readInteger(env, 'FHIR_SEED_PATIENTS', 300, 0, 100_000);
  const seedValue = readInteger(env, 'FHIR_SEED_VALUE', 20261123, 0, 2 ** 31 - 1);
  const maxBodyBytes = readInteger(env, 'FHIR_MAX_BODY_MB', 16, 1, 1024) * 1024 * 1024;
  const heapMiB = /--max[-_]old[-_]space[-_]size/.test(env.NODE_OPTIONS ?? '')
    ? undefined
    : readInteger(env, 'FHIR_HEAP_MB', 0, 0, 1024 * 1024);
  if (heapMiB !== undefined && heapMiB !== 0 && heapMiB < minHeapMiB) {
    throw new ConfigError(`FHIR_HEAP_MB must be 0 (no limit) or at least ${minHeapMiB}, got '${heapMiB}'`);
  }
  const heapGrowthPercent = readInteger(env, 'FHIR_HEAP_GROWTH_PERCENT', defaultHeapGrowthPercent, 0, 1000);
  const mallocEnv = Object.fromEntries(Object.entries(mallocDefaults).filter(([name]) => !env[name]));
  const logLevel = readChoice(
    env,
    'LOG_LEVEL',
    ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const,
    'info'
  );
  const sqliteSynchronous = readChoice(env, 'FHIR_SQLITE_SYNCHRONOUS', ['FULL', 'NORMAL'] as const, 'FULL');
  const sqliteCacheMiB = readInteger(env, 'FHIR_SQLITE_CACHE_MB', 64, 2, 65536);
  const sqliteReadCacheMiB = readInteger(env, 'FHIR_SQLITE_READ_CACHE_MB', 16, 2, 65536);
  const sqliteReadThreads = readInteger(env, 'FHIR_READ_THREADS', os.availableParallelism(), 0, 64);
  const profilesDir = path.resolve(env.FHIR_PROFILES_DIR || path.join(__dirname, '..', '..', 'profiles'));
  const terminologyDir = path.resolve(env.FHIR_TERMINOLOGY_DIR || path.join(__dirname, '..', '..', 'terminology'));
  const maxBundleEntries = readInteger(env, 'FHIR_BUNDLE_MAX_ENTRIES', 10_000, 1, 1_000_000);
  const conditionalDeleteMultiple = readChoice(env, 'FHIR_CONDITIONAL_DELETE_MULTIPLE', ['on', 'off'] as const, 'off') === 'on';
  const unknownProfile = readChoice(env, 'FHIR_UNKNOWN_PROFILE', ['error', 'warning'] as const, 'error');
  const unknownExtension = readChoice(env, 'FHIR_UNKNOWN_EXTENSION', ['warning', 'error'] as const, 'warning');
  const requiredProfiles = readRequiredProfiles(env.FHIR_REQUIRED_PROFILES);
  const auth = readChoice(env, 'FHIR_AUTH', ['on', 'off'] as const, 'on') === 'on';
  const authKeysFile = path.resolve(env.FHIR_AUTH_KEYS_FILE || path.join(dataDir, 'auth-keys.json'));
  const authLoginLimit = readInteger(env, 'FHIR_AUTH_LOGIN_LIMIT', 10, 1, 100_000);
  const authTokenLimit = readInteger(env, 'FHIR_AUTH_TOKEN_LIMIT', 300, 1, 1_000_000);
  const authAccountLoginLimit = readInteger(env, 'FHIR_AUTH_ACCOUNT_LOGIN_LIMIT', 20, 1, 100_000);
  const rulesOff = readNames(env, 'FHIR_RULES_OFF', integrityRuleNames);
  const cascadeDelete = readChoice(env, 'FHIR_CASCADE_DELETE', ['on', 'off'] as const, 'off') === 'on';
  const provenance = readChoice(env, 'FHIR_PROVENANCE', ['on', 'off'] as const, 'on') === 'on';
  const anchorMinutes = readInteger(env, 'FHIR_ANCHOR_MINUTES', 60, 0, 7 * 24 * 60);
  const limits: RequestLimits = {
    jsonDepth: readInteger(env, 'FHIR_MAX_JSON_DEPTH', defaultLimits.jsonDepth, 10, 1000),
    searchParameters: readInteger(env, 'FHIR_SEARCH_MAX_PARAMETERS', defaultLimits.searchParameters, 1, 200),
    searchValues: readInteger(env, 'FHIR_SEARCH_MAX_VALUES', defaultLimits.searchValues, 1, 500),
    chainDepth: readInteger(env, 'FHIR_SEARCH_MAX_CHAIN_DEPTH', defaultLimits.chainDepth, 1, 10),
    sortKeys: readInteger(env, 'FHIR_SEARCH_MAX_SORT_KEYS', defaultLimits.sortKeys, 1, 32),
    resourceBytes: readInteger(env, 'FHIR_MAX_RESOURCE_MB', defaultLimits.resourceBytes / 1024 / 1024, 1, 1024) * 1024 * 1024,
    pageBytes: readInteger(env, 'FHIR_MAX_PAGE_MB', defaultLimits.pageBytes / 1024 / 1024, 1, 1024) * 1024 * 1024,
  };
  const requestTimeoutMs = readInteger(env, 'FHIR_REQUEST_TIMEOUT_S', 60, 1, 3600) * 1000;
  const maxConnections = readInteger(env, 'FHIR_MAX_CONNECTIONS', 1000, 1, 1_000_000);
  return {
    port,
    dataDir,
    sqliteFile,
    store,
    mongoUrl,
    mongoDatabase,
    baseUrl,
    seed,
    audit,
    seedPatients,
    seedValue,
    maxBodyBytes,
    heapMiB,
    heapGrowthPercent,
    mallocEnv,
    logLevel,
    sqliteSynchronous,
    sqliteCacheMiB,
    sqliteReadCacheMiB,
    sqliteReadThreads,
    profilesDir,
    terminologyDir,
    maxBundleEntries,
    conditionalDeleteMultiple,
    unknownProfile,
    unknownExtension,
    requiredProfiles,
    auth,
    authKeysFile,
    authLoginLimit,
    authTokenLimit,
    authAccountLoginLimit,
    rulesOff,
    cascadeDelete,
    provenance,
    anchorMinutes,
    limits,
    requestTimeoutMs,
    maxConnections,
  };
}

/** A comma-separated list of names, each one of `known`. */
function readNames(env: Env, name: string, known: readonly string[]): Set<string> {
  const names = (env[name] ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length) {
    throw new ConfigError(`${name} takes names from ${known.join(', ')}, got '${unknown.join(', ')}'`);
  }
  return new Set(names);
}

/** 'MedicationRequest=https://x/StructureDefinition/a,Patient=https://x/StructureDefinition/b' (a type may repeat). */
function readRequiredProfiles(raw: string | undefined): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const part of (raw ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([A-Z][A-Za-z]+)=(https?:\/\/\S+)$/.exec(part);
    if (!match) {
      throw new ConfigError(`FHIR_REQUIRED_PROFILES takes Type=profile-url pairs separated by commas, got '${part}'`);
    }
    result.set(match[1], [...(result.get(match[1]) ?? []), match[2]]);
  }
  return result;
}

function readInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

function readChoice<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const match = choices.find((c) => c.toLowerCase() === raw.toLowerCase());
  if (!match) {
    throw new ConfigError(`${name} must be one of ${choices.join(', ')}, got '${raw}'`);
  }
  return match;
}
