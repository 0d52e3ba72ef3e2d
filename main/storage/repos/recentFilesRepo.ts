/** Recently opened lab files, most recent first, at most `limit` of them (the File › Open Recent menu). */
import type { Db } from '../db';
import { fail, guard, ok, type Clock, type StorageResult } from '../result';

export const DEFAULT_RECENT_LIMIT = 10;

export interface RecentFile {
  readonly path: string;
  readonly opened: number;
}

export interface RecentFilesRepo {
  /** Records that `path` was opened now (moving it to the top); the oldest beyond the limit are dropped. */
  add(path: string): StorageResult<RecentFile>;
  list(): StorageResult<readonly RecentFile[]>;
  remove(path: string): StorageResult<{ readonly path: string; readonly existed: boolean }>;
  clear(): StorageResult<{ readonly removed: number }>;
}

export function createRecentFilesRepo(
  db: Db,
  opts: { readonly clock: Clock; readonly limit?: number },
): RecentFilesRepo {
  const limit = Math.max(1, opts.limit ?? DEFAULT_RECENT_LIMIT);
  return {
    add: (path) =>
      guard('remember the recent file', () => {
        if (typeof path !== 'string' || path === '')
          return fail('invalid-input', 'the recent file path must be a non-empty string');
        const opened = opts.clock();
        db.transaction(() => {
          // REPLACE gives the row a new rowid, which breaks ties between equal times (newest wins)
          db.run('INSERT OR REPLACE INTO recent_files (path, opened) VALUES (?, ?)', path, opened);
          db.run(
            `DELETE FROM recent_files WHERE rowid NOT IN
               (SELECT rowid FROM recent_files ORDER BY opened DESC, rowid DESC LIMIT ?)`,
            limit,
          );
        });
        return ok({ path, opened });
      }),
    list: () =>
      guard('list the recent files', () =>
        ok(db.all<RecentFile>('SELECT path, opened FROM recent_files ORDER BY opened DESC, rowid DESC')),
      ),
    remove: (path) =>
      guard('forget the recent file', () => {
        const r = db.transaction(() => db.run('DELETE FROM recent_files WHERE path = ?', path));
        return ok({ path, existed: r.changes > 0 });
      }),
    clear: () =>
      guard('clear the recent files', () => {
        const r = db.transaction(() => db.run('DELETE FROM recent_files'));
        return ok({ removed: r.changes });
      }),
  };
}
