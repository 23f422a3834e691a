// The physical limit under our embedded store: how fast SQLite alone, through node:sqlite on this
// machine, inserts resource-sized JSON rows and looks them up by key. Our figures are stated as a
// ratio of these, so the overhead of the server over the raw store is visible.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { patientRecord } from './generator/patient-records';

export interface RawSqliteFigures {
  synchronous: string;
  /** Rows per second inserted in transactions of 1,000 rows. */
  batchedInsertsPerSecond: number;
  /** Rows per second inserted one per transaction (as single creates are). */
  singleInsertsPerSecond: number;
  /** Point lookups by primary key per second, one connection. */
  lookupsPerSecond: number;
  rowBytes: number;
}

export function measureRawSqlite(rows = 200_000, synchronous: 'FULL' | 'NORMAL' = 'FULL'): RawSqliteFigures {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raw-sqlite-'));
  const db = new DatabaseSync(path.join(dir, 'raw.sqlite'));
  try {
    db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous};`);
    db.exec('CREATE TABLE r (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, id TEXT NOT NULL, content TEXT NOT NULL)');
    db.exec('CREATE UNIQUE INDEX r_id ON r (type, id)');
    const samples = patientRecord(1, 7).map((r) => JSON.stringify(r));
    const rowBytes = Math.round(samples.reduce((n, s) => n + s.length, 0) / samples.length);
    const insert = db.prepare('INSERT INTO r (type, id, content) VALUES (?, ?, ?)');

    let started = performance.now();
    for (let i = 0; i < rows; i += 1000) {
      db.exec('BEGIN');
      for (let j = i; j < Math.min(rows, i + 1000); j++) {
        insert.run('Observation', `o${j}`, samples[j % samples.length]);
      }
      db.exec('COMMIT');
    }
    const batchedInsertsPerSecond = rows / ((performance.now() - started) / 1000);

    const singles = 2000;
    started = performance.now();
    for (let j = 0; j < singles; j++) {
      db.exec('BEGIN IMMEDIATE');
      insert.run('Patient', `p${j}`, samples[0]);
      db.exec('COMMIT');
    }
    const singleInsertsPerSecond = singles / ((performance.now() - started) / 1000);

    const lookup = db.prepare('SELECT content FROM r WHERE type = ? AND id = ?');
    const lookups = 100_000;
    started = performance.now();
    for (let j = 0; j < lookups; j++) {
      lookup.get('Observation', `o${(j * 7919) % rows}`);
    }
    const lookupsPerSecond = lookups / ((performance.now() - started) / 1000);
    return { synchronous, batchedInsertsPerSecond, singleInsertsPerSecond, lookupsPerSecond, rowBytes };
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
