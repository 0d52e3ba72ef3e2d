/** Drill attempts: when a student started a drill on a lab, when they finished and how it went. */
import type { Db } from '../db';
import { fail, guard, ok, type Clock, type StorageResult } from '../result';

export type DrillResult = 'passed' | 'failed' | 'abandoned';
const RESULTS: readonly DrillResult[] = ['passed', 'failed', 'abandoned'];

export interface DrillAttempt {
  readonly id: number;
  /** `null` when the attempt was not on a stored lab, or the lab was deleted since. */
  readonly labId: string | null;
  readonly drill: string;
  readonly started: number;
  readonly finished: number | null;
  readonly result: DrillResult | null;
}

export interface DrillAttemptsRepo {
  start(input: { readonly drill: string; readonly labId?: string | null }): StorageResult<DrillAttempt>;
  finish(id: number, result: DrillResult): StorageResult<DrillAttempt>;
  get(id: number): StorageResult<DrillAttempt>;
  /** Newest first; optionally only one lab's or one drill's attempts. */
  list(filter?: { readonly labId?: string; readonly drill?: string }): StorageResult<readonly DrillAttempt[]>;
}

const COLUMNS = 'id, lab_id AS labId, drill, started, finished, result';

export function createDrillAttemptsRepo(db: Db, opts: { readonly clock: Clock }): DrillAttemptsRepo {
  const read = (id: number): DrillAttempt | undefined =>
    db.get<DrillAttempt>(`SELECT ${COLUMNS} FROM drill_attempts WHERE id = ?`, id);
  const notFound = (id: number) => fail('not-found', `there is no drill attempt ${id}`);

  return {
    start: (input) =>
      guard('start the drill attempt', () => {
        if (typeof input.drill !== 'string' || input.drill.trim() === '')
          return fail('invalid-input', 'the drill name must be a non-empty string');
        const labId = input.labId ?? null;
        const now = opts.clock();
        const row = db.transaction(() => {
          if (labId !== null && !db.get('SELECT 1 FROM labs WHERE id = ?', labId)) return undefined;
          const { lastInsertRowid } = db.run(
            'INSERT INTO drill_attempts (lab_id, drill, started) VALUES (?, ?, ?)',
            labId,
            input.drill,
            now,
          );
          return read(lastInsertRowid);
        });
        return row
          ? ok(row)
          : fail('not-found', `there is no lab with id ${JSON.stringify(labId)} to attempt the drill on`);
      }),
    finish: (id, result) =>
      guard('finish the drill attempt', () => {
        if (!RESULTS.includes(result))
          return fail(
            'invalid-input',
            `the drill result ${JSON.stringify(result)} must be one of ${RESULTS.join(', ')}`,
          );
        const now = opts.clock();
        return db.transaction(() => {
          const row = read(id);
          if (!row) return notFound(id);
          if (row.finished !== null)
            return fail(
              'invalid-input',
              `drill attempt ${id} is already finished (${row.result ?? 'no result'})`,
            );
          db.run('UPDATE drill_attempts SET finished = ?, result = ? WHERE id = ?', now, result, id);
          return ok({ ...row, finished: now, result });
        });
      }),
    get: (id) =>
      guard('read the drill attempt', () => {
        const row = read(id);
        return row ? ok(row) : notFound(id);
      }),
    list: (filter = {}) =>
      guard('list the drill attempts', () => {
        const where: string[] = [];
        const params: string[] = [];
        if (filter.labId !== undefined) {
          where.push('lab_id = ?');
          params.push(filter.labId);
        }
        if (filter.drill !== undefined) {
          where.push('drill = ?');
          params.push(filter.drill);
        }
        const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
        return ok(
          db.all<DrillAttempt>(
            `SELECT ${COLUMNS} FROM drill_attempts ${clause} ORDER BY started DESC, id DESC`,
            ...params,
          ),
        );
      }),
  };
}
