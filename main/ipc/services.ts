/**
 * What the API handlers need from the Node side. The SQLite storage (main/storage/**) is wired to
 * this interface by the shell and the web host; tests use an in-memory fake.
 *
 * Every method returns a result envelope (or a promise of one): an expected failure — unknown lab,
 * invalid document (with the validator's message), unreadable file — is `{ ok: false, error }`.
 * A thrown exception is treated as an internal error by dispatch() and never reaches the caller
 * with its stack.
 */
import type {
  ExportedLab,
  LabDocument,
  LabRecord,
  LabSummary,
  RecentFile,
  RevisionSummary,
  SettingValue,
  Settings,
  YamlImportReport,
} from './contract';

export type ServiceResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };
export type MaybePromise<T> = T | Promise<T>;
type Out<T> = MaybePromise<ServiceResult<T>>;

export interface LabService {
  list(): Out<readonly LabSummary[]>;
  get(id: string): Out<LabRecord>;
  /** `document` absent: a new empty lab named `name`. */
  create(name: string, document?: LabDocument): Out<LabRecord>;
  save(id: string, document: LabDocument): Out<LabRecord>;
  autosave(id: string, document: LabDocument): Out<LabRecord>;
  rename(id: string, name: string): Out<LabSummary>;
  delete(id: string): Out<null>;
  revisions(id: string): Out<readonly RevisionSummary[]>;
  restore(id: string, revision: number): Out<LabRecord>;
  /** Merges Kubernetes YAML into the lab's objects and saves it (nothing saved on any error). */
  importYaml(id: string, text: string): Out<YamlImportReport>;
  exportYaml(id: string): Out<ExportedLab>;
}

export interface SettingsService {
  get(): Out<Settings>;
  set(key: string, value: SettingValue): Out<Settings>;
}

export type ImportSource =
  | { readonly kind: 'path'; readonly path: string; readonly name?: string }
  | {
      readonly kind: 'text';
      readonly text: string;
      readonly format: 'podlab' | 'yaml';
      readonly name?: string;
    };

export type ExportTarget = { readonly kind: 'path'; readonly path: string } | { readonly kind: 'text' };

export interface FileService {
  recent(): Out<readonly RecentFile[]>;
  importLab(source: ImportSource): Out<LabRecord>;
  exportLab(id: string, target: ExportTarget): Out<ExportedLab>;
}

export interface PodpathServices {
  readonly labs: LabService;
  readonly settings: SettingsService;
  readonly files: FileService;
}
