import type { Db } from '../db';

/** Indexes for the bounded lists: autosave pruning per lab, recent files and drill attempts by time. */
export function up(db: Db): void {
  db.exec(`
    CREATE INDEX revisions_by_lab_kind ON revisions(lab_id, kind, id);
    CREATE INDEX recent_files_by_opened ON recent_files(opened);
    CREATE INDEX drill_attempts_by_lab ON drill_attempts(lab_id, started);
    CREATE INDEX labs_by_updated ON labs(updated);
  `);
}
