/**
 * Labs and their revisions. Every lab document is validated by shared-sim before it is stored;
 * every write is one transaction. `labs.document` always equals the newest revision's document:
 *  - `save` (an explicit save) adds a 'save' revision, kept for good;
 *  - `autosave` adds an 'autosave' revision and keeps only the newest `autosaveLimit` of them;
 *  - `restore` makes an earlier revision current again as a new 'save' revision (nothing is lost).
 */
import type { Db } from '../db';
import { fail, guard, ok, type Clock, type StorageError, type StorageResult } from '../result';
import { validateDocument, type ValidDocument } from '../validate';
import type { Problem } from '../../../shared-sim/src/index';

export const DEFAULT_AUTOSAVE_LIMIT = 20;
export const MAX_NAME_LENGTH = 200;

export type RevisionKind = 'save' | 'autosave';

export interface LabSummary {
  readonly id: string;
  readonly name: string;
  readonly created: number;
  readonly updated: number;
}

export interface LabRecord extends LabSummary {
  /** The lab document (JSON value) as it was last saved or autosaved. */
  readonly document: unknown;
  /** The id of the revision `document` comes from. */
  readonly revision: number;
}

export interface RevisionSummary {
  readonly id: number;
  readonly labId: string;
  readonly kind: RevisionKind;
  readonly created: number;
}

export interface RevisionRecord extends RevisionSummary {
  readonly document: unknown;
}

export interface SaveResult {
  readonly revision: number;
  readonly updated: number;
  /** The validator's warnings (the lab is stored; these are worth showing). */
  readonly warnings: readonly Problem[];
}

export interface LabRepoOptions {
  readonly clock: Clock;
  readonly newId: () => string;
  readonly autosaveLimit?: number;
}

export interface LabRepo {
  create(input: { readonly document: unknown; readonly name?: string }): StorageResult<LabRecord>;
  get(id: string): StorageResult<LabRecord>;
  /** The lab's name and times without its document (cheap after a save). */
  summary(id: string): StorageResult<LabSummary>;
  list(): StorageResult<readonly LabSummary[]>;
  rename(id: string, name: string): StorageResult<LabSummary>;
  save(id: string, document: unknown): StorageResult<SaveResult>;
  autosave(id: string, document: unknown): StorageResult<SaveResult>;
  revisions(id: string): StorageResult<readonly RevisionSummary[]>;
  revision(id: string, revisionId: number): StorageResult<RevisionRecord>;
  restore(id: string, revisionId: number): StorageResult<SaveResult>;
  delete(id: string): StorageResult<{ readonly id: string }>;
}

interface LabRow {
  id: string;
  name: string;
  created: number;
  updated: number;
  document: string;
}

interface RevisionRow {
  id: number;
  lab_id: string;
  kind: RevisionKind;
  created: number;
  document: string;
}

function checkName(name: unknown): StorageResult<string> {
  if (typeof name !== 'string') return fail('invalid-input', 'the lab name must be a string');
  const trimmed = name.trim();
  if (trimmed === '') return fail('invalid-input', 'the lab name must not be empty');
  if (trimmed.length > MAX_NAME_LENGTH)
    return fail(
      'invalid-input',
      `the lab name is too long (${trimmed.length} characters; at most ${MAX_NAME_LENGTH})`,
    );
  return ok(trimmed);
}

const notFound = (id: string): { readonly ok: false; readonly error: StorageError } =>
  fail('not-found', `there is no lab with id ${JSON.stringify(id)} (it may have been deleted)`);

