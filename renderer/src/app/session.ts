/**
 * The lab session: opening, creating, importing, saving and autosaving labs through the platform
 * API (Electron preload or the web host), the unsaved-changes prompt, and the preferences kept in
 * settings. Implements the SessionApi the file actions call.
 */
import type { LabRecord, LabSummary, PodpathApi } from '../../../main/ipc/contract';
import type { SessionApi } from '../actions/types';
import { defaultLanguage, setLanguage, t } from '../i18n';
import { isObject, type LabDoc } from '../model/labDoc';
import { newLabDocument } from '../model/ops';
import type { EditorStore, Prefs } from '../model/store';

export const AUTOSAVE_DELAY_MS = 1200;
const DRAFT_PREFIX = 'podpath.draft.';

export interface SessionOptions {
  readonly store: EditorStore;
  readonly api: PodpathApi;
  /** Asks the user for a file's text (a hidden <input type=file>); undefined when cancelled. */
  readonly pickFile?: (accept: string) => Promise<string | undefined>;
  /** Offers text as a download. */
  readonly download?: (fileName: string, text: string) => void;
  readonly openCommandPalette?: () => void;
  readonly autosaveDelayMs?: number;
}

export class LabSession implements SessionApi {
  private readonly store: EditorStore;
  private readonly api: PodpathApi;
  private autosaveTimer: ReturnType<typeof setTimeout> | undefined;
  /** The revision the last explicit save (or the open) stored: "Don't save" goes back to it. */
  private baseRevision: number | undefined;
  private lastStored: LabDoc | undefined;
  private saving: Promise<void> | undefined;
  labs: readonly LabSummary[] = [];
  private readonly labListeners = new Set<() => void>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly opts: SessionOptions) {
    this.store = opts.store;
    this.api = opts.api;
    this.start();
  }

  /** Watches the document for autosave (again after dispose(): React may mount twice). */
  start(): void {
    this.unsubscribe ??= this.store.subscribe((s, prev) => {
      if (s.doc !== prev.doc && s.labId !== undefined && s.labId === prev.labId) this.scheduleAutosave();
    });
  }

  dispose(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.autosaveTimer !== undefined) clearTimeout(this.autosaveTimer);
  }

  // -------------------------------------------------------------------------------------------
  // preferences

  async loadPrefs(): Promise<void> {
    const r = await this.api.settings.get();
    const s = r.ok ? r.value : {};
    const language = s['language'] === 'zh' || s['language'] === 'en' ? s['language'] : defaultLanguage();
    const theme =
      s['theme'] === 'dark' || s['theme'] === 'light'
        ? s['theme']
        : typeof matchMedia !== 'undefined' && matchMedia('(prefers-color-scheme: dark)').matches
          ? 'dark'
          : 'light';
    const snapToGrid = typeof s['snapToGrid'] === 'boolean' ? s['snapToGrid'] : true;
    this.applyPrefs({ language, theme, snapToGrid });
  }

  private applyPrefs(prefs: Prefs): void {
    setLanguage(prefs.language);
    if (typeof document !== 'undefined') document.documentElement.dataset['theme'] = prefs.theme;
    this.store.set({ prefs });
  }

  setPref<K extends keyof Prefs>(key: K, value: Prefs[K]): void {
    this.applyPrefs({ ...this.store.getState().prefs, [key]: value });
    void this.api.settings.set({ key, value });
  }

  openCommandPalette(): void {
    this.opts.openCommandPalette?.();
  }

  // -------------------------------------------------------------------------------------------
  // the lab list

  onLabsChanged(listener: () => void): () => void {
    this.labListeners.add(listener);
    return () => this.labListeners.delete(listener);
  }

  async refreshLabs(): Promise<void> {
    const r = await this.api.labs.list();
    if (r.ok) {
      this.labs = r.value;
      for (const l of this.labListeners) l();
    } else this.error(r.error);
  }

  // -------------------------------------------------------------------------------------------
  // open / new / import

  private enter(record: LabRecord): void {
    const saved = record.document as LabDoc;
    const draft = readDraft(record.id);
    this.baseRevision = record.revision;
    this.lastStored = saved;
    this.store.load(draft ?? saved, {
      screen: 'editor',
      labId: record.id,
      savedDoc: saved,
      save: draft ? { status: 'invalid' } : { status: 'saved' },
      notice: undefined,
    });
  }

  async openLab(id: string): Promise<void> {
    if (!(await this.confirmLeave())) return;
    const r = await this.api.labs.get({ id });
    if (!r.ok) return this.error(r.error, t('dialog.openFailed'));
    this.enter(r.value);
  }

  async newLab(): Promise<void> {
    if (!(await this.confirmLeave())) return;
    const name = uniqueLabName(this.labs, t('start.newLab'));
    const r = await this.api.labs.create({ name, document: newLabDocument(name) });
    if (!r.ok) return this.error(r.error);
    this.enter(r.value);
    void this.refreshLabs();
  }

  /** Creates a lab from a built-in example (a copy: the example itself never changes). */
  async openExample(doc: LabDoc): Promise<void> {
    if (!(await this.confirmLeave())) return;
    const name = uniqueLabName(
      this.labs,
      typeof doc.name === 'string' && doc.name ? doc.name : t('start.newLab'),
    );
    const r = await this.api.labs.create({ name, document: { ...doc, name } });
    if (!r.ok) return this.error(r.error);
    this.enter(r.value);
    void this.refreshLabs();
  }

  async importFile(format: 'podlab' | 'yaml'): Promise<void> {
    if (!this.opts.pickFile) return;
    const text = await this.opts.pickFile(
      format === 'yaml' ? '.yaml,.yml,application/yaml' : '.json,.podlab.json,application/json',
    );
    if (text === undefined) return;
    await this.importText(text, format);
  }

  async importText(text: string, format: 'podlab' | 'yaml'): Promise<void> {
    if (!(await this.confirmLeave())) return;
    const r = await this.api.files.importLab({ kind: 'text', text, format });
    if (!r.ok) return this.error(r.error, t('dialog.importFailed'));
    this.enter(r.value);
    void this.refreshLabs();
  }

  async deleteLab(id: string): Promise<void> {
    const r = await this.api.labs.delete({ id });
    if (!r.ok) this.error(r.error);
    clearDraft(id);
    await this.refreshLabs();
  }

  async showStart(): Promise<void> {
    if (!(await this.confirmLeave())) return;
    this.store.set({ screen: 'start' });
    await this.refreshLabs();
  }

  async close(): Promise<void> {
    if (!(await this.confirmLeave())) return;
    this.store.load(newLabDocument(''), {
      screen: 'start',
      labId: undefined,
      savedDoc: undefined,
      save: { status: 'idle' },
    });
    await this.refreshLabs();
  }

  exportLab(): Promise<void> {
    const s = this.store.getState();
    const name = (typeof s.doc.name === 'string' && s.doc.name) || 'lab';
    const fileName = `${name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'lab'}.podlab.json`;
    this.opts.download?.(fileName, JSON.stringify(s.doc, null, 2) + '\n');
    return Promise.resolve();
  }

  // -------------------------------------------------------------------------------------------
  // save / autosave

  async save(): Promise<void> {
    await this.flushing();
    const s = this.store.getState();
    if (s.labId === undefined) return;
    this.cancelAutosave();
    const doc = s.doc;
    this.store.set({ save: { status: 'saving' } });
    const r = await this.api.labs.save({ id: s.labId, document: doc });
    if (!r.ok) {
      this.store.set({ save: { status: 'error', message: r.error } });
      return;
    }
    this.baseRevision = r.value.revision;
    this.lastStored = doc;
    clearDraft(s.labId);
    this.store.set({ savedDoc: doc, save: { status: 'saved' } });
    void this.refreshLabs();
  }

  private cancelAutosave(): void {
    if (this.autosaveTimer !== undefined) clearTimeout(this.autosaveTimer);
    this.autosaveTimer = undefined;
  }

  private scheduleAutosave(): void {
    this.cancelAutosave();
    if (this.store.getState().save.status !== 'pending') this.store.set({ save: { status: 'pending' } });
    this.autosaveTimer = setTimeout(() => {
      this.autosaveTimer = undefined;
      void this.autosave();
    }, this.opts.autosaveDelayMs ?? AUTOSAVE_DELAY_MS);
  }

  private async flushing(): Promise<void> {
    if (this.saving) await this.saving;
  }

  /** Stores the current document now (if it changed since it was last stored). */
  async autosave(): Promise<void> {
    await this.flushing();
    const s = this.store.getState();
    if (s.labId === undefined || s.doc === this.lastStored) return;
    const id = s.labId;
    const doc = s.doc;
    const run = (async () => {
      const r = await this.api.labs.autosave({ id, document: doc });
      if (r.ok) {
        this.lastStored = doc;
        clearDraft(id);
        if (this.store.getState().doc === doc) this.store.set({ save: { status: 'saved' } });
      } else if (r.error.includes('invalid')) {
        // never lose work: an invalid document cannot be stored, so keep it as a local draft
        writeDraft(id, doc);
        this.store.set({ save: { status: 'invalid', message: r.error } });
      } else {
        this.store.set({ save: { status: 'error', message: r.error } });
      }
    })();
    this.saving = run;
    await run;
    this.saving = undefined;
  }

  /** Flushes a pending autosave (before the window goes away). */
  async flush(): Promise<void> {
    if (this.autosaveTimer !== undefined) {
      this.cancelAutosave();
      await this.autosave();
    }
  }

  get dirty(): boolean {
    const s = this.store.getState();
    return s.labId !== undefined && s.savedDoc !== s.doc;
  }

  /**
   * The unsaved-changes prompt: Save stores the document; Don't save puts the lab back to the
   * revision it had when opened or last saved (autosaves stay in its history); Cancel stays.
   */
  async confirmLeave(): Promise<boolean> {
    if (!this.dirty) return true;
    const s = this.store.getState();
    const name = (typeof s.doc.name === 'string' && s.doc.name) || '';
    const answer = await new Promise<'save' | 'discard' | 'cancel' | 'ok'>((resolve) => {
      this.store.set({
        dialog: {
          kind: 'unsaved',
          title: t('dialog.unsavedTitle'),
          message: t('dialog.unsavedMessage', { name }),
          resolve: (a) => {
            this.store.set({ dialog: undefined });
            resolve(a);
          },
        },
      });
    });
    if (answer === 'cancel') return false;
    if (answer === 'save') {
      await this.save();
      return this.store.getState().save.status === 'saved';
    }
    this.cancelAutosave();
    await this.flushing();
    if (s.labId !== undefined) {
      clearDraft(s.labId);
      if (this.lastStored !== s.savedDoc && this.baseRevision !== undefined)
        await this.api.labs.restore({ id: s.labId, revision: this.baseRevision });
    }
    this.store.set({ savedDoc: this.store.getState().doc });
    return true;
  }

  private error(message: string, title = t('dialog.openFailed')): void {
    this.store.set({
      dialog: {
        kind: 'error',
        title,
        message,
        resolve: () => this.store.set({ dialog: undefined }),
      },
    });
  }
}

function uniqueLabName(labs: readonly LabSummary[], base: string): string {
  const taken = new Set(labs.map((l) => l.name));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base} ${i}`)) return `${base} ${i}`;
}

function storage(): Storage | undefined {
  try {
    return typeof localStorage !== 'undefined' ? localStorage : undefined;
  } catch {
    return undefined;
  }
}

function readDraft(id: string): LabDoc | undefined {
  const text = storage()?.getItem(DRAFT_PREFIX + id);
  if (!text) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) && typeof v['podpath'] === 'number' ? (v as LabDoc) : undefined;
  } catch {
    return undefined;
  }
}

function writeDraft(id: string, doc: LabDoc): void {
  try {
    storage()?.setItem(DRAFT_PREFIX + id, JSON.stringify(doc));
  } catch {
    // quota exceeded: nothing more can be done here
  }
}

function clearDraft(id: string): void {
  storage()?.removeItem(DRAFT_PREFIX + id);
}
