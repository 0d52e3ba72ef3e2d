/** Application settings: a key → JSON value map (theme, language, window state …). */
import type { Db } from '../db';
import { fail, guard, ok, type StorageResult } from '../result';

export interface SettingsRepo {
  /** The value, or `undefined` when the key was never set. */
  get(key: string): StorageResult<unknown>;
  set(key: string, value: unknown): StorageResult<{ readonly key: string }>;
  all(): StorageResult<Readonly<Record<string, unknown>>>;
  delete(key: string): StorageResult<{ readonly key: string; readonly existed: boolean }>;
}

function checkKey(key: unknown): StorageResult<string> {
  if (typeof key !== 'string' || key.trim() === '' || key.length > 200)
    return fail(
      'invalid-input',
      `the setting name ${JSON.stringify(key)} must be a non-empty string of at most 200 characters`,
    );
  return ok(key);
}

export function createSettingsRepo(db: Db): SettingsRepo {
  return {
    get: (key) =>
      guard(`read the setting ${JSON.stringify(key)}`, () => {
        const k = checkKey(key);
        if (!k.ok) return k;
        const row = db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', key);
        return ok(row ? (JSON.parse(row.value) as unknown) : undefined);
      }),
    set: (key, value) =>
      guard(`save the setting ${JSON.stringify(key)}`, () => {
        const k = checkKey(key);
        if (!k.ok) return k;
        const text = value === undefined ? undefined : JSON.stringify(value);
        if (text === undefined)
          return fail(
            'invalid-input',
            `the setting ${JSON.stringify(key)} needs a JSON value (use delete to remove it)`,
          );
        db.transaction(() =>
          db.run(
            'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
            key,
            text,
          ),
        );
        return ok({ key });
      }),
    all: () =>
      guard('read the settings', () => {
        const out: Record<string, unknown> = {};
        for (const row of db.all<{ key: string; value: string }>(
          'SELECT key, value FROM settings ORDER BY key',
        ))
          out[row.key] = JSON.parse(row.value) as unknown;
        return ok(out);
      }),
    delete: (key) =>
      guard(`delete the setting ${JSON.stringify(key)}`, () => {
        const k = checkKey(key);
        if (!k.ok) return k;
        const r = db.transaction(() => db.run('DELETE FROM settings WHERE key = ?', key));
        return ok({ key, existed: r.changes > 0 });
      }),
  };
}
