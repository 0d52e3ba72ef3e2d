/**
 * Runs actions by id (keyboard, menus, palette, context menus and the Electron menu all come
 * through here) and answers whether one is enabled.
 */
import { useSyncExternalStore } from 'react';
import { canvasApi } from '../canvas/canvasApi';
import { t } from '../i18n';
import { editorStore, type EditorStore } from '../model/store';
import { ACTIONS, getAction } from './registry';
import { matches, type KeyEventLike } from './shortcuts';
import type { ActionContext, ActionId, SessionApi } from './types';

let session: SessionApi | undefined;

export function setSession(s: SessionApi | undefined): void {
  session = s;
}

export function actionContext(store: EditorStore = editorStore): ActionContext {
  return { store, canvas: canvasApi(), session, t };
}

export function isEnabled(id: ActionId, store: EditorStore = editorStore): boolean {
  const a = getAction(id);
  return a.enabled ? a.enabled(store.getState(), store) : true;
}

/** Runs an action if it is enabled; returns whether it ran. */
export function runAction(id: ActionId, arg?: unknown, store: EditorStore = editorStore): boolean {
  if (!isEnabled(id, store)) return false;
  const result = getAction(id).run(actionContext(store), arg);
  if (result instanceof Promise)
    result.catch((e: unknown) => {
      store.set({ notice: { kind: 'error', text: e instanceof Error ? e.message : String(e) } });
    });
  return true;
}

function typingIn(target: EventTarget | null): boolean {
  if (typeof HTMLElement === 'undefined' || !(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}

/** While typing in a field, only these shortcuts act (the field keeps its own undo, copy, …). */
const WHILE_TYPING: readonly ActionId[] = ['lab.save', 'view.commandPalette'];

/** The action a key event triggers, if any. */
export function actionForKey(
  e: KeyEventLike & { target?: EventTarget | null },
  store: EditorStore = editorStore,
): ActionId | undefined {
  const typing = typingIn(e.target ?? null);
  for (const a of ACTIONS) {
    if (!a.keys?.some((k) => matches(k, e))) continue;
    if (typing && !WHILE_TYPING.includes(a.id)) continue;
    if (a.enabled && !a.enabled(store.getState(), store)) continue;
    return a.id;
  }
  return undefined;
}

export function handleKeyDown(e: KeyboardEvent, store: EditorStore = editorStore): void {
  if (e.defaultPrevented || e.isComposing) return;
  // keys inside dialogs and menus belong to them
  if (e.target instanceof HTMLElement && e.target.closest('[role="dialog"],[role="menu"]')) return;
  const id = actionForKey(e, store);
  if (!id) return;
  e.preventDefault();
  runAction(id, undefined, store);
}

/** Re-renders when anything that decides enabled/checked states changes. */
export function useActionsVersion(
  store: EditorStore = editorStore,
): EditorStore['getState'] extends () => infer S ? S : never {
  return useSyncExternalStore(store.subscribe, store.getState, store.getState);
}
