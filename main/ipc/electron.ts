/**
 * The Electron side of the API: registers every contract channel on the real `ipcMain` (the only
 * module besides the preload that touches raw IPC; the lint rule says so). Loaded only inside
 * Electron (dist/electron/main.cjs); tests use register.ts with a fake ipcMain.
 */
import { ipcMain } from 'electron';
import type { DispatchContext } from './dispatch';
import { registerIpc } from './register';

export function registerElectronIpc(options: DispatchContext & { readonly appOrigin: string }): () => void {
  return registerIpc({ ...options, ipcMain });
}
