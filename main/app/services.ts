/**
 * The one adapter between lab storage (main/storage/**, SQLite) and the API contract
 * (main/ipc/services.ts). The Electron shell and the web host both serve `createAppServices()`, so
 * the same calls behave the same under either host. It translates:
 *  - storage times (milliseconds) into the contract's ISO 8601 strings,
 *  - storage errors (`{ code, message, problems }`) into the contract's error sentence,
 *  - storage's save results (`{ revision, updated }`) into the contract's full `LabRecord`,
 *  - and adds what storage does not know: Kubernetes YAML import/export (shared-sim).
 */
import fs from 'node:fs';
import path from 'node:path';
import { importYaml, labObjectsToYaml, MAX_YAML_CHARS, type YamlProblem } from '../../shared-sim/src/index';
import type {
  ExportedLab,
  LabDocument,
  LabRecord,
  LabSummary,
  RecentFile,
  RevisionSummary,
  SettingValue,
  Settings,
} from '../ipc/contract';
import type { ImportSource, PodpathServices, ServiceResult } from '../ipc/services';
import { exportLabFile, importLabFile, labFileText, LAB_FILE_EXTENSION } from '../storage/files';
import type { LabRecord as StoredLab, LabSummary as StoredSummary } from '../storage/repos/labRepo';
import type { StorageResult } from '../storage/result';
import { openStorage, type Storage, type StorageOptions } from '../storage/storage';
import { validateDocumentText } from '../storage/validate';

const iso = (ms: number): string => new Date(ms).toISOString();

const ok = <T>(value: T): ServiceResult<T> => ({ ok: true, value });
const fail = (error: string): ServiceResult<never> => ({ ok: false, error });

/** A storage result as a contract result: the storage message is already a user-facing sentence. */
function out<T, U>(r: StorageResult<T>, map: (value: T) => U): ServiceResult<U> {
  return r.ok ? ok(map(r.value)) : fail(r.error.message);
}

const summary = (s: StoredSummary): LabSummary => ({
  id: s.id,
  name: s.name,
  created: iso(s.created),
  updated: iso(s.updated),
});

const record = (r: StoredLab): LabRecord => ({
  ...summary(r),
  document: r.document as LabDocument,
  revision: r.revision,
});

/** An empty lab: what File › New starts from. */
export function emptyLabDocument(name: string): LabDocument {
  return { podpath: 1, name };
}

/** A file name for a lab (`Two racks, BGP` → `Two racks, BGP.podlab.json`): no path separators or controls. */
export function labFileName(name: string, extension: string): string {
  const base = name
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]+/g, '-')
    .replace(/^[\s.]+|[\s.]+$/g, '')
    .slice(0, 100);
  return `${base === '' ? 'lab' : base}${extension}`;
}

function yamlError(problems: readonly YamlProblem[]): string {
  const errors = problems.filter((p) => p.severity === 'error');
  return `the YAML was not imported: ${errors.map((p) => p.message).join('; ')}`;
}

const YAML_EXTENSIONS = ['.yaml', '.yml'];

