import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { smallLab } from './fixtures/labs';
import { error, storage, tempDir, value } from './helpers';

const HOLDER = path.join(__dirname, 'fixtures', 'holdWriteLock.mjs');

/** Starts a second process that holds a write transaction on `file` for `ms`; resolves once it holds it. */
function holdWriteLock(file: string, ms: number): Promise<{ done: Promise<number | null> }> {
  const child = spawn(process.execPath, [HOLDER, file, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const done = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (d.includes('locked')) resolve({ done });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
  });
}

describe('two writers on one database file', () => {
  it('a second writer waits for the first (busy timeout) instead of failing', async () => {
    const file = path.join(tempDir(), 'shared.db');
    const a = storage({ file });
    value(a.labs.create({ document: smallLab('v1') }));
    const held = await holdWriteLock(file, 400);
    const t0 = performance.now();
    const r = a.labs.save('lab-1', smallLab('v2')); // blocks until the other process commits
    const waited = performance.now() - t0;
    expect(value(r).revision).toBeGreaterThan(0);
    expect(waited).toBeGreaterThan(200);
    expect(await held.done).toBe(0);
    // both writes are there
    expect(value(a.labs.get('lab-1')).document).toEqual(smallLab('v2'));
    expect(value(a.settings.get('held-by-other'))).toBe('yes');
  });

  it('two connections in one process interleave their writes', () => {
    const file = path.join(tempDir(), 'shared.db');
    const a = storage({ file });
    const b = storage({ file, newId: () => 'from-b' });
    value(a.labs.create({ document: smallLab('a') }));
    value(b.labs.create({ document: smallLab('b') }));
    value(b.labs.save('lab-1', smallLab('a by b')));
    expect(value(a.labs.get('lab-1')).document).toEqual(smallLab('a by b'));
    expect(
      value(a.labs.list())
        .map((l) => l.id)
        .sort(),
    ).toEqual(['from-b', 'lab-1']);
  });

  it('when the other writer holds on longer than the busy timeout, the result says the database is busy', async () => {
    const file = path.join(tempDir(), 'shared.db');
    const a = storage({ file, busyTimeoutMs: 100 });
    value(a.labs.create({ document: smallLab('v1') }));
    const held = await holdWriteLock(file, 700);
    const e = error(a.labs.save('lab-1', smallLab('v2')));
    expect(e.code).toBe('busy');
    expect(e.message).toBe(
      'could not save the lab: the database is busy (another Podpath window or process is writing to it); try again',
    );
    await held.done;
    expect(value(a.labs.get('lab-1')).document).toEqual(smallLab('v1'));
  });
});