export function createLabRepo(db: Db, opts: LabRepoOptions): LabRepo {
  const autosaveLimit = Math.max(1, opts.autosaveLimit ?? DEFAULT_AUTOSAVE_LIMIT);

  const currentRevision = (labId: string): number =>
    db.get<{ id: number }>('SELECT max(id) AS id FROM revisions WHERE lab_id = ?', labId)?.id ?? 0;

  /** Inside a transaction: the new revision and the lab's current document, together. */
  const writeRevision = (labId: string, kind: RevisionKind, doc: ValidDocument): SaveResult | undefined => {
    const now = opts.clock();
    const updated = db.run('UPDATE labs SET document = ?, updated = ? WHERE id = ?', doc.text, now, labId);
    if (updated.changes === 0) return undefined;
    const { lastInsertRowid } = db.run(
      'INSERT INTO revisions (lab_id, kind, created, document) VALUES (?, ?, ?, ?)',
      labId,
      kind,
      now,
      doc.text,
    );
    if (kind === 'autosave')
      db.run(
        `DELETE FROM revisions WHERE lab_id = ? AND kind = 'autosave' AND id NOT IN
           (SELECT id FROM revisions WHERE lab_id = ? AND kind = 'autosave' ORDER BY id DESC LIMIT ?)`,
        labId,
        labId,
        autosaveLimit,
      );
    return { revision: lastInsertRowid, updated: now, warnings: doc.warnings };
  };

  const store = (
    what: string,
    id: string,
    kind: RevisionKind,
    document: unknown,
  ): StorageResult<SaveResult> =>
    guard(what, () => {
      const valid = validateDocument(document);
      if (!valid.ok) return valid;
      const r = db.transaction(() => writeRevision(id, kind, valid.value));
      return r ? ok(r) : notFound(id);
    });

  return {
    create: (input) =>
      guard('create the lab', () => {
        const valid = validateDocument(input.document);
        if (!valid.ok) return valid;
        const name = checkName(input.name ?? valid.value.name);
        if (!name.ok) return name;
        const id = opts.newId();
        const now = opts.clock();
        const revision = db.transaction(() => {
          db.run(
            'INSERT INTO labs (id, name, created, updated, document) VALUES (?, ?, ?, ?, ?)',
            id,
            name.value,
            now,
            now,
            valid.value.text,
          );
          return db.run(
            "INSERT INTO revisions (lab_id, kind, created, document) VALUES (?, 'save', ?, ?)",
            id,
            now,
            valid.value.text,
          ).lastInsertRowid;
        });
        return ok({ id, name: name.value, created: now, updated: now, document: input.document, revision });
      }),

    get: (id) =>
      guard('open the lab', () => {
        const row = db.get<LabRow>('SELECT id, name, created, updated, document FROM labs WHERE id = ?', id);
        if (!row) return notFound(id);
        return ok({
          id: row.id,
          name: row.name,
          created: row.created,
          updated: row.updated,
          document: JSON.parse(row.document) as unknown,
          revision: currentRevision(id),
        });
      }),

    summary: (id) =>
      guard('read the lab', () => {
        const row = db.get<LabSummary>('SELECT id, name, created, updated FROM labs WHERE id = ?', id);
        return row ? ok(row) : notFound(id);
      }),

    list: () =>
      guard('list the labs', () =>
        ok(db.all<LabSummary>('SELECT id, name, created, updated FROM labs ORDER BY updated DESC, name, id')),
      ),

    rename: (id, newName) =>
      guard('rename the lab', () => {
        const name = checkName(newName);
        if (!name.ok) return name;
        const now = opts.clock();
        const row = db.transaction(() => {
          db.run('UPDATE labs SET name = ?, updated = ? WHERE id = ?', name.value, now, id);
          return db.get<LabSummary>('SELECT id, name, created, updated FROM labs WHERE id = ?', id);
        });
        return row ? ok(row) : notFound(id);
      }),

    save: (id, document) => store('save the lab', id, 'save', document),
    autosave: (id, document) => store('autosave the lab', id, 'autosave', document),

    revisions: (id) =>
      guard('list the lab’s revisions', () => {
        if (!db.get('SELECT 1 FROM labs WHERE id = ?', id)) return notFound(id);
        return ok(
          db.all<RevisionSummary>(
            'SELECT id, lab_id AS labId, kind, created FROM revisions WHERE lab_id = ? ORDER BY id DESC',
            id,
          ),
        );
      }),

    revision: (id, revisionId) =>
      guard('open the revision', () => {
        const row = db.get<RevisionRow>(
          'SELECT id, lab_id, kind, created, document FROM revisions WHERE id = ? AND lab_id = ?',
          revisionId,
          id,
        );
        if (!row) {
          if (!db.get('SELECT 1 FROM labs WHERE id = ?', id)) return notFound(id);
          return fail(
            'not-found',
            `lab ${JSON.stringify(id)} has no revision ${revisionId} (autosaves beyond the newest ${autosaveLimit} are discarded)`,
          );
        }
        return ok({
          id: row.id,
          labId: row.lab_id,
          kind: row.kind,
          created: row.created,
          document: JSON.parse(row.document) as unknown,
        });
      }),

    restore(id, revisionId) {
      const rev = this.revision(id, revisionId);
      if (!rev.ok) return rev;
      return store('restore the revision', id, 'save', rev.value.document);
    },

    delete: (id) =>
      guard('delete the lab', () => {
        // revisions go with it (ON DELETE CASCADE); drill attempts keep their history (SET NULL)
        const r = db.transaction(() => db.run('DELETE FROM labs WHERE id = ?', id));
        return r.changes === 0 ? notFound(id) : ok({ id });
      }),
  };
}
