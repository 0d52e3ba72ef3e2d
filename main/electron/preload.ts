/**
 * The sandboxed preload: exposes exactly one object, `window.podpath`, which `satisfies
 * PodpathBridge` (the API contract plus the shell's menu events). Each method sends one allow-listed
 * `podpath:<channel>` invoke; nothing else of Electron or Node reaches the page. The object literal
 * below is the allow-list: a channel missing from it, or one the contract does not have, is a type
 * error. Built into dist/electron/preload.cjs (sandboxed preloads are CommonJS).
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { ApiMethod, ChannelName, Envelope, PodpathBridge } from '../ipc/contract';
import { IPC_PREFIX, isMenuActionId, MENU_ACTION_CHANNEL, type MenuActionId } from '../ipc/shell';

function call<C extends ChannelName>(channel: C): ApiMethod<C> {
  const method = async (input?: unknown): Promise<Envelope<unknown>> => {
    try {
      return (await ipcRenderer.invoke(`${IPC_PREFIX}${channel}`, input)) as Envelope<unknown>;
    } catch (error) {
      // only when the main process has no handler (shutting down): still an envelope, never a rejection
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, error: `${channel}: the Podpath main process did not answer (${message})` };
    }
  };
  return method as ApiMethod<C>;
}

export const podpath = {
  labs: {
    list: call('labs:list'),
    get: call('labs:get'),
    create: call('labs:create'),
    save: call('labs:save'),
    autosave: call('labs:autosave'),
    rename: call('labs:rename'),
    delete: call('labs:delete'),
    revisions: call('labs:revisions'),
    importYaml: call('labs:importYaml'),
    exportYaml: call('labs:exportYaml'),
    restore: call('labs:restore'),
  },
  settings: { get: call('settings:get'), set: call('settings:set') },
  files: {
    recent: call('files:recent'),
    importLab: call('files:importLab'),
    exportLab: call('files:exportLab'),
  },
  sim: { validate: call('sim:validate') },
  shell: {
    onMenuAction(listener: (action: MenuActionId) => void): () => void {
      const handler = (_event: unknown, action: unknown): void => {
        if (isMenuActionId(action)) listener(action);
      };
      ipcRenderer.on(MENU_ACTION_CHANNEL, handler);
      return () => {
        ipcRenderer.removeListener(MENU_ACTION_CHANNEL, handler);
      };
    },
  },
} satisfies PodpathBridge;

contextBridge.exposeInMainWorld('podpath', podpath);
