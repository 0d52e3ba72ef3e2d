/**
 * Lab storage: the database and its repositories, opened together. The Electron shell calls
 * `openStorage({ userDataDir: app.getPath('userData') })`; the web host and the tests pass a path
 * or set `PODPATH_DB`. Time and ids are injectable so that tests are deterministic.
 */
import { randomUUID } from 'node:crypto';
import { openDb, resolveDbPath, type Db, type DbPathOptions } from './db';
import { ok, type Clock, type StorageResult } from './result';
import { createDrillAttemptsRepo, type DrillAttemptsRepo } from './repos/drillAttemptsRepo';
import { createLabRepo, type LabRepo } from './repos/labRepo';
import { createRecentFilesRepo, type RecentFilesRepo } from './repos/recentFilesRepo';
import { createSettingsRepo, type SettingsRepo } from './repos/settingsRepo';

export interface StorageOptions extends DbPathOptions {
  /** The database file (or ':memory:'); overrides PODPATH_DB and `userDataDir`. */
  readonly path?: string;
  readonly clock?: Clock;
  readonly newId?: () => string;
  readonly busyTimeoutMs?: number;
  /** Autosaves kept per lab (default 20). */
  readonly autosaveLimit?: number;
  /** Recent files kept (default 10). */
  readonly recentLimit?: number;
}

export interface Storage {
  readonly path: string;
  readonly labs: LabRepo;
  readonly settings: SettingsRepo;
  readonly recentFiles: RecentFilesRepo;
  readonly drillAttempts: DrillAttemptsRepo;
  close(): void;
}

export function createStorage(db: Db, opts: StorageOptions = {}): Storage {
  const clock = opts.clock ?? Date.now;
  const newId = opts.newId ?? randomUUID;
  return {
    path: db.path,
    labs: createLabRepo(db, {
      clock,
      newId,
      ...(opts.autosaveLimit !== undefined ? { autosaveLimit: opts.autosaveLimit } : {}),
    }),
    settings: createSettingsRepo(db),
    recentFiles: createRecentFilesRepo(db, {
      clock,
      ...(opts.recentLimit !== undefined ? { limit: opts.recentLimit } : {}),
    }),
    drillAttempts: createDrillAttemptsRepo(db, { clock }),
    close: () => db.close(),
  };
}

export function openStorage(opts: StorageOptions = {}): StorageResult<Storage> {
  const file = opts.path ?? resolveDbPath(opts);
  const db = openDb(file, opts.busyTimeoutMs !== undefined ? { busyTimeoutMs: opts.busyTimeoutMs } : {});
  if (!db.ok) return db;
  return ok(createStorage(db.value, opts));
}
