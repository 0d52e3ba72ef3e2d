/**
 * Schema migrations, driven by `PRAGMA user_version`: migration N takes the schema from version
 * N-1 to N. Each runs in its own transaction together with the version bump, so a crash leaves the
 * database at the previous version, never in between. Append new migrations; never edit old ones.
 */
import type { Db } from '../db';
import { fail, fromException, ok, type StorageResult } from '../result';
import { up as init } from './0001_init';
import { up as indexes } from './0002_indexes';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (db: Db) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: '0001_init', up: init },
  { version: 2, name: '0002_indexes', up: indexes },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Db): number {
  return Number(db.pragmaValue('user_version'));
}

/** Migrates `db` up to `target` (default: the latest). Returns the version reached. */
export function migrate(db: Db, target: number = SCHEMA_VERSION): StorageResult<number> {
  let version = schemaVersion(db);
  if (version > SCHEMA_VERSION)
    return fail(
      'database',
      `the lab database ${db.path} was written by a newer Podpath (schema version ${version}; this Podpath knows up to ${SCHEMA_VERSION}); open it with a newer Podpath`,
    );
  for (const m of MIGRATIONS) {
    if (m.version <= version || m.version > target) continue;
    try {
      db.transaction(() => {
        // re-read inside the write lock: another process may have migrated meanwhile
        if (schemaVersion(db) >= m.version) return;
        m.up(db);
        db.pragmaValue(`user_version = ${m.version}`);
      });
    } catch (e) {
      return fromException(`migrate the lab database to schema version ${m.version} (${m.name})`, e);
    }
    version = schemaVersion(db);
  }
  return ok(version);
}
