import type { Db } from '../db';

/**
 * The first schema. Times are milliseconds since the epoch (the injected clock); documents are
 * lab JSON text (CONTRACT.md §1) exactly as saved, validated before they were stored.
 * `labs.document` is always the document of the lab's newest revision.
 */
export function up(db: Db): void {
  db.exec(`
    CREATE TABLE labs (
      id       TEXT    PRIMARY KEY NOT NULL,
      name     TEXT    NOT NULL,
      created  INTEGER NOT NULL,
      updated  INTEGER NOT NULL,
      document TEXT    NOT NULL
    );
    CREATE TABLE revisions (
      id       INTEGER PRIMARY KEY AUTOINCREMENT,
      lab_id   TEXT    NOT NULL REFERENCES labs(id) ON DELETE CASCADE,
      kind     TEXT    NOT NULL CHECK (kind IN ('save', 'autosave')),
      created  INTEGER NOT NULL,
      document TEXT    NOT NULL
    );
    CREATE INDEX revisions_by_lab ON revisions(lab_id, id);
    CREATE TABLE settings (
      key   TEXT PRIMARY KEY NOT NULL,
      value TEXT NOT NULL
    );
    CREATE TABLE recent_files (
      path   TEXT    PRIMARY KEY NOT NULL,
      opened INTEGER NOT NULL
    );
    CREATE TABLE drill_attempts (
      id       INTEGER PRIMARY KEY AUTOINCREMENT,
      lab_id   TEXT    REFERENCES labs(id) ON DELETE SET NULL,
      drill    TEXT    NOT NULL,
      started  INTEGER NOT NULL,
      finished INTEGER,
      result   TEXT
    );
  `);
}
