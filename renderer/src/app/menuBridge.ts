/**
 * The Electron application menu (main/app/menus.ts) sends menu ids over the preload's
 * `shell.onMenuAction`; each maps to an action of the registry, so the menu, the keyboard and
 * the in-window menus do the same thing. Undo/Redo go to a focused text field when there is one.
 */
import type { MenuActionId, PodpathBridge } from '../../../main/ipc/contract';
import { runAction } from '../actions/manager';
import type { ActionId } from '../actions/types';

export const MENU_TO_ACTION: Readonly<Record<MenuActionId, ActionId | undefined>> = {
  'file:new': 'lab.new',
  'file:open': 'lab.open',
  'file:save': 'lab.save',
  'file:saveAs': 'lab.export',
  'file:importYaml': 'lab.importYaml',
  'file:export': 'lab.export',
  'edit:undo': 'edit.undo',
  'edit:redo': 'edit.redo',
  'view:zoomIn': 'view.zoomIn',
  'view:zoomOut': 'view.zoomOut',
  'view:zoomReset': 'view.fit',
  'view:fit': 'view.fit',
  'view:toggleProblems': 'view.problems',
  'help:about': undefined,
  'help:docs': undefined,
};

function editingText(): boolean {
  const el = document.activeElement;
  return (
    el instanceof HTMLInputElement ||
    el instanceof HTMLTextAreaElement ||
    (el instanceof HTMLElement && el.isContentEditable)
  );
}

export function runMenuAction(id: MenuActionId): void {
  if ((id === 'edit:undo' || id === 'edit:redo') && editingText()) {
    // execCommand is the one way to drive a field's own undo stack
    document.execCommand(id === 'edit:undo' ? 'undo' : 'redo');
    return;
  }
  const action = MENU_TO_ACTION[id];
  if (action) runAction(action);
}

/** Subscribes to the Electron menu when running under the Electron preload; returns the unsubscribe. */
export function connectMenu(): () => void {
  const bridge = (window as { podpath?: Partial<PodpathBridge> }).podpath;
  const off = bridge?.shell?.onMenuAction((id) => runMenuAction(id));
  return off ?? (() => undefined);
}
