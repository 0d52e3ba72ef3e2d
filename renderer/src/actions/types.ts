/**
 * Every user intent is an action (STYLE.md): one registry used by keyboard shortcuts, the menus
 * (the Electron menu sends action ids), the command palette, the element palette and the context
 * menus. `ActionId` is a closed union: labels, shortcuts and menus derive from it.
 */
import type { CanvasApi } from '../canvas/canvasApi';
import type { Position } from '../model/labDoc';
import type { EditorState, EditorStore } from '../model/store';

export const ACTION_IDS = [
  'lab.new',
  'lab.open',
  'lab.save',
  'lab.close',
  'lab.export',
  'lab.importFile',
  'lab.importYaml',
  'edit.undo',
  'edit.redo',
  'edit.delete',
  'edit.duplicate',
  'edit.copy',
  'edit.cut',
  'edit.paste',
  'edit.selectAll',
  'edit.selectNone',
  'edit.rename',
  'insert.network',
  'insert.node',
  'insert.router',
  'insert.client',
  'insert.pod',
  'insert.service',
  'insert.networkPolicy',
  'canvas.connect',
  'canvas.autoLayout',
  'view.fit',
  'view.zoomIn',
  'view.zoomOut',
  'view.toggleSnap',
  'view.toggleTheme',
  'view.language',
  'view.commandPalette',
  'view.problems',
  // the packet stepper (stepper/actions.ts)
  'stepper.trace',
  'stepper.forward',
  'stepper.back',
  'stepper.run',
  'stepper.reset',
] as const;

export type ActionId = (typeof ACTION_IDS)[number];

export function isActionId(v: unknown): v is ActionId {
  return typeof v === 'string' && (ACTION_IDS as readonly string[]).includes(v);
}

/** Where an insert happens: a model position and/or the element it was dropped on. */
export interface InsertArg {
  readonly at?: Position;
  /** Element ref under the drop point (a node for a pod, a network for a device, a pod for a Service). */
  readonly target?: string;
}

/** Connect a device to a network; without `network`, enters connect mode. */
export interface ConnectArg {
  readonly device?: string;
  readonly network?: string;
}

/** The Node/web-host side the file actions need (app/session.ts implements it). */
export interface SessionApi {
  newLab(): Promise<void>;
  showStart(): Promise<void>;
  save(): Promise<void>;
  close(): Promise<void>;
  exportLab(): Promise<void>;
  importFile(format: 'podlab' | 'yaml'): Promise<void>;
  setPref<K extends keyof EditorState['prefs']>(key: K, value: EditorState['prefs'][K]): void;
  openCommandPalette(): void;
}

export interface ActionContext {
  readonly store: EditorStore;
  readonly canvas: CanvasApi | undefined;
  readonly session: SessionApi | undefined;
  /** Translates a key (labels for undo steps are stored translated). */
  readonly t: (key: string, options?: Record<string, unknown>) => string;
}

export type ActionGroup = 'file' | 'edit' | 'insert' | 'canvas' | 'view';

export interface Action {
  readonly id: ActionId;
  readonly group: ActionGroup;
  /** i18n key of the label. */
  readonly labelKey: string;
  /** `Mod+Z` (Mod is Ctrl, or ⌘ on macOS), `Shift+Mod+Z`, `Delete`, `F2`, `N`. */
  readonly keys?: readonly string[];
  readonly enabled?: (s: EditorState, store: EditorStore) => boolean;
  readonly checked?: (s: EditorState) => boolean;
  /** Offered in the canvas context menu for this selection. */
  readonly inContextMenu?: (s: EditorState) => boolean;
  readonly run: (ctx: ActionContext, arg?: unknown) => void | Promise<void>;
}
