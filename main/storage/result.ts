import type { Problem } from '../../shared-sim/src/index';

/** Why a storage call failed. `message` is the sentence shown to users: what, and why. Never a stack trace. */
export interface StorageError {
  readonly code: 'invalid-document' | 'invalid-input' | 'not-found' | 'busy' | 'io' | 'database';
  readonly message: string;
  /** The validator's problems (field, value, reason) when a lab document was refused. */
  readonly problems?: readonly Problem[];
}

export type StorageResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: StorageError };

export const ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value });

export function fail(
  code: StorageError['code'],
  message: string,
  problems?: readonly Problem[],
): { readonly ok: false; readonly error: StorageError } {
  return { ok: false, error: problems ? { code, message, problems } : { code, message } };
}

/** Milliseconds since the epoch. Injected so that tests are deterministic. */
export type Clock = () => number;

/**
 * Runs `fn`, turning any exception (SQLite, file system) into a `{ ok: false }` result whose
 * message says what could not be done and why — never a stack trace.
 */
export function guard<T>(what: string, fn: () => StorageResult<T>): StorageResult<T> {
  try {
    return fn();
  } catch (e) {
    return fromException(what, e);
  }
}

export function fromException(
  what: string,
  e: unknown,
): { readonly ok: false; readonly error: StorageError } {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
  const msg = e instanceof Error ? e.message : String(e);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return fail(
      'busy',
      `could not ${what}: the database is busy (another Podpath window or process is writing to it); try again`,
    );
  if (code.startsWith('SQLITE_FULL') || code === 'ENOSPC')
    return fail('io', `could not ${what}: the disk is full`);
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return fail('io', `could not ${what}: permission denied (${msg})`);
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB'))
    return fail(
      'database',
      `could not ${what}: the database file is damaged or is not a Podpath database (${msg})`,
    );
  if (code.startsWith('SQLITE_')) return fail('database', `could not ${what}: ${msg}`);
  if (code.startsWith('E')) return fail('io', `could not ${what}: ${msg}`);
  return fail('database', `could not ${what}: ${msg}`);
}
