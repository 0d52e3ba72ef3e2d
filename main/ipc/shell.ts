/**
 * Events from the Electron shell to the renderer (main → renderer). Kept apart from contract.ts so
 * that the sandboxed preload can use these constants without bundling zod; contract.ts re-exports
 * everything here.
 *
 * The application menu (main/app/menus.ts) sends each item's id on MENU_ACTION_CHANNEL; the
 * renderer carries it out (its own undo history, canvas zoom, file pickers). Edit › Undo/Redo are
 * ids too: the renderer undoes lab edits, or text edits when a text field has the focus.
 */

/** Every application-menu item the renderer carries out, by id (File, Edit, View, Help). */
export const MENU_ACTIONS = [
  'file:new',
  'file:open',
  'file:save',
  'file:saveAs',
  'file:importYaml',
  'file:export',
  'edit:undo',
  'edit:redo',
  'view:zoomIn',
  'view:zoomOut',
  'view:zoomReset',
  'view:fit',
  'view:toggleProblems',
  'help:about',
  'help:docs',
] as const;
export type MenuActionId = (typeof MENU_ACTIONS)[number];

export function isMenuActionId(value: unknown): value is MenuActionId {
  return typeof value === 'string' && (MENU_ACTIONS as readonly string[]).includes(value);
}

/** The IPC channel the main process sends menu actions on (main → renderer). */
export const MENU_ACTION_CHANNEL = 'podpath:menu-action';

/** The prefix of every API channel on Electron IPC (`podpath:labs:list`); the preload sends only these. */
export const IPC_PREFIX = 'podpath:';

export interface PodpathShell {
  /** Calls `listener` with each menu action id; returns a function that unsubscribes. */
  onMenuAction(listener: (action: MenuActionId) => void): () => void;
}
