/**
 * The Electron main process: lifecycle, single instance, the locked-down window, the app://
 * protocol, the API over IPC and the application menu. Everything that can be plain Node lives in
 * main/app/** and main/ipc/** (tested in Node); this file only wires them to Electron.
 * Built by main/build/buildElectron.mjs into dist/electron/main.cjs (`electron .` runs it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, dialog, Menu, protocol, session, shell } from 'electron';
import { CSP } from '../app/csp';
import { buildMenuTemplate } from '../app/menus';
import { APP_SCHEME_PRIVILEGES, registerAppProtocol } from '../app/protocol';
import { APP_ORIGIN, hardenWebContents } from '../app/security';
import { openAppServices, type AppServices } from '../app/services';
import { createMainWindow, loadApp } from '../app/windows';
import { registerElectronIpc } from '../ipc/electron';
import { MENU_ACTION_CHANNEL } from '../ipc/shell';

export interface ShellPaths {
  /** The built renderer (dist/renderer). */
  readonly renderer: string;
  /** The bundled preload (dist/electron/preload.cjs). */
  readonly preload: string;
}

/** Where the bundle finds its files: dist/electron/main.cjs → dist/renderer, dist/electron/preload.cjs. */
export function defaultPaths(dir: string = __dirname): ShellPaths {
  return { renderer: path.join(dir, '..', 'renderer'), preload: path.join(dir, 'preload.cjs') };
}

/** Starts the shell; returns false when another instance already runs (this one quits). */
export function startShell(paths: ShellPaths = defaultPaths()): boolean {
  // app:// must be a standard, secure scheme before the app is ready (fetch, relative URLs, CSP 'self').
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  // userData (the lab database, the single-instance lock) is <appData>/Podpath in development as
  // in the packaged app (package.json's name is the lower-case npm name)
  app.setName('Podpath');
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }

  let win: BrowserWindow | null = null;
  let services: AppServices | null = null;
  let unregister: (() => void) | null = null;

  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  // Every web contents (the window, and any the page might try to create) is locked down.
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, {
      openExternal: (url) => shell.openExternal(url), // eng-disable OPEN_EXTERNAL_JS_CHECK -- hardenWebContents calls it only with URLs checkExternalUrl accepted
      onRefused: (what, url, reason) => console.warn(`podpath: refused ${what} ${url}: ${reason}`),
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    unregister?.();
    services?.close();
  });

  const openWindow = (): void => {
    const created = createMainWindow({ preload: paths.preload });
    win = created;
    created.on('closed', () => {
      if (win === created) win = null;
    });
    loadApp(created).catch((error: unknown) => console.error('podpath: cannot load the app:', error));
  };
  app.on('activate', () => {
    if (win === null && services !== null) openWindow();
  });

  void app.whenReady().then(() => {
    if (!fs.existsSync(path.join(paths.renderer, 'index.html'))) {
      dialog.showErrorBox(
        'Podpath is not built',
        `The user interface is missing (${paths.renderer}). Run "npm run build:renderer", or "npm start", which builds it.`,
      );
      app.quit();
      return;
    }
    const opened = openAppServices({ userDataDir: app.getPath('userData') });
    if (!opened.ok) {
      dialog.showErrorBox('Podpath cannot open its lab database', opened.error);
      app.quit();
      return;
    }
    services = opened.value;
    registerAppProtocol(protocol, paths.renderer);
    // The app:// handler sends the CSP with every file; this adds it to anything else the session
    // might load (nothing should come from elsewhere: navigation is refused).
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({
        responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] }, // eng-disable CSP_GLOBAL_CHECK -- the policy is the CSP constant of main/app/csp.ts (its exact text is tested); electronegativity evaluates only literal strings
      });
    });
    unregister = registerElectronIpc({
      services: services.services,
      appOrigin: APP_ORIGIN,
      onInternalError: (channel, error) => console.error(`podpath: ${channel}:`, error),
    });
    const template = buildMenuTemplate({
      platform: process.platform,
      appName: 'Podpath',
      devTools: !app.isPackaged,
      send: (action) =>
        (BrowserWindow.getFocusedWindow() ?? win)?.webContents.send(MENU_ACTION_CHANNEL, action),
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
    openWindow();
  });
  return true;
}

startShell();
