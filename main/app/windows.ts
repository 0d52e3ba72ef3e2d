/**
 * The main window: sandboxed, context-isolated, no Node in the page, loaded from app://podpath.
 * The webPreferences are written out in full here (and in one literal, where electronegativity
 * can read them) rather than relying on Electron's defaults.
 */
import { BrowserWindow } from 'electron';
import { APP_ENTRY_URL } from './security';

export interface MainWindowOptions {
  /** dist/electron/preload.cjs */
  readonly preload: string;
  readonly title?: string;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: options.title ?? 'Podpath',
    backgroundColor: '#1e1e1e',
    webPreferences: {
      preload: options.preload, // eng-disable PRELOAD_JS_CHECK -- the sandboxed preload exposes only window.podpath (main/electron/preload.ts)
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
      // middle-click (auxclick) would open links in a new window without the window-open handler's say
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.once('ready-to-show', () => win.show());
  return win;
}

/** Loads the renderer from the packaged files (never a remote URL). */
export function loadApp(win: BrowserWindow): Promise<void> {
  return win.loadURL(APP_ENTRY_URL);
}
