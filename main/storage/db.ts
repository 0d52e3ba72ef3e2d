/**
 * The SQLite database behind lab storage: where the file lives, how it is opened, and the small
 * `Db` interface the repositories use (so better-sqlite3 stays behind this one module).
 *
 * Where the file lives (first that applies):
 *  1. `PODPATH_DB` (environment): the database file itself — for tests and portable installs;
 *  2. `userDataDir/podpath.db` — the Electron shell passes `app.getPath('userData')`;
 *  3. the platform's per-user data directory, when run without Electron:
 *     Linux  `$XDG_DATA_HOME/podpath/podpath.db` (default `~/.local/share/podpath/podpath.db`),
 *     macOS  `~/Library/Application Support/Podpath/podpath.db`,
 *     Windows `%APPDATA%\Podpath\podpath.db`.
 *
 * Pragmas: WAL journal (readers never block the writer; a killed process leaves a valid
 * database), foreign keys on, `busy_timeout` 5000 ms (a second Podpath writing the same file waits
 * instead of failing), `synchronous = NORMAL` (in WAL mode a commit survives a crash of the
 * process; only a power loss may lose the last commits, never corrupt the file).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations/index';
import { fail, fromException, ok, type StorageResult } from './result';

export const DB_FILE_NAME = 'podpath.db';
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export type SqlValue = string | number | bigint | Buffer | null;

/** What the repositories need from a SQL database. One implementation today (better-sqlite3). */
export interface Db {
  readonly path: string;
  exec(sql: string): void;
  run(sql: string, ...params: SqlValue[]): { changes: number; lastInsertRowid: number };
  get<T>(sql: string, ...params: SqlValue[]): T | undefined;
  all<T>(sql: string, ...params: SqlValue[]): T[];
  /** A PRAGMA's single value (`pragmaValue('user_version')`). */
  pragmaValue(pragma: string): unknown;
  /** Runs `fn` in a write transaction (BEGIN IMMEDIATE; nested calls become savepoints). A throw rolls back. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

export interface DbPathOptions {
  /** Electron's `app.getPath('userData')`; the database is `podpath.db` inside it. */
  readonly userDataDir?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly platform?: NodeJS.Platform;
  readonly homeDir?: string;
}

/** The database file to open (see the module comment for the order). */
export function resolveDbPath(opts: DbPathOptions = {}): string {
  const env = opts.env ?? process.env;
  const fromEnv = env['PODPATH_DB'];
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  if (opts.userDataDir !== undefined) return path.join(opts.userDataDir, DB_FILE_NAME);
  return path.join(defaultDataDir(opts), DB_FILE_NAME);
}

/** The per-user data directory used when run without Electron. */
export function defaultDataDir(opts: DbPathOptions = {}): string {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const home = opts.homeDir ?? os.homedir();
  if (platform === 'win32') {
    const appData = env['APPDATA'];
    return path.win32.join(
      appData !== undefined && appData !== '' ? appData : path.win32.join(home, 'AppData', 'Roaming'),
      'Podpath',
    );
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'Podpath');
  const xdg = env['XDG_DATA_HOME'];
  // The XDG spec: a relative XDG_DATA_HOME is invalid and must be ignored.
  const base = xdg !== undefined && xdg.startsWith('/') ? xdg : path.posix.join(home, '.local', 'share');
  return path.posix.join(base, 'podpath');
}

export interface OpenDbOptions {
  readonly busyTimeoutMs?: number;
  /** Stop migrating at this schema version (tests of the migrations). Default: the latest. */
  readonly migrateTo?: number;
}

/**
 * Opens (creating if needed) the database file at `file` — or `':memory:'` — sets the pragmas and
 * migrates the schema up. A database written by a newer Podpath is refused, not touched.
 */
export function openDb(file: string, opts: OpenDbOptions = {}): StorageResult<Db> {
  let raw: Database.Database | undefined;
  try {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    raw = new Database(file, { timeout: opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
    const db = wrap(raw, file);
    db.pragmaValue(`busy_timeout = ${Math.trunc(opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS)}`);
    if (file !== ':memory:') {
      const mode = db.pragmaValue('journal_mode = WAL');
      if (mode !== 'wal') {
        raw.close();
        return fail(
          'database',
          `could not open the lab database ${file}: it cannot use WAL mode (got ${String(mode)})`,
        );
      }
    }
    db.pragmaValue('foreign_keys = ON');
    db.pragmaValue('synchronous = NORMAL');
    const migrated = migrate(db, opts.migrateTo);
    if (!migrated.ok) {
      raw.close();
      return migrated;
    }
    return ok(db);
  } catch (e) {
    raw?.close();
    return fromException(`open the lab database ${file}`, e);
  }
}

/** Wraps an open better-sqlite3 connection (prepared statements are cached by their SQL). */
export function wrap(raw: Database.Database, file: string): Db {
  const cache = new Map<string, Database.Statement>();
  const stmt = (sql: string): Database.Statement => {
    let s = cache.get(sql);
    if (!s) {
      s = raw.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
  return {
    path: file,
    exec: (sql) => {
      raw.exec(sql);
    },
    run: (sql, ...params) => {
      const r = stmt(sql).run(...params);
      return { changes: r.changes, lastInsertRowid: Number(r.lastInsertRowid) };
    },
    get: <T>(sql: string, ...params: SqlValue[]) => stmt(sql).get(...params) as T | undefined,
    all: <T>(sql: string, ...params: SqlValue[]) => stmt(sql).all(...params) as T[],
    pragmaValue: (pragma) => raw.pragma(pragma, { simple: true }),
    transaction: <T>(fn: () => T): T => raw.transaction(fn).immediate(),
    close: () => {
      cache.clear();
      if (raw.open) raw.close();
    },
  };
}
