/**
 * The editor's store: the lab document (the single source of truth), the selection, history and
 * derived data. It lives outside React (components subscribe with `useEditor`); the canvas patches
 * cytoscape from it; actions are the only code that changes the document.
 */
import { useSyncExternalStore } from 'react';
import { EMPTY_DERIVED, type Derived } from './derive';
import { History, type Capture } from './history';
import { hasElement, parseElementRef, type LabDoc } from './labDoc';
import { newLabDocument } from './ops';

export type InspectorTab = 'properties' | 'yaml' | 'cluster' | 'problems';

export type SaveStatus = 'idle' | 'pending' | 'saving' | 'saved' | 'invalid' | 'error';

export interface Prefs {
  readonly snapToGrid: boolean;
  readonly theme: 'light' | 'dark';
  readonly language: 'en' | 'zh';
}

/** A modal question (the unsaved-changes prompt and friends). */
export interface Dialog {
  readonly kind: 'unsaved' | 'confirm' | 'error';
  readonly title: string;
  readonly message: string;
  /** Resolves the question: 'save' | 'discard' | 'cancel' | 'ok'. */
  readonly resolve: (answer: 'save' | 'discard' | 'cancel' | 'ok') => void;
}

export interface EditorState {
  readonly screen: 'start' | 'editor';
  readonly labId: string | undefined;
  readonly doc: LabDoc;
  /** Element refs (`node/node-1`, `pod/default/web`), in the order they were selected. */
  readonly selection: readonly string[];
  /** The document as last explicitly saved (the unsaved-changes prompt compares with it). */
  readonly savedDoc: LabDoc | undefined;
  readonly save: { readonly status: SaveStatus; readonly message?: string };
  readonly derived: Derived;
  /** Derived data is being recomputed for the current document. */
  readonly deriving: boolean;
  readonly prefs: Prefs;
  /** Connect mode: the device (router/node/client ref) waiting for a network to be clicked. */
  readonly connectFrom: string | undefined;
  readonly dialog: Dialog | undefined;
  /** A short message in the status bar (already translated). */
  readonly notice: { readonly text: string; readonly kind: 'info' | 'error' } | undefined;
  /** The inspector's open tab. */
  readonly inspectorTab: InspectorTab;
  /** Increases on every document change (cheap change detection for subscribers). */
  readonly version: number;
}

export interface UpdateOptions {
  readonly capture?: Capture;
  readonly mergeKey?: string;
  /** Selection after the change (default: kept, minus elements that no longer exist). */
  readonly select?: readonly string[];
}

type Listener = (state: EditorState, prev: EditorState) => void;

export class EditorStore {
  private state: EditorState;
  private readonly listeners = new Set<Listener>();
  readonly history = new History();

  constructor(initial?: Partial<EditorState>) {
    this.state = {
      screen: 'start',
      labId: undefined,
      doc: newLabDocument('Untitled lab'),
      selection: [],
      savedDoc: undefined,
      save: { status: 'idle' },
      derived: EMPTY_DERIVED,
      deriving: false,
      prefs: { snapToGrid: true, theme: 'light', language: 'en' },
      connectFrom: undefined,
      dialog: undefined,
      notice: undefined,
      inspectorTab: 'properties',
      version: 0,
      ...initial,
    };
  }

  getState = (): EditorState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Non-document state (selection, prefs, dialogs …): never history. */
  set(patch: Partial<Omit<EditorState, 'doc' | 'version'>>): void {
    const prev = this.state;
    this.state = { ...prev, ...patch };
    this.emit(prev);
  }

  /**
   * Changes the document. `label` names the step for "Undo …". Returns false when nothing
   * changed (the function returned the same document).
   */
  update(label: string, fn: (doc: LabDoc) => LabDoc, opts: UpdateOptions = {}): boolean {
    const prev = this.state;
    const doc = fn(prev.doc);
    if (doc === prev.doc) {
      if (opts.select) this.select(opts.select);
      return false;
    }
    const selection = opts.select ?? prev.selection.filter((r) => stillThere(doc, r, prev.derived));
    this.history.record(
      {
        before: prev.doc,
        after: doc,
        label,
        ...(opts.mergeKey !== undefined ? { mergeKey: opts.mergeKey } : {}),
        selectionBefore: prev.selection,
        selectionAfter: selection,
      },
      opts.capture ?? 'immediately',
    );
    this.state = { ...prev, doc, selection, version: prev.version + 1, deriving: true };
    this.emit(prev);
    return true;
  }

  /** Replaces the whole document (opening a lab): not undoable, history cleared. */
  load(doc: LabDoc, patch: Partial<Omit<EditorState, 'doc' | 'version'>> = {}): void {
    const prev = this.state;
    this.history.clear();
    this.state = {
      ...prev,
      selection: [],
      connectFrom: undefined,
      ...patch,
      doc,
      version: prev.version + 1,
      deriving: true,
    };
    this.emit(prev);
  }

  undo(): boolean {
    const e = this.history.undo();
    if (!e) return false;
    this.replaceDoc(
      e.before,
      e.selectionBefore.filter((r) => stillThere(e.before, r, this.state.derived)),
    );
    return true;
  }

  redo(): boolean {
    const e = this.history.redo();
    if (!e) return false;
    this.replaceDoc(
      e.after,
      e.selectionAfter.filter((r) => stillThere(e.after, r, this.state.derived)),
    );
    return true;
  }

  select(refs: readonly string[]): void {
    const same =
      refs.length === this.state.selection.length && refs.every((r, i) => r === this.state.selection[i]);
    if (!same) this.set({ selection: [...refs] });
  }

  setDerived(derived: Derived): void {
    this.set({ derived, deriving: false });
  }

  get dirty(): boolean {
    return this.state.savedDoc !== this.state.doc;
  }

  private replaceDoc(doc: LabDoc, selection: readonly string[]): void {
    const prev = this.state;
    this.state = { ...prev, doc, selection, version: prev.version + 1, deriving: true };
    this.emit(prev);
  }

  private emit(prev: EditorState): void {
    for (const l of [...this.listeners]) l(this.state, prev);
  }
}

function stillThere(doc: LabDoc, ref: string, derived?: Derived): boolean {
  const id = parseElementRef(ref);
  if (id === undefined) return false;
  if (hasElement(doc, id)) return true;
  // pods a Deployment expands to have no object of their own
  return id.kind === 'pod' && (derived?.pods.some((p) => p.ref === ref && p.deployment) ?? false);
}

/** The one store of the app window. */
export const editorStore = new EditorStore();

/** Subscribes a component to a slice of the editor state (re-renders when the slice changes). */
export function useEditor<T>(selector: (s: EditorState) => T, store: EditorStore = editorStore): T {
  return useSyncExternalStore(
    store.subscribe,
    () => selector(store.getState()),
    () => selector(store.getState()),
  );
}
