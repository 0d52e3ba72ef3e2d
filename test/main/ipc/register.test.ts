import type { IpcMain } from 'electron';
import { describe, expect, it } from 'vitest';
import { CHANNEL_NAMES, ipcChannelOf } from '../../../main/ipc/contract';
import {
  isTrustedSender,
  originOf,
  registerIpc,
  type InvokeEventLike,
  type IpcMainLike,
} from '../../../main/ipc/register';
import { createFakeServices, VXLAN_LAB } from './fakeServices';

type Listener = (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>;

/** Records handle()/removeHandler() like Electron's ipcMain and lets a test invoke a channel. */
function fakeIpcMain() {
  const listeners = new Map<string, Listener>();
  const ipc = {
    handle(channel: string, listener: Listener) {
      if (listeners.has(channel)) throw new Error(`second handler for ${channel}`);
      listeners.set(channel, listener);
    },
    removeHandler(channel: string) {
      listeners.delete(channel);
    },
    invoke(channel: string, frameUrl: string | null, ...args: unknown[]) {
      const listener = listeners.get(channel);
      if (!listener) throw new Error(`No handler registered for '${channel}'`);
      return listener({ senderFrame: frameUrl === null ? null : { url: frameUrl } }, ...args);
    },
    listeners,
  } satisfies IpcMainLike & Record<string, unknown>;
  return ipc;
}

const APP = 'app://podpath';

describe('registerIpc', () => {
  it("Electron's own ipcMain fits the structural type", () => {
    const check = (ipc: IpcMain): IpcMainLike => ipc;
    expect(check).toBeTypeOf('function');
  });

  it('registers exactly one podpath:-prefixed handler per channel, and removes them again', () => {
    const ipc = fakeIpcMain();
    const unregister = registerIpc({ ipcMain: ipc, appOrigin: APP, services: createFakeServices() });
    expect([...ipc.listeners.keys()].sort()).toEqual(CHANNEL_NAMES.map((c) => `podpath:${c}`).sort());
    unregister();
    expect(ipc.listeners.size).toBe(0);
  });

  it('a call from the app window is parsed and dispatched', async () => {
    const ipc = fakeIpcMain();
    const services = createFakeServices();
    registerIpc({ ipcMain: ipc, appOrigin: APP, services });
    const created = await ipc.invoke(ipcChannelOf('labs:create'), `${APP}/index.html`, {
      name: 'From IPC',
      document: VXLAN_LAB,
    });
    expect(created).toMatchObject({ ok: true, value: { name: 'From IPC' } });
    const bad = await ipc.invoke(ipcChannelOf('labs:rename'), `${APP}/index.html#/lab`, {
      id: 'lab-1',
      name: '',
    });
    expect(bad).toEqual({ ok: false, error: 'labs:rename: name: must be 1-200 characters' });
    expect(await ipc.invoke(ipcChannelOf('labs:list'), `${APP}/`)).toMatchObject({ ok: true });
  });

  it.each([
    ['another origin', 'https://evil.example/index.html'],
    ['another app:// host', 'app://evil/index.html'],
    ['a file:// page', 'file:///tmp/index.html'],
    ['a look-alike host', 'app://podpath.evil/index.html'],
    ['an empty URL', ''],
    ['no frame (destroyed)', null],
  ])('a call from an unexpected sender (%s) is refused before any service call', async (_what, url) => {
    const ipc = fakeIpcMain();
    const services = createFakeServices();
    registerIpc({ ipcMain: ipc, appOrigin: APP, services });
    const result = await ipc.invoke(ipcChannelOf('labs:delete'), url, { id: 'lab-1' });
    expect(result).toEqual({
      ok: false,
      error: 'labs:delete: refused: the sender is not the Podpath window',
    });
    expect(services.calls).toEqual([]);
  });

  it('a dev server origin with a port is matched exactly', () => {
    const dev = 'http://127.0.0.1:5173';
    expect(isTrustedSender({ senderFrame: { url: 'http://127.0.0.1:5173/src/index.html' } }, dev)).toBe(true);
    expect(isTrustedSender({ senderFrame: { url: 'http://127.0.0.1:5174/' } }, dev)).toBe(false);
    expect(isTrustedSender({}, dev)).toBe(false);
  });

  it('originOf keeps custom schemes apart (URL.origin is "null" for them)', () => {
    expect(originOf('app://podpath/a/b.html')).toBe('app://podpath');
    expect(originOf('APP://PodPath/')).toBe('app://podpath');
    expect(originOf('not a url')).toBeNull();
  });
});
