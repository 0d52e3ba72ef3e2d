/**
 * main/electron/main.ts against a fake `electron` module (no Electron runtime here): what it
 * registers, in which order, with which window options, and that the API reaches the real SQLite
 * storage in the user-data directory through the IPC handlers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CSP } from '../../../main/app/csp';
import { CHANNEL_NAMES, MENU_ACTION_CHANNEL } from '../../../main/ipc/contract';
import { tempDir } from '../storage/helpers';

type Listener = (...args: unknown[]) => unknown;

const fx = vi.hoisted(() => {
  const appListeners = new Map<string, Listener>();
  const windowInstances: FakeWindow[] = [];
  let resolveReady: () => void = () => undefined;
  class FakeWindow {
    static getFocusedWindow = (): FakeWindow | null => null;
    readonly listeners = new Map<string, Listener>();
    readonly webContents = { send: vi.fn() };
    readonly loadURL = vi.fn(() => Promise.resolve());
    readonly focus = vi.fn();
    readonly restore = vi.fn();
    constructor(readonly options: Record<string, unknown>) {
      windowInstances.push(this);
    }
    on(event: string, listener: Listener) {
      this.listeners.set(event, listener);
      return this;
    }
    once(event: string, listener: Listener) {
      return this.on(event, listener);
    }
    isMinimized() {
      return true;
    }
    show() {}
  }
  const state = { userData: '', locked: true };
  return {
    state,
    appListeners,
    windowInstances,
    FakeWindow,
    ready: () => resolveReady(),
    app: {
      setName: vi.fn(),
      requestSingleInstanceLock: vi.fn(() => state.locked),
      quit: vi.fn(),
      on: vi.fn((event: string, listener: Listener) => appListeners.set(event, listener)),
      whenReady: vi.fn(() => new Promise<void>((resolve) => (resolveReady = resolve))),
      getPath: vi.fn(() => state.userData),
      isPackaged: false,
    },
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    ipcMain: { handle: vi.fn(), removeHandler: vi.fn() },
    Menu: { buildFromTemplate: vi.fn((template: unknown) => ({ template })), setApplicationMenu: vi.fn() },
    dialog: { showErrorBox: vi.fn() },
    shell: { openExternal: vi.fn() },
    session: { defaultSession: { webRequest: { onHeadersReceived: vi.fn() } } },
  };
});

vi.mock('electron', () => ({
  app: fx.app,
  BrowserWindow: fx.FakeWindow,
  protocol: fx.protocol,
  ipcMain: fx.ipcMain,
  Menu: fx.Menu,
  dialog: fx.dialog,
  shell: fx.shell,
  session: fx.session,
}));

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function renderer(): string {
  const dir = path.join(tempDir(), 'renderer');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
  return dir;
}

async function loadMain() {
  return import('../../../main/electron/main');
}

beforeEach(() => {
  vi.stubEnv('PODPATH_DB', '');
  fx.state.userData = tempDir();
  fx.state.locked = true;
});
afterEach(() => {
  fx.appListeners.get('will-quit')?.(); // close the database
  vi.clearAllMocks();
  fx.appListeners.clear();
  fx.windowInstances.length = 0;
  vi.unstubAllEnvs();
});

describe('main/electron/main.ts', () => {
  it('on import: privileged app:// scheme before ready; refuses to start when the renderer is not built', async () => {
    await loadMain(); // startShell() with dist paths next to main/electron: no renderer there
    expect(fx.app.setName).toHaveBeenCalledWith('Podpath');
    expect(fx.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
    ]);
    fx.ready();
    await flush();
    expect(fx.dialog.showErrorBox).toHaveBeenCalledWith(
      'Podpath is not built',
      expect.stringMatching(/^The user interface is missing \(.*renderer\)\. Run "npm run build:renderer"/),
    );
    expect(fx.app.quit).toHaveBeenCalled();
    expect(fx.windowInstances).toEqual([]);
  });

  it('starts: protocol, IPC for every channel, menu, a locked-down window on app://podpath', async () => {
    const { startShell } = await loadMain();
    vi.clearAllMocks();
    fx.appListeners.clear();
    const root = renderer();
    expect(startShell({ renderer: root, preload: '/opt/podpath/preload.cjs' })).toBe(true);
    expect(fx.windowInstances).toEqual([]); // nothing before ready
    fx.ready();
    await flush();

    expect(fx.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    expect(fx.ipcMain.handle.mock.calls.map(([c]) => c as string).sort()).toEqual(
      CHANNEL_NAMES.map((c) => `podpath:${c}`).sort(),
    );
    expect(fx.Menu.setApplicationMenu).toHaveBeenCalledTimes(1);
    expect([...fx.appListeners.keys()].sort()).toEqual([
      'activate',
      'second-instance',
      'web-contents-created',
      'will-quit',
      'window-all-closed',
    ]);

    const [win] = fx.windowInstances;
    expect(fx.windowInstances).toHaveLength(1);
    expect(win?.options['webPreferences']).toEqual({
      preload: '/opt/podpath/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
    });
    expect(win?.loadURL).toHaveBeenCalledWith('app://podpath/index.html');

    // the CSP is added to every response the session receives
    const onHeaders = fx.session.defaultSession.webRequest.onHeadersReceived.mock.calls[0]?.[0] as (
      details: { responseHeaders: Record<string, string[]> },
      callback: (r: unknown) => void,
    ) => void;
    const headers = vi.fn();
    onHeaders({ responseHeaders: { 'X-Other': ['1'] } }, headers);
    expect(headers).toHaveBeenCalledWith({
      responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [CSP] },
    });

    // the API reaches SQLite in userData, and only from the app's own frames
    const handler = fx.ipcMain.handle.mock.calls.find(([c]) => c === 'podpath:labs:create')?.[1] as Listener;
    expect(
      await handler({ senderFrame: { url: 'app://podpath/index.html' } }, { name: 'From IPC' }),
    ).toMatchObject({
      ok: true,
      value: { name: 'From IPC', document: { podpath: 1, name: 'From IPC' }, revision: 1 },
    });
    expect(await handler({ senderFrame: { url: 'https://evil.example/' } }, { name: 'x' })).toEqual({
      ok: false,
      error: 'labs:create: refused: the sender is not the Podpath window',
    });
    expect(fs.existsSync(path.join(fx.state.userData, 'podpath.db'))).toBe(true);

    // menu items reach the renderer as action ids
    const template = fx.Menu.buildFromTemplate.mock.calls[0]?.[0] as {
      submenu?: { id?: string; click?: () => void }[];
    }[];
    template[0]?.submenu?.find((i) => i.id === 'file:save')?.click?.();
    expect(win?.webContents.send).toHaveBeenCalledWith(MENU_ACTION_CHANNEL, 'file:save');

    // a second instance focuses the window
    fx.appListeners.get('second-instance')?.();
    expect(win?.restore).toHaveBeenCalled();
    expect(win?.focus).toHaveBeenCalled();

    // every web contents is hardened
    const contents = {
      setWindowOpenHandler: vi.fn(),
      on: vi.fn(),
      session: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() },
    };
    fx.appListeners.get('web-contents-created')?.({}, contents);
    expect(contents.setWindowOpenHandler).toHaveBeenCalled();
    expect(contents.on.mock.calls.map(([e]) => e as string)).toEqual([
      'will-navigate',
      'will-redirect',
      'will-attach-webview',
    ]);

    fx.appListeners.get('will-quit')?.();
    expect(fx.ipcMain.removeHandler).toHaveBeenCalledTimes(CHANNEL_NAMES.length);
  });

  it('a second instance quits at once, before ready', async () => {
    const { startShell } = await loadMain();
    vi.clearAllMocks();
    fx.state.locked = false;
    expect(startShell({ renderer: renderer(), preload: '/p.cjs' })).toBe(false);
    expect(fx.app.quit).toHaveBeenCalled();
    expect(fx.app.whenReady).not.toHaveBeenCalled();
  });

  it('says why when the lab database cannot be opened', async () => {
    const { startShell } = await loadMain();
    vi.clearAllMocks();
    fx.appListeners.clear();
    fs.writeFileSync(path.join(fx.state.userData, 'podpath.db'), 'not a database '.repeat(100));
    startShell({ renderer: renderer(), preload: '/p.cjs' });
    fx.ready();
    await flush();
    expect(fx.dialog.showErrorBox).toHaveBeenCalledWith(
      'Podpath cannot open its lab database',
      expect.stringMatching(
        /^could not open the lab database .*podpath\.db: the database file is damaged or is not a Podpath database/,
      ),
    );
    expect(fx.app.quit).toHaveBeenCalled();
  });
});
