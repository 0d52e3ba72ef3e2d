import { describe, expect, it } from 'vitest';
import { smallLab } from './fixtures/labs';
import { error, storage, value } from './helpers';

const T0 = Date.UTC(2026, 0, 1);

describe('settingsRepo', () => {
  it('set, get, all and delete JSON values', () => {
    const s = storage();
    expect(value(s.settings.get('theme'))).toBeUndefined();
    value(s.settings.set('theme', 'dark'));
    value(s.settings.set('window', { width: 1200, height: 800, maximized: false }));
    value(s.settings.set('theme', 'light'));
    expect(value(s.settings.get('theme'))).toBe('light');
    expect(value(s.settings.all())).toEqual({
      theme: 'light',
      window: { width: 1200, height: 800, maximized: false },
    });
    expect(value(s.settings.delete('theme'))).toEqual({ key: 'theme', existed: true });
    expect(value(s.settings.delete('theme'))).toEqual({ key: 'theme', existed: false });
    expect(value(s.settings.all())).toEqual({ window: { width: 1200, height: 800, maximized: false } });
  });

  it('refuses an empty key and a value that is not JSON', () => {
    const s = storage();
    expect(error(s.settings.set('', 1)).code).toBe('invalid-input');
    expect(error(s.settings.get('')).code).toBe('invalid-input');
    expect(error(s.settings.set('k', undefined)).message).toMatch(/needs a JSON value/);
    expect(value(s.settings.all())).toEqual({});
  });
});

describe('recentFilesRepo', () => {
  it('lists most recent first; reopening moves a file to the top', () => {
    const s = storage();
    value(s.recentFiles.add('/a.podlab.json'));
    value(s.recentFiles.add('/b.podlab.json'));
    expect(value(s.recentFiles.add('/a.podlab.json'))).toEqual({ path: '/a.podlab.json', opened: T0 + 2000 });
    expect(value(s.recentFiles.list())).toEqual([
      { path: '/a.podlab.json', opened: T0 + 2000 },
      { path: '/b.podlab.json', opened: T0 + 1000 },
    ]);
  });

  it('is bounded: the oldest beyond the limit are dropped (default 10)', () => {
    const s = storage();
    for (let i = 0; i < 15; i++) value(s.recentFiles.add(`/f${i}.podlab.json`));
    const list = value(s.recentFiles.list());
    expect(list.length).toBe(10);
    expect(list[0]?.path).toBe('/f14.podlab.json');
    expect(list[9]?.path).toBe('/f5.podlab.json');
  });

  it('breaks ties between equal times by insertion (newest first)', () => {
    const s = storage({ clock: () => T0, recentLimit: 3 });
    for (const p of ['/a', '/b', '/c', '/d', '/b']) value(s.recentFiles.add(p));
    expect(value(s.recentFiles.list()).map((r) => r.path)).toEqual(['/b', '/d', '/c']);
  });

  it('remove and clear', () => {
    const s = storage();
    value(s.recentFiles.add('/a'));
    value(s.recentFiles.add('/b'));
    expect(value(s.recentFiles.remove('/a'))).toEqual({ path: '/a', existed: true });
    expect(value(s.recentFiles.remove('/a'))).toEqual({ path: '/a', existed: false });
    expect(value(s.recentFiles.clear())).toEqual({ removed: 1 });
    expect(value(s.recentFiles.list())).toEqual([]);
    expect(error(s.recentFiles.add('')).code).toBe('invalid-input');
  });
});

describe('drillAttemptsRepo', () => {
  it('start, finish, get and list (newest first, filtered by lab or drill)', () => {
    const s = storage();
    value(s.labs.create({ document: smallLab() })); // T0
    const a = value(s.drillAttempts.start({ drill: 'kube-proxy-down', labId: 'lab-1' }));
    expect(a).toEqual({
      id: a.id,
      labId: 'lab-1',
      drill: 'kube-proxy-down',
      started: T0 + 1000,
      finished: null,
      result: null,
    });
    const b = value(s.drillAttempts.start({ drill: 'mtu-mismatch' }));
    expect(b.labId).toBeNull();
    expect(value(s.drillAttempts.finish(a.id, 'passed'))).toEqual({
      ...a,
      finished: T0 + 3000,
      result: 'passed',
    });
    expect(value(s.drillAttempts.get(a.id))).toEqual({ ...a, finished: T0 + 3000, result: 'passed' });
    expect(value(s.drillAttempts.list()).map((x) => x.id)).toEqual([b.id, a.id]);
    expect(value(s.drillAttempts.list({ labId: 'lab-1' })).map((x) => x.id)).toEqual([a.id]);
    expect(value(s.drillAttempts.list({ drill: 'mtu-mismatch' })).map((x) => x.id)).toEqual([b.id]);
  });

  it('refuses an unknown lab, an unknown attempt, a second finish and a bad result', () => {
    const s = storage();
    expect(error(s.drillAttempts.start({ drill: 'x', labId: 'nope' })).message).toMatch(
      /no lab with id "nope"/,
    );
    expect(error(s.drillAttempts.start({ drill: ' ' })).code).toBe('invalid-input');
    expect(error(s.drillAttempts.finish(42, 'passed')).message).toBe('there is no drill attempt 42');
    expect(error(s.drillAttempts.get(42)).code).toBe('not-found');
    const a = value(s.drillAttempts.start({ drill: 'x' }));
    value(s.drillAttempts.finish(a.id, 'failed'));
    expect(error(s.drillAttempts.finish(a.id, 'passed')).message).toBe(
      `drill attempt ${a.id} is already finished (failed)`,
    );
    expect(error(s.drillAttempts.finish(a.id, 'won' as never)).message).toMatch(
      /must be one of passed, failed, abandoned/,
    );
    expect(value(s.drillAttempts.list()).length).toBe(1);
  });
});
