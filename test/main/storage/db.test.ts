import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { defaultDataDir, openDb, resolveDbPath } from '../../../main/storage/db';
import { SCHEMA_VERSION } from '../../../main/storage/migrations/index';
import { error, tempDir, value } from './helpers';

describe('where the database lives', () => {
  it('PODPATH_DB wins over everything', () => {
    expect(resolveDbPath({ env: { PODPATH_DB: '/srv/x.db' }, userDataDir: '/ud' })).toBe('/srv/x.db');
  });
  it("Electron's userData directory when given", () => {
    expect(resolveDbPath({ env: {}, userDataDir: '/home/a/.config/Podpath' })).toBe(
      '/home/a/.config/Podpath/podpath.db',
    );
  });
  it('the platform data directory otherwise', () => {
    const home = '/home/ann';
    expect(resolveDbPath({ env: {}, platform: 'linux', homeDir: home })).toBe(
      '/home/ann/.local/share/podpath/podpath.db',
    );
    expect(defaultDataDir({ env: { XDG_DATA_HOME: '/xdg' }, platform: 'linux', homeDir: home })).toBe(
      '/xdg/podpath',
    );
    // a relative XDG_DATA_HOME is invalid per the spec and ignored
    expect(defaultDataDir({ env: { XDG_DATA_HOME: 'rel' }, platform: 'linux', homeDir: home })).toBe(
      '/home/ann/.local/share/podpath',
    );
    expect(defaultDataDir({ env: {}, platform: 'darwin', homeDir: '/Users/ann' })).toBe(
      '/Users/ann/Library/Application Support/Podpath',
    );
    expect(
      defaultDataDir({
        env: { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' },
        platform: 'win32',
        homeDir: 'C:\\Users\\ann',
      }),
    ).toBe('C:\\Users\\ann\\AppData\\Roaming\\Podpath');
    expect(defaultDataDir({ env: {}, platform: 'win32', homeDir: 'C:\\Users\\ann' })).toBe(
      'C:\\Users\\ann\\AppData\\Roaming\\Podpath',
    );
  });
});

describe('openDb', () => {
  it('creates the directory and sets WAL, foreign keys, busy timeout and synchronous NORMAL', () => {
    const file = path.join(tempDir(), 'deep', 'er', 'podpath.db');
    const db = value(openDb(file));
    expect(fs.existsSync(file)).toBe(true);
    expect(db.pragmaValue('journal_mode')).toBe('wal');
    expect(db.pragmaValue('foreign_keys')).toBe(1);
    expect(db.pragmaValue('busy_timeout')).toBe(5000);
    expect(db.pragmaValue('synchronous')).toBe(1); // NORMAL
    expect(db.pragmaValue('user_version')).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('refuses a database from a newer Podpath without touching it', () => {
    const file = path.join(tempDir(), 'newer.db');
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const e = error(openDb(file));
    expect(e.message).toMatch(/written by a newer Podpath \(schema version 3; this Podpath knows up to 2\)/);
    const again = new Database(file);
    expect(again.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
    expect(again.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toEqual({
      n: 0,
    });
    again.close();
  });

  it('refuses a file that is not a database with a clear message', () => {
    const file = path.join(tempDir(), 'text.db');
    fs.writeFileSync(
      file,
      'this is not a database, just some text that is long enough to have a header\n'.repeat(20),
    );
    const e = error(openDb(file));
    expect(e.code).toBe('database');
    expect(e.message).toMatch(
      /^could not open the lab database .*text\.db: the database file is damaged or is not a Podpath database/,
    );
    expect(e.message).not.toMatch(/\n\s+at /);
  });

  it('reports a directory it cannot create', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'file'), '');
    const e = error(openDb(path.join(dir, 'file', 'sub', 'podpath.db')));
    expect(e.code).toBe('io');
    expect(e.message).toMatch(/^could not open the lab database .*: /);
  });
});