export function createAppServices(storage: Storage): PodpathServices {
  const labs = storage.labs;

  /** After a save: the lab as the contract returns it (the document is the one just stored). */
  const afterSave = (
    id: string,
    document: LabDocument,
    saved: StorageResult<{ revision: number }>,
  ): ServiceResult<LabRecord> => {
    if (!saved.ok) return fail(saved.error.message);
    return out(labs.summary(id), (s) => ({ ...summary(s), document, revision: saved.value.revision }));
  };

  /** A new lab from Kubernetes YAML alone (File › Import YAML without an open lab). */
  const createFromYaml = (text: string, name: string): ServiceResult<LabRecord> => {
    const r = importYaml(emptyLabDocument(name), text);
    if (!r.ok) return fail(yamlError(r.problems));
    return out(labs.create({ document: r.document, name }), record);
  };

  const importLab = (source: ImportSource): ServiceResult<LabRecord> => {
    if (source.kind === 'text') {
      if (source.format === 'yaml') return createFromYaml(source.text, source.name ?? 'Imported YAML');
      const valid = validateDocumentText(source.text);
      if (!valid.ok) return fail(valid.error.message);
      const document = JSON.parse(valid.value.text) as LabDocument;
      return out(labs.create({ document, ...(source.name ? { name: source.name } : {}) }), record);
    }
    const file = source.path;
    const ext = path.extname(file).toLowerCase();
    if (YAML_EXTENSIONS.includes(ext)) {
      let text: string;
      try {
        const st = fs.statSync(file);
        if (!st.isFile()) return fail(`could not read ${file}: it is not a file`);
        if (st.size > MAX_YAML_CHARS * 4)
          return fail(`could not read ${file}: it is ${st.size} bytes, too large to import`);
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        return fail(`could not read ${file}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const created = createFromYaml(text, source.name ?? path.basename(file, ext));
      if (created.ok) storage.recentFiles.add(path.resolve(file)); // best effort
      return created;
    }
    const imported = importLabFile(storage, file);
    if (!imported.ok) return fail(imported.error.message);
    if (source.name !== undefined && source.name !== imported.value.name) {
      const renamed = labs.rename(imported.value.id, source.name);
      if (!renamed.ok) return fail(renamed.error.message);
      return ok({ ...record(imported.value), ...summary(renamed.value) });
    }
    return ok(record(imported.value));
  };

  return {
    labs: {
      list: () => out(labs.list(), (list) => list.map(summary)),
      get: (id) => out(labs.get(id), record),
      create: (name, document) =>
        out(labs.create({ document: document ?? emptyLabDocument(name), name }), record),
      save: (id, document) => afterSave(id, document, labs.save(id, document)),
      autosave: (id, document) => afterSave(id, document, labs.autosave(id, document)),
      rename: (id, name) => out(labs.rename(id, name), summary),
      delete: (id) => out(labs.delete(id), () => null),
      revisions: (id) => {
        const lab = labs.summary(id);
        if (!lab.ok) return fail(lab.error.message);
        return out(labs.revisions(id), (list) =>
          list.map((r): RevisionSummary => ({
            labId: r.labId,
            revision: r.id,
            kind: r.kind,
            name: lab.value.name,
            created: iso(r.created),
          })),
        );
      },
      restore: (id, revision) => {
        const restored = labs.restore(id, revision);
        if (!restored.ok) return fail(restored.error.message);
        return out(labs.get(id), record);
      },
      importYaml: (id, text) => {
        const lab = labs.get(id);
        if (!lab.ok) return fail(lab.error.message);
        const r = importYaml(lab.value.document, text);
        if (!r.ok) return fail(yamlError(r.problems));
        const saved = afterSave(id, r.document, labs.save(id, r.document));
        if (!saved.ok) return saved;
        return ok({ lab: saved.value, added: r.added, replaced: r.replaced, warnings: r.warnings });
      },
      exportYaml: (id) =>
        out(labs.get(id), (lab): ExportedLab => ({
          fileName: labFileName(lab.name, '.yaml'),
          text: labObjectsToYaml(lab.document),
        })),
    },
    settings: {
      get: () => out(storage.settings.all(), (all) => all as Settings),
      set: (key: string, value: SettingValue) => {
        const set = storage.settings.set(key, value);
        if (!set.ok) return fail(set.error.message);
        return out(storage.settings.all(), (all) => all as Settings);
      },
    },
    files: {
      recent: () =>
        out(storage.recentFiles.list(), (list) =>
          list.map((f): RecentFile => ({ path: f.path, opened: iso(f.opened) })),
        ),
      importLab,
      exportLab: (id, target) => {
        const lab = labs.get(id);
        if (!lab.ok) return fail(lab.error.message);
        const fileName = labFileName(lab.value.name, LAB_FILE_EXTENSION);
        const text = labFileText(lab.value);
        if (target.kind === 'text') return ok({ fileName, text });
        const written = exportLabFile(storage, id, target.path);
        if (!written.ok) return fail(written.error.message);
        return ok({ fileName, text, path: written.value.path });
      },
    },
  };
}

export interface AppServices {
  readonly services: PodpathServices;
  readonly storage: Storage;
  /** The database file in use. */
  readonly dbPath: string;
  close(): void;
}

/**
 * Opens the lab database (Electron: `{ userDataDir: app.getPath('userData') }`; without Electron:
 * the per-user data directory, or `PODPATH_DB`) and the services over it.
 */
export function openAppServices(options: StorageOptions = {}): ServiceResult<AppServices> {
  const opened = openStorage(options);
  if (!opened.ok) return fail(opened.error.message);
  const storage = opened.value;
  return ok({
    services: createAppServices(storage),
    storage,
    dbPath: storage.path,
    close: () => storage.close(),
  });
}
