// The SQLite schema and its migrations, applied in order at start-up. PRAGMA user_version records
// how far a database file has been migrated, so an older file is brought up to date on open.
import type { DatabaseSync } from 'node:sqlite';

const migrations: string[] = [
  // 1: every version of every resource; the current version of each; the search index of current versions.
  `
  CREATE TABLE resource_versions (
    seq           INTEGER PRIMARY KEY,  -- global write order: history paging and default search order
    resource_type TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    version_id    INTEGER NOT NULL,
    last_updated  INTEGER NOT NULL,     -- ms since epoch
    replaced_at   INTEGER,              -- when the next version was written; NULL while current (for _at)
    deleted       INTEGER NOT NULL,     -- 1 for a delete tombstone
    content       TEXT                  -- the resource as JSON, meta included; NULL for a tombstone
  );
  CREATE UNIQUE INDEX resource_versions_by_resource ON resource_versions (resource_type, id, version_id);
  CREATE INDEX resource_versions_by_type ON resource_versions (resource_type, seq);
  CREATE INDEX resource_versions_by_time ON resource_versions (last_updated);

  -- One row per resource: its current version. key is a compact handle for the index tables.
  CREATE TABLE resources (
    key           INTEGER PRIMARY KEY,
    resource_type TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    seq           INTEGER NOT NULL,     -- the current version's row in resource_versions
    version_id    INTEGER NOT NULL,
    last_updated  INTEGER NOT NULL,
    deleted       INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX resources_by_id ON resources (resource_type, id);
  CREATE INDEX resources_by_seq ON resources (resource_type, deleted, seq);
  CREATE INDEX resources_by_updated ON resources (resource_type, deleted, last_updated, seq);

  -- Search parameters get small integer ids, so that index rows stay narrow.
  CREATE TABLE search_params (
    param_id      INTEGER PRIMARY KEY,
    resource_type TEXT NOT NULL,
    code          TEXT NOT NULL,
    UNIQUE (resource_type, code)
  );

  -- The search index: rows for current, non-deleted versions only. Each table has a lookup index
  -- led by param_id and one on key, to replace a resource's rows when it changes.
  CREATE TABLE idx_string (param_id INTEGER NOT NULL, value TEXT NOT NULL, exact TEXT NOT NULL, key INTEGER NOT NULL);
  CREATE INDEX idx_string_lookup ON idx_string (param_id, value);
  CREATE INDEX idx_string_key ON idx_string (key);

  CREATE TABLE idx_token (
    param_id INTEGER NOT NULL, system TEXT, code TEXT, text TEXT, type_system TEXT, type_code TEXT, key INTEGER NOT NULL
  );
  CREATE INDEX idx_token_lookup ON idx_token (param_id, code, system);
  CREATE INDEX idx_token_key ON idx_token (key);

  CREATE TABLE idx_date (param_id INTEGER NOT NULL, low INTEGER NOT NULL, high INTEGER NOT NULL, key INTEGER NOT NULL);
  CREATE INDEX idx_date_lookup ON idx_date (param_id, low);
  CREATE INDEX idx_date_high ON idx_date (param_id, high);  -- walks dates newest first for _sort=-date
  CREATE INDEX idx_date_key ON idx_date (key);

  CREATE TABLE idx_number (param_id INTEGER NOT NULL, value REAL, low REAL NOT NULL, high REAL NOT NULL, key INTEGER NOT NULL);
  CREATE INDEX idx_number_lookup ON idx_number (param_id, low);
  CREATE INDEX idx_number_key ON idx_number (key);

  CREATE TABLE idx_quantity (
    param_id INTEGER NOT NULL, value REAL, low REAL NOT NULL, high REAL NOT NULL, system TEXT, code TEXT, unit TEXT,
    canonical_code TEXT, canonical_value REAL, canonical_low REAL, canonical_high REAL, key INTEGER NOT NULL
  );
  CREATE INDEX idx_quantity_lookup ON idx_quantity (param_id, code, low);
  CREATE INDEX idx_quantity_canonical ON idx_quantity (param_id, canonical_code, canonical_low);
  CREATE INDEX idx_quantity_key ON idx_quantity (key);

  CREATE TABLE idx_reference (
    param_id INTEGER NOT NULL, target_type TEXT, target_id TEXT, version TEXT, url TEXT,
    identifier_system TEXT, identifier_value TEXT, key INTEGER NOT NULL
  );
  CREATE INDEX idx_reference_lookup ON idx_reference (param_id, target_id, target_type);
  CREATE INDEX idx_reference_target ON idx_reference (target_id, target_type);
  CREATE INDEX idx_reference_url ON idx_reference (param_id, url);
  CREATE INDEX idx_reference_key ON idx_reference (key);

  CREATE TABLE idx_uri (param_id INTEGER NOT NULL, value TEXT NOT NULL, key INTEGER NOT NULL);
  CREATE INDEX idx_uri_lookup ON idx_uri (param_id, value);
  CREATE INDEX idx_uri_key ON idx_uri (key);

  -- Composite values: up to three parts, each in generic columns (a: code/value/id, b: system/type,
  -- low/high: ranges), so that one row holds the parts that belong together.
  CREATE TABLE idx_composite (
    param_id INTEGER NOT NULL,
    p0_a TEXT, p0_b TEXT, p0_low REAL, p0_high REAL,
    p1_a TEXT, p1_b TEXT, p1_low REAL, p1_high REAL,
    p2_a TEXT, p2_b TEXT, p2_low REAL, p2_high REAL,
    key INTEGER NOT NULL
  );
  CREATE INDEX idx_composite_lookup ON idx_composite (param_id, p0_a);
  CREATE INDEX idx_composite_key ON idx_composite (key);
  `,
  // 2: search-index lookup indexes set aside during a bulk load (bulk-load.ts), kept here until rebuilt,
  // so that a load that stops half-way leaves them to be rebuilt on the next open.
  `
  CREATE TABLE deferred_indexes (name TEXT PRIMARY KEY, sql TEXT NOT NULL);
  `,
  // 3: values of unique search parameters (business identifiers), one holder each. The UNIQUE constraint
  // is a table constraint, so that a bulk load (which sets the idx_* lookup indexes aside) keeps it.
  `
  CREATE TABLE idx_unique (
    param_id INTEGER NOT NULL, system TEXT NOT NULL, code TEXT NOT NULL, key INTEGER NOT NULL,
    UNIQUE (param_id, system, code)
  );
  CREATE INDEX idx_unique_key ON idx_unique (key);
  `,
  // 4: the authorization server (server/store/auth-port.ts): clients and users as JSON documents, and
  // the short-lived OAuth state, so that every process sharing the file sees the same revocations.
  `
  CREATE TABLE auth_clients (client_id TEXT PRIMARY KEY, content TEXT NOT NULL);
  CREATE TABLE auth_users (account TEXT PRIMARY KEY, content TEXT NOT NULL);
  CREATE TABLE auth_codes (code_hash TEXT PRIMARY KEY, content TEXT NOT NULL, expires_at INTEGER NOT NULL);
  CREATE TABLE auth_launches (launch_id TEXT PRIMARY KEY, content TEXT NOT NULL, expires_at INTEGER NOT NULL);
  CREATE TABLE auth_refresh_tokens (
    token_hash TEXT PRIMARY KEY, family_id TEXT NOT NULL, content TEXT NOT NULL, expires_at INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX auth_refresh_tokens_family ON auth_refresh_tokens (family_id);
  CREATE TABLE auth_revoked_families (family_id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
  CREATE TABLE auth_revoked_tokens (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
  CREATE TABLE auth_assertion_ids (client_id TEXT NOT NULL, jti TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (client_id, jti));
  CREATE TABLE auth_hits (key TEXT PRIMARY KEY, hits INTEGER NOT NULL, reset_at INTEGER NOT NULL);
  `,
  // 5: who wrote each version and the tamper-evidence chains (server/audit/chain-hash.ts): the author as
  // JSON text, the version's hash chained to the resource's previous version, and for AuditEvents the
  // link of their global chain. Versions written before stay without (reported as unchained).
  `
  ALTER TABLE resource_versions ADD COLUMN author TEXT;
  ALTER TABLE resource_versions ADD COLUMN hash TEXT;
  ALTER TABLE resource_versions ADD COLUMN audit_hash TEXT;
  `,
  // 6: where archived AuditEvents end (server/audit/audit-archive.ts): the last archived event's seq and
  // chain link, to which the AuditEvent chain goes on once they are purged.
  `
  CREATE TABLE audit_archive (seq INTEGER PRIMARY KEY, audit_hash TEXT NOT NULL, archived_at INTEGER NOT NULL);
  `,
  // 7: lookup indexes that cover what a search reads from them (docs/performance.md, "The search mix"):
  // token, reference and date lookups end with the key, so that a driver's keys and an exact count are
  // read from the index alone, never from the index table's rows. Quantity comparisons (gt, ge, lt, le
  // and the like) compare COALESCE(value, high) or COALESCE(value, low) (filter-sql.ts), and an equal
  // value is bounded by the first: indexed on those expressions (and the canonical unit's by its value),
  // `value-quantity=gt126` or `=72.5|http://unitsofmeasure.org|kg` reads the matching range instead of
  // every value of the parameter or of the unit. The composite lookup covers the first two parts, so
  // that counting a composite's matches (the planner's estimate, a total) reads index entries only.
  // The indexes by key, which a search reads for every candidate row it checks (walking a date order,
  // a row's tokens, dates and references), lead with the key and the parameter and cover the columns
  // compared most (a token's code; the system, rarer, is read from the row): a walk of 9,000 rows for
  // a lab code newest first took 54 ms reading every token row of each resource, 10 ms with these.
  // A bulk load's set-aside definitions of the replaced indexes are forgotten (the new ones stand).
  `
  DROP INDEX IF EXISTS idx_token_lookup;
  CREATE INDEX idx_token_lookup ON idx_token (param_id, code, system, key);
  DROP INDEX IF EXISTS idx_reference_lookup;
  CREATE INDEX idx_reference_lookup ON idx_reference (param_id, target_id, target_type, key);
  DROP INDEX IF EXISTS idx_date_lookup;
  CREATE INDEX idx_date_lookup ON idx_date (param_id, low, high, key);
  DROP INDEX IF EXISTS idx_date_high;
  CREATE INDEX idx_date_high ON idx_date (param_id, high, key);
  CREATE INDEX idx_quantity_above ON idx_quantity (param_id, COALESCE(value, high), key);
  CREATE INDEX idx_quantity_below ON idx_quantity (param_id, COALESCE(value, low), key);
  DROP INDEX IF EXISTS idx_quantity_canonical;
  CREATE INDEX idx_quantity_canonical ON idx_quantity (param_id, canonical_code, COALESCE(canonical_value, canonical_high), key);
  DROP INDEX IF EXISTS idx_composite_lookup;
  CREATE INDEX idx_composite_lookup ON idx_composite (param_id, p0_a, p0_b, p1_a, p1_low, p1_high, key);
  DROP INDEX IF EXISTS idx_token_key;
  CREATE INDEX idx_token_key ON idx_token (key, param_id, code);
  DROP INDEX IF EXISTS idx_date_key;
  CREATE INDEX idx_date_key ON idx_date (key, param_id, high, low);
  DROP INDEX IF EXISTS idx_reference_key;
  CREATE INDEX idx_reference_key ON idx_reference (key, param_id, target_type, target_id);
  DELETE FROM deferred_indexes WHERE name IN ('idx_token_lookup', 'idx_reference_lookup', 'idx_date_lookup', 'idx_date_high', 'idx_quantity_canonical', 'idx_composite_lookup');
  `,
  // 8: AuditEvents in an append-only table of their own (server/store/sqlite/audit-event-table.ts,
  // docs/audit.md "Storage"): one row per event, its search entries on the row, its local references in
  // a narrow lookup table; no current row, no generic index rows. The events stored so far move here with
  // their positions and hashes (the chains stay intact), their search entries read from the index rows
  // of their current versions, which are removed with their version and current rows.
  `
  CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY,  -- the position, in the write order shared with resource_versions
    id          TEXT    NOT NULL,
    version_id  INTEGER NOT NULL,
    last_updated INTEGER NOT NULL,
    deleted     INTEGER NOT NULL,
    current     INTEGER NOT NULL,     -- 1 for the current, non-deleted version: what a search sees
    date_low    INTEGER,              -- the date parameter (AuditEvent.recorded) as [low, high), ms
    date_high   INTEGER,
    tokens      TEXT    NOT NULL,     -- JSON [[param_id, system, code, text], ...]
    refs        TEXT    NOT NULL,     -- JSON [[param_id, target_type, target_id, version, url, identifier_system, identifier_value], ...]
    author      TEXT,
    hash        TEXT,
    audit_hash  TEXT,
    content     TEXT                  -- last: the filters above are read without stepping over it
  );
  CREATE UNIQUE INDEX audit_events_by_id ON audit_events (id, version_id);
  CREATE INDEX audit_events_by_date_high ON audit_events (date_high);
  CREATE INDEX audit_events_by_date_low ON audit_events (date_low);
  CREATE TABLE audit_event_targets (
    param_id INTEGER NOT NULL, target_id TEXT NOT NULL, target_type TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (param_id, target_id, target_type, seq)
  ) WITHOUT ROWID;

  INSERT INTO audit_events (seq, id, version_id, last_updated, deleted, current, date_low, date_high, tokens, refs, author, hash, audit_hash, content)
  SELECT v.seq, v.id, v.version_id, v.last_updated, v.deleted, c.key IS NOT NULL AND v.deleted = 0,
    (SELECT min(d.low) FROM idx_date d WHERE d.key = c.key AND d.param_id = (SELECT param_id FROM search_params WHERE resource_type = 'AuditEvent' AND code = 'date')),
    (SELECT max(d.high) FROM idx_date d WHERE d.key = c.key AND d.param_id = (SELECT param_id FROM search_params WHERE resource_type = 'AuditEvent' AND code = 'date')),
    coalesce((SELECT json_group_array(json_array(t.param_id, t.system, t.code, t.text)) FROM idx_token t WHERE t.key = c.key), '[]'),
    coalesce((SELECT json_group_array(json_array(x.param_id, x.target_type, x.target_id, x.version, x.url, x.identifier_system, x.identifier_value))
      FROM idx_reference x WHERE x.key = c.key), '[]'),
    v.author, v.hash, v.audit_hash, v.content
  FROM resource_versions v
  LEFT JOIN resources c ON c.resource_type = v.resource_type AND c.id = v.id AND c.seq = v.seq
  WHERE v.resource_type = 'AuditEvent';
  INSERT OR IGNORE INTO audit_event_targets (param_id, target_id, target_type, seq)
  SELECT x.param_id, x.target_id, coalesce(x.target_type, ''), c.seq FROM resources c JOIN idx_reference x ON x.key = c.key
  WHERE c.resource_type = 'AuditEvent' AND c.deleted = 0 AND x.target_id IS NOT NULL;
  DELETE FROM idx_string WHERE key IN (SELECT key FROM resources WHERE resource_type = 'AuditEvent');
  DELETE FROM idx_token WHERE key IN (SELECT key FROM resources WHERE resource_type = 'AuditEvent');
  DELETE FROM idx_date WHERE key IN (SELECT key FROM resources WHERE resource_type = 'AuditEvent');
  DELETE FROM idx_number WHERE key IN (SELECT key FROM resources WHERE resource_type = 'AuditEvent');
  DELETE FROM idx_quantity WHERE key IN (SELECT key FROM resources WHERE resource_type = 'AuditEvent');
  DELETE FROM idx_reference WHERE key IN (SELECT key FROM resources WHERE resource_type = 'AuditEvent');
  DELETE FROM idx_uri WHERE key IN (SELECT key FROM resources WHERE resource_type = 'AuditEvent');
  DELETE FROM idx_composite WHERE key IN (SELECT key FROM resources WHERE resource_type = 'AuditEvent');
  DELETE FROM idx_unique WHERE key IN (SELECT key FROM resources WHERE resource_type = 'AuditEvent');
  DELETE FROM resources WHERE resource_type = 'AuditEvent';
  DELETE FROM resource_versions WHERE resource_type = 'AuditEvent';
  `,
  // 9: a token and date index (docs/performance.md, "Slow plans at 1M"). A token row carries the
  // newest date of its resource's `date` parameter (the value a newest-first sort orders by: its highest
  // `high`), so that `Observation?code=…&_sort=-date` walks that code's rows newest first and stops once
  // its page is full, instead of walking every Observation's dates newest first until enough of them
  // have the code (a lab code whose newest results lie months before the newest vital signs read tens
  // of thousands of rows at 1M). Partial: rows of resources without a date are not in it.
  `
  ALTER TABLE idx_token ADD COLUMN date_high INTEGER;
  CREATE TEMP TABLE newest_dates (key INTEGER PRIMARY KEY, high INTEGER NOT NULL);
  INSERT INTO newest_dates (key, high)
  SELECT d.key, max(d.high) FROM idx_date d JOIN search_params p ON p.param_id = d.param_id AND p.code = 'date' GROUP BY d.key;
  UPDATE idx_token SET date_high = (SELECT n.high FROM newest_dates n WHERE n.key = idx_token.key)
  WHERE key IN (SELECT key FROM newest_dates);
  DROP TABLE newest_dates;
  CREATE INDEX idx_token_date ON idx_token (param_id, code, date_high, key) WHERE date_high IS NOT NULL;
  `,
  // 10: the string index by key covers the parameter and the value (docs/performance.md, "Slow plans at
  // 1M"), as the token, date and reference ones do since 7. A walk in write order checks a string filter
  // on each walked row (`Patient?name=zhang`, `Encounter?subject:Patient.name=zhang` through each
  // Encounter's subject): with the key alone, each check read every string row of the resource (29 for
  // a generated Patient) from the table; now it is one seek in the index.
  `
  DROP INDEX IF EXISTS idx_string_key;
  CREATE INDEX idx_string_key ON idx_string (key, param_id, value);
  `,
  // 11: the string lookup index ends with the key, as the token, date and reference ones do since 7, so
  // that a string filter's keys come from the index alone: `Patient?given=yulan` (321 of 14,430
  // Patients at 1M resources) read each matching row from the table to find its key, 321 random reads
  // before the page (docs/performance.md, "Growth to 1M"). The composite index by key covers the parts
  // a token$quantity composite compares, as the string one does since 10: a walk checking
  // `component-code-value-quantity` on each Observation read every composite row of it from the table.
  `
  DROP INDEX IF EXISTS idx_string_lookup;
  CREATE INDEX idx_string_lookup ON idx_string (param_id, value, key);
  DROP INDEX IF EXISTS idx_composite_key;
  CREATE INDEX idx_composite_key ON idx_composite (key, param_id, p0_a, p0_b, p1_a, p1_low, p1_high);
  DELETE FROM deferred_indexes WHERE name = 'idx_string_lookup';
  `,
  // 12: the walk of a type in write order holds each resource's id (docs/performance.md, "Growth to 1M:
  // the checks of a walk (search7)"). A `_has` walk maps each walked resource to its referrers by its
  // type and id (idx_reference_lookup); with resources_by_seq ending at the seq, each walked row read its
  // resources row for the id, one random page per row: `Patient?_has:Condition:patient:code=…|I15.9`
  // walks 608 Patients at 1M resources for a page.
  `
  DROP INDEX IF EXISTS resources_by_seq;
  CREATE INDEX resources_by_seq ON resources (resource_type, deleted, seq, id);
  `,
  // 13: fewer index pages written per create (docs/performance.md, "Single creates (issue 21)"): every
  // index entry a write adds dirties a leaf page of its b-tree, and each dirty page is a 4 KiB WAL frame
  // written and checksummed on the server's thread at COMMIT. The reference index by url holds only the
  // references that have one (canonical and absolute ones): it is read for `url = ?` alone, which implies
  // `url IS NOT NULL`, so SQLite still chooses it for those searches, and a local reference (Patient/1,
  // the most written kind) no longer adds an entry keyed by NULL to it. The quantity index by unit code
  // (param_id, code, low) and the versions' index by time are dropped: no search reads them (EXPLAIN QUERY
  // PLAN of each of the 1,173 statements the store's, search, FHIR, HTTP, rule and workflow tests prepare):
  // quantity comparisons read idx_quantity_above/below, UCUM units idx_quantity_canonical, and history
  // `_since`/`_at` walk the versions in write order (by type, by resource, or the table itself). The
  // reference index led by the target, read only by a delete's check for referrers, is dropped too: that
  // check reads idx_reference_lookup for each parameter instead (sqlite-operations.ts, referrers).
  `
  DROP INDEX IF EXISTS idx_reference_target;
  DROP INDEX IF EXISTS idx_reference_url;
  CREATE INDEX idx_reference_url ON idx_reference (param_id, url) WHERE url IS NOT NULL;
  DROP INDEX IF EXISTS idx_quantity_lookup;
  DROP INDEX IF EXISTS resource_versions_by_time;
  DELETE FROM deferred_indexes WHERE name IN ('idx_reference_target', 'idx_reference_url', 'idx_quantity_lookup');
  `,
  // 14: the AuditEvents' lookup entries are appended to a small table in write order and merged into
  // audit_event_targets in bulk, sorted by key (audit-event-table.ts, docs/audit.md "Storage"): each
  // entry of a batch dirtied a page of the target-keyed b-tree, written whole to the WAL at the commit;
  // a merge writes each page once for all the entries it takes. No index: it holds a few thousand
  // entries at most, which a search reads through. The entries stored so far stay where they are.
  // (IF NOT EXISTS: the migration tests replay migrations on files the current schema made.)
  `
  CREATE TABLE IF NOT EXISTS audit_event_recent_targets (
    param_id INTEGER NOT NULL, target_id TEXT NOT NULL, target_type TEXT NOT NULL, seq INTEGER NOT NULL
  );
  `,
  // 15: no rows for a parameter that is the union of others (search/indexing/union-parameters.ts): R4's
  // Observation combo-* parameters repeat the rows of code and component-code, value-quantity and
  // component-value-quantity, and so on; a search on one now reads its parts' rows. The rows written
  // for them so far are removed (through the lookup indexes, which lead with param_id).
  `
  DELETE FROM idx_token WHERE param_id IN (SELECT param_id FROM search_params WHERE resource_type = 'Observation'
    AND code IN ('combo-code', 'combo-data-absent-reason', 'combo-value-concept'));
  DELETE FROM idx_quantity WHERE param_id IN (SELECT param_id FROM search_params WHERE resource_type = 'Observation'
    AND code = 'combo-value-quantity');
  DELETE FROM idx_composite WHERE param_id IN (SELECT param_id FROM search_params WHERE resource_type = 'Observation'
    AND code IN ('combo-code-value-concept', 'combo-code-value-quantity'));
  `,
];

export const schemaVersion = migrations.length;

/**
 * Brings the database up to the latest schema. The version is re-read inside each write transaction,
 * so two processes starting on one file at once do not both apply the same migration. `upTo` stops
 * earlier (a test builds a file as an older server left it, to migrate it).
 */
export function migrate(db: DatabaseSync, upTo: number = migrations.length): void {
  for (;;) {
    db.exec('BEGIN IMMEDIATE');
    try {
      const { user_version: current } = db.prepare('PRAGMA user_version').get() as { user_version: number };
      if (current > migrations.length) {
        throw new Error(
          `The database schema is version ${current}, newer than this server knows (${migrations.length}); ` +
            'upgrade the server or point FHIR_DB at another file'
        );
      }
      if (current >= upTo) {
        db.exec('COMMIT');
        return;
      }
      db.exec(migrations[current]);
      db.exec(`PRAGMA user_version = ${current + 1}`);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
}
