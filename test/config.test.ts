import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, mallocDefaults, sizedHeapMiB } from '../server/config';

describe('configuration', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.dataDir, path.resolve('data'));
    assert.equal(config.sqliteFile, path.resolve('data', 'fhir.sqlite'));
    assert.equal(config.store, 'sqlite');
    assert.equal(config.mongoUrl, undefined);
    assert.equal(config.mongoDatabase, 'fhir');
    assert.equal(config.baseUrl, 'http://localhost:8080');
    assert.equal(config.seed, true);
    assert.equal(config.seedPatients, 300);
    assert.equal(config.seedValue, 20261123);
    assert.equal(config.maxBodyBytes, 16 * 1024 * 1024);
    assert.equal(config.sqliteSynchronous, 'FULL');
    assert.equal(config.maxBundleEntries, 10_000);
    assert.equal(config.conditionalDeleteMultiple, false);
    assert.equal(config.sqliteCacheMiB, 64);
    assert.equal(config.sqliteReadCacheMiB, 16);
    assert.equal(config.sqliteReadThreads, os.availableParallelism());
    assert.equal(config.unknownProfile, 'error');
    assert.equal(config.unknownExtension, 'warning');
    assert.equal(config.requiredProfiles.size, 0);
    assert.equal(path.basename(config.terminologyDir), 'terminology');
    assert.ok(fs.existsSync(path.join(config.terminologyDir, 'codesystems')), 'the shipped directory');
  });

  it('reads every setting from the environment', () => {
    const config = loadConfig({
      PORT: '9090',
      FHIR_DATA_DIR: '/tmp/fhir-data',
      FHIR_DB: ':memory:',
      FHIR_BASE_URL: 'https://fhir.dhc.example/r4/',
      FHIR_SEED: 'off',
      FHIR_MAX_BODY_MB: '2',
      LOG_LEVEL: 'warn',
      FHIR_SQLITE_SYNCHRONOUS: 'normal',
      FHIR_BUNDLE_MAX_ENTRIES: '500',
      FHIR_CONDITIONAL_DELETE_MULTIPLE: 'on',
      FHIR_TERMINOLOGY_DIR: '/srv/terminology',
      FHIR_SQLITE_CACHE_MB: '1024',
      FHIR_SQLITE_READ_CACHE_MB: '8',
      FHIR_READ_THREADS: '0',
      FHIR_UNKNOWN_PROFILE: 'warning',
      FHIR_UNKNOWN_EXTENSION: 'error',
      FHIR_REQUIRED_PROFILES: 'MedicationRequest=https://x.example/StructureDefinition/a, Patient=https://x.example/StructureDefinition/b,MedicationRequest=https://x.example/StructureDefinition/c',
    });
    assert.equal(config.sqliteCacheMiB, 1024);
    assert.equal(config.sqliteReadCacheMiB, 8);
    assert.equal(config.sqliteReadThreads, 0);
    assert.equal(config.unknownProfile, 'warning');
    assert.equal(config.unknownExtension, 'error');
    assert.deepEqual(
      [...config.requiredProfiles],
      [
        ['MedicationRequest', ['https://x.example/StructureDefinition/a', 'https://x.example/StructureDefinition/c']],
        ['Patient', ['https://x.example/StructureDefinition/b']],
      ]
    );
    assert.equal(config.maxBundleEntries, 500);
    assert.equal(config.conditionalDeleteMultiple, true);
    assert.equal(config.terminologyDir, '/srv/terminology');
    assert.equal(config.port, 9090);
    assert.equal(config.sqliteFile, ':memory:');
    assert.equal(config.baseUrl, 'https://fhir.dhc.example/r4');
    assert.equal(config.seed, false);
    assert.equal(config.maxBodyBytes, 2 * 1024 * 1024);
    assert.equal(config.logLevel, 'warn');
    assert.equal(config.sqliteSynchronous, 'NORMAL');
    assert.equal(loadConfig({ FHIR_DATA_DIR: '/tmp/x' }).sqliteFile, '/tmp/x/fhir.sqlite');
    // PORT=0 picks a free port at start-up, so the base URL is only known then.
    assert.equal(loadConfig({ PORT: '0' }).baseUrl, undefined);
    assert.equal(loadConfig({ PORT: '0', FHIR_BASE_URL: 'https://x.example' }).baseUrl, 'https://x.example');
  });

  it('refuses unusable values, naming the variable', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), (e: unknown) => e instanceof ConfigError && /PORT/.test(e.message));
    assert.throws(() => loadConfig({ FHIR_STORE: 'postgres' }), /FHIR_STORE must be one of sqlite, mongo/);
    assert.throws(() => loadConfig({ FHIR_SEED: 'maybe' }), /FHIR_SEED/);
    assert.throws(() => loadConfig({ FHIR_REQUIRED_PROFILES: 'MedicationRequest' }), /FHIR_REQUIRED_PROFILES takes Type=profile-url pairs/);
    assert.throws(() => loadConfig({ FHIR_UNKNOWN_PROFILE: 'ignore' }), /FHIR_UNKNOWN_PROFILE must be one of error, warning/);
    assert.throws(() => loadConfig({ FHIR_UNKNOWN_EXTENSION: 'ignore' }), /FHIR_UNKNOWN_EXTENSION must be one of warning, error/);
    assert.throws(() => loadConfig({ FHIR_SQLITE_CACHE_MB: '1' }), /FHIR_SQLITE_CACHE_MB/);
    assert.throws(() => loadConfig({ FHIR_SEED_PATIENTS: '-1' }), /FHIR_SEED_PATIENTS/);
    assert.equal(loadConfig({ FHIR_SEED_PATIENTS: '25', FHIR_SEED_VALUE: '7' }).seedPatients, 25);
    assert.throws(() => loadConfig({ FHIR_BASE_URL: 'fhir.example' }), /FHIR_BASE_URL/);
  });

  it('chooses the MongoDB store with its connection string and database, never repeating the string in an error', () => {
    const config = loadConfig({ FHIR_STORE: 'mongo', MONGODB_URL: 'mongodb://fhir:secret@db1,db2/?replicaSet=rs0', MONGODB_DB: 'dhc' });
    assert.equal(config.store, 'mongo');
    assert.equal(config.mongoUrl, 'mongodb://fhir:secret@db1,db2/?replicaSet=rs0');
    assert.equal(config.mongoDatabase, 'dhc');
    assert.equal(loadConfig({ MONGODB_URL: 'mongodb+srv://cluster.example' }).store, 'sqlite');
    assert.throws(() => loadConfig({ FHIR_STORE: 'mongo' }), /FHIR_STORE=mongo needs MONGODB_URL/);
    assert.throws(
      () => loadConfig({ FHIR_STORE: 'mongo', MONGODB_URL: 'postgres://fhir:secret@db' }),
      (e: unknown) => e instanceof ConfigError && /MONGODB_URL must be a mongodb/.test(e.message) && !e.message.includes('secret')
    );
    assert.throws(() => loadConfig({ FHIR_STORE: 'mongo', MONGODB_URL: 'mongodb://db', MONGODB_DB: 'a.b' }), /MONGODB_DB must be a MongoDB database name/);
  });

  it('has security on unless FHIR_AUTH=off, with its keys beside the data', () => {
    const config = loadConfig({ FHIR_DATA_DIR: '/tmp/x' });
    assert.equal(config.auth, true);
    assert.equal(config.authKeysFile, '/tmp/x/auth-keys.json');
    assert.equal(config.authLoginLimit, 10);
    assert.equal(config.authTokenLimit, 300);
    assert.equal(config.authAccountLoginLimit, 20);
    const off = loadConfig({ FHIR_AUTH: 'off', FHIR_AUTH_KEYS_FILE: '/secrets/keys.json', FHIR_AUTH_LOGIN_LIMIT: '3', FHIR_AUTH_TOKEN_LIMIT: '20', FHIR_AUTH_ACCOUNT_LOGIN_LIMIT: '5' });
    assert.equal(off.auth, false);
    assert.equal(off.authKeysFile, '/secrets/keys.json');
    assert.equal(off.authLoginLimit, 3);
    assert.equal(off.authTokenLimit, 20);
    assert.equal(off.authAccountLoginLimit, 5);
    assert.throws(() => loadConfig({ FHIR_AUTH: 'maybe' }), /FHIR_AUTH must be one of on, off/);
    assert.throws(() => loadConfig({ FHIR_AUTH_LOGIN_LIMIT: '0' }), /FHIR_AUTH_LOGIN_LIMIT/);
  });

  it('writes a Provenance per write and an anchor every hour unless told otherwise (docs/audit.md)', () => {
    const defaults = loadConfig({});
    assert.equal(defaults.provenance, true);
    assert.equal(defaults.anchorMinutes, 60);
    const off = loadConfig({ FHIR_PROVENANCE: 'off', FHIR_ANCHOR_MINUTES: '0' });
    assert.equal(off.provenance, false);
    assert.equal(off.anchorMinutes, 0);
    assert.throws(() => loadConfig({ FHIR_PROVENANCE: 'sometimes' }), /FHIR_PROVENANCE must be one of on, off/);
    assert.throws(() => loadConfig({ FHIR_ANCHOR_MINUTES: '-1' }), /FHIR_ANCHOR_MINUTES/);
  });

  it("leaves the server thread's heap to V8 unless FHIR_HEAP_MB or node's own flag sets it", () => {
    assert.equal(loadConfig({}).heapMiB, 0);
    assert.ok(sizedHeapMiB(64) > sizedHeapMiB(16), 'a larger body allowed, a larger heap');
    assert.equal(loadConfig({ FHIR_HEAP_MB: '900' }).heapMiB, 900);
    assert.equal(loadConfig({ FHIR_HEAP_MB: '0' }).heapMiB, 0, '0: V8 sizes the heap');
    assert.equal(loadConfig({ NODE_OPTIONS: '--max-old-space-size=2048', FHIR_HEAP_MB: '900' }).heapMiB, undefined, "node's own flag wins");
    assert.throws(() => loadConfig({ FHIR_HEAP_MB: '64' }), ConfigError);
  });

  it('lets V8 grow each heap to twice what is live between full collections unless FHIR_HEAP_GROWTH_PERCENT says otherwise', () => {
    assert.equal(loadConfig({}).heapGrowthPercent, 100);
    assert.equal(loadConfig({ FHIR_HEAP_GROWTH_PERCENT: '0' }).heapGrowthPercent, 0, "0: V8's own factor");
    assert.throws(() => loadConfig({ FHIR_HEAP_GROWTH_PERCENT: 'fast' }), ConfigError);
  });

  it("starts with glibc malloc's two arenas and fixed mmap and trim thresholds unless the environment sets them (docs/performance.md, Memory)", () => {
    assert.deepEqual(loadConfig({}).mallocEnv, { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '4194304', MALLOC_TRIM_THRESHOLD_: '16777216' });
    assert.deepEqual(loadConfig({ MALLOC_ARENA_MAX: '8' }).mallocEnv, { MALLOC_MMAP_THRESHOLD_: '4194304', MALLOC_TRIM_THRESHOLD_: '16777216' }, "the operator's own value wins");
    assert.deepEqual(loadConfig(mallocDefaults).mallocEnv, {}, 'after the restart nothing is missing');
  });
});
