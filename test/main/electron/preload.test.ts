/**
 * The sandboxed preload against a fake `electron`: it exposes exactly one object, `podpath`, whose
 * methods are the contract's channels (no more, no fewer), each sending one `podpath:` invoke.
 */
import { describe, expect, it, vi } from 'vitest';
import { CHANNEL_NAMES, MENU_ACTION_CHANNEL } from '../../../main/ipc/contract';

const fx = vi.hoisted(() => {
  const listeners = new Map<string, (...args: unknown[]) => void>();
  return {
    listeners,
    contextBridge: { exposeInMainWorld: vi.fn() },
    ipcRenderer: {
      invoke: vi.fn<(channel: string, input?: unknown) => Promise<unknown>>(() =>
        Promise.resolve({ ok: true, value: 1 }),
      ),
      on: vi.fn((channel: string, listener: (...args: unknown[]) => void) =>
        listeners.set(channel, listener),
      ),
      removeListener: vi.fn((channel: string) => listeners.delete(channel)),
    },
  };
});
vi.mock('electron', () => ({ contextBridge: fx.contextBridge, ipcRenderer: fx.ipcRenderer }));

describe('main/electron/preload.ts', () => {
  it('exposes exactly window.podpath with one method per contract channel, plus shell', async () => {
    await import('../../../main/electron/preload');
    expect(fx.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    const [name, api] = fx.contextBridge.exposeInMainWorld.mock.calls[0] as [
      string,
      Record<string, Record<string, unknown>>,
    ];
    expect(name).toBe('podpath');
    const methods = Object.entries(api)
      .filter(([domain]) => domain !== 'shell')
      .flatMap(([domain, verbs]) => Object.keys(verbs).map((verb) => `${domain}:${verb}`));
    expect(methods.sort()).toEqual([...CHANNEL_NAMES].sort());
    expect(Object.keys(api['shell'] ?? {})).toEqual(['onMenuAction']);
  });

  it('sends each call as one podpath: invoke and resolves to the envelope', async () => {
    const { podpath } = await import('../../../main/electron/preload');
    expect(await podpath.labs.get({ id: 'lab-1' })).toEqual({ ok: true, value: 1 });
    expect(fx.ipcRenderer.invoke).toHaveBeenLastCalledWith('podpath:labs:get', { id: 'lab-1' });
    await podpath.labs.list();
    expect(fx.ipcRenderer.invoke).toHaveBeenLastCalledWith('podpath:labs:list', undefined);
  });

  it('never rejects: a missing handler becomes an error envelope', async () => {
    const { podpath } = await import('../../../main/electron/preload');
    fx.ipcRenderer.invoke.mockRejectedValueOnce(new Error("No handler registered for 'podpath:labs:list'"));
    expect(await podpath.labs.list()).toEqual({
      ok: false,
      error:
        "labs:list: the Podpath main process did not answer (No handler registered for 'podpath:labs:list')",
    });
  });

  it('passes only known menu action ids to the listener, and unsubscribes', async () => {
    const { podpath } = await import('../../../main/electron/preload');
    const seen: string[] = [];
    const off = podpath.shell.onMenuAction((a) => seen.push(a));
    const send = fx.listeners.get(MENU_ACTION_CHANNEL);
    send?.({}, 'file:save');
    send?.({}, 'shell:rm-rf');
    send?.({}, 42);
    expect(seen).toEqual(['file:save']);
    off();
    expect(fx.ipcRenderer.removeListener).toHaveBeenCalledWith(MENU_ACTION_CHANNEL, send);
  });
});
