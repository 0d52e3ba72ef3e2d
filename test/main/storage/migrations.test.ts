import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDb, wrap, type Db } from '../../../main/storage/db';
import { MIGRATIONS, SCHEMA_VERSION, migrate, schemaVersion } from '../../../main/storage/migrations/index';
import { createStorage } from '../../../main/storage/storage';
import { fakeClock, seqIds, smallLab } from './fixtures/labs';
import { tempDir, value } from './helpers';

/** The schema as SQLite stores it (tables, indexes, with their SQL), for comparing databases. */
function schema(db: Db): string[] {
  return db
    .all<{ type: string; name: string; sql: string | null }>(
      "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
    )
    .map((r) => `${r.type} ${r.name}: ${(r.sql ?? '').replace(/\s+/g, ' ')}`);
}

function freshSchema(): string[] {
  const db = value(openDb(':memory:'));
  const s = schema(db);
  db.close();
  return s;
}

describe('migrations', () => {
  it('are numbered 1, 2, … in order and the schema version is the last', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('a fresh database has every table of the design', () => {
    const db = value(openDb(':memory:'));
    const cols = (t: string) => db.all<{ name: string }>(`PRAGMA table_info(${t})`).map((c) => c.name);
    expect(cols('labs')).toEqual(['id', 'name', 'created', 'updated', 'document']);
    expect(cols('revisions')).toEqual(['id', 'lab_id', 'kind', 'created', 'document']);
    expect(cols('settings')).toEqual(['key', 'value']);
    expect(cols('recent_files')).toEqual(['path', 'opened']);
    expect(cols('drill_attempts')).toEqual(['id', 'lab_id', 'drill', 'started', 'finished', 'result']);
    db.close();
  });

  // From every earlier version (0 = an empty file, then after each migration), with data written
  // at that version, migrating up reaches exactly the fresh schema and keeps the data.
  for (let from = 0; from <= SCHEMA_VERSION; from++) {
    it(`migrates up from schema version ${from}, keeping the data`, () => {
      const file = path.join(tempDir(), `v${from}.db`);
      const old = value(openDb(file, { migrateTo: from }));
      expect(schemaVersion(old)).toBe(from);
      if (from >= 1) {
        // data written with the tables as they were at that version
        const s = createStorage(old, { clock: fakeClock(), newId: seqIds() });
        value(s.labs.create({ document: smallLab('at v' + from) }));
        value(s.settings.set('theme', 'dark'));
        value(s.recentFiles.add('/labs/a.podlab.json'));
        value(s.drillAttempts.start({ drill: 'kube-proxy-down', labId: 'lab-1' }));
      }
      old.close();

      const db = value(openDb(file));
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
      expect(schema(db)).toEqual(freshSchema());
      expect(db.all('PRAGMA foreign_key_check')).toEqual([]);
      expect(db.pragmaValue('integrity_check')).toBe('ok');
      if (from >= 1) {
        const s = createStorage(db, { clock: fakeClock(), newId: seqIds('x') });
        expect(value(s.labs.get('lab-1')).document).toEqual(smallLab('at v' + from));
        expect(value(s.settings.get('theme'))).toBe('dark');
        expect(value(s.recentFiles.list()).map((r) => r.path)).toEqual(['/labs/a.podlab.json']);
        expect(value(s.drillAttempts.list()).length).toBe(1);
      }
      db.close();
    });
  }

  it('is idempotent: migrating an up-to-date database changes nothing', () => {
    const db = value(openDb(':memory:'));
    const before = schema(db);
    expect(value(migrate(db))).toBe(SCHEMA_VERSION);
    expect(schema(db)).toEqual(before);
    db.close();
  });

  it('a failing migration rolls back entirely and leaves the previous version', () => {
    const raw = new Database(':memory:');
    const db = wrap(raw, ':memory:');
    value(migrate(db, 1));
    raw.exec('CREATE TABLE recent_files_by_opened (x)'); // the name migration 2 needs for an index
    const r = migrate(db);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error.message).toMatch(
        /^could not migrate the lab database to schema version 2 \(0002_indexes\): /,
      );
    expect(schemaVersion(db)).toBe(1);
    // the index migration 2 creates before the failing one is not there either
    expect(db.get("SELECT 1 FROM sqlite_master WHERE name = 'revisions_by_lab_kind'")).toBeUndefined();
    db.close();
  });
});
