import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { openStorage, type Storage, type StorageOptions } from '../../../main/storage/storage';
import type { StorageResult } from '../../../main/storage/result';
import { fakeClock, seqIds } from './fixtures/labs';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

/** A fresh temporary directory, removed after the test. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'podpath-storage-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Storage on a temporary file (or ':memory:'), with a fake clock and lab-1, lab-2 … ids; closed after the test. */
export function storage(opts: StorageOptions & { file?: string } = {}): Storage {
  const r = openStorage({
    clock: fakeClock(),
    newId: seqIds(),
    ...opts,
    path: opts.path ?? opts.file ?? path.join(tempDir(), 'podpath.db'),
  });
  const s = value(r);
  cleanups.push(() => s.close());
  return s;
}

/** The value of an ok result (fails the test with the error message otherwise). */
export function value<T>(r: StorageResult<T>): T {
  if (!r.ok) throw new Error(`expected ok, got: ${r.error.message}`);
  return r.value;
}

export function error<T>(r: StorageResult<T>): Extract<StorageResult<T>, { ok: false }>['error'] {
  if (r.ok) throw new Error(`expected an error, got ok: ${JSON.stringify(r.value)}`);
  return r.error;
}
