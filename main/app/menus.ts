/**
 * The application menu as a template (Electron's MenuItemConstructorOptions). Items the renderer
 * carries out send their action id (main/ipc/shell.ts); clipboard items use Electron's roles, which
 * act on the focused element (the renderer listens to the DOM copy/cut/paste events).
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuActionId } from '../ipc/shell';

export interface MenuOptions {
  readonly platform: NodeJS.Platform;
  readonly appName: string;
  /** Sends an action id to the focused window's renderer. */
  readonly send: (action: MenuActionId) => void;
  /** Adds View › Toggle Developer Tools (development builds only). */
  readonly devTools?: boolean;
}

export function buildMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const item = (label: string, action: MenuActionId, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    id: action,
    ...(accelerator !== undefined ? { accelerator } : {}),
    click: () => options.send(action),
  });
  const separator: MenuItemConstructorOptions = { type: 'separator' };

  const appMenu: MenuItemConstructorOptions[] = mac
    ? [
        {
          label: options.appName,
          submenu: [
            item(`About ${options.appName}`, 'help:about'),
            separator,
            { role: 'services' },
            separator,
            { role: 'hide' },
            { role: 'hideOthers' },
            { role: 'unhide' },
            separator,
            { role: 'quit' },
          ],
        },
      ]
    : [];

  return [
    ...appMenu,
    {
      label: '&File',
      submenu: [
        item('New Lab', 'file:new', 'CmdOrCtrl+N'),
        item('Open…', 'file:open', 'CmdOrCtrl+O'),
        separator,
        item('Save', 'file:save', 'CmdOrCtrl+S'),
        item('Save As…', 'file:saveAs', 'CmdOrCtrl+Shift+S'),
        separator,
        item('Import Kubernetes YAML…', 'file:importYaml', 'CmdOrCtrl+I'),
        item('Export…', 'file:export', 'CmdOrCtrl+E'),
        ...(mac ? [] : [separator, { role: 'quit' } as const]),
      ],
    },
    {
      label: '&Edit',
      submenu: [
        item('Undo', 'edit:undo', 'CmdOrCtrl+Z'),
        item('Redo', 'edit:redo', mac ? 'Shift+CmdOrCtrl+Z' : 'CmdOrCtrl+Y'),
        separator,
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: '&View',
      submenu: [
        item('Zoom In', 'view:zoomIn', 'CmdOrCtrl+='),
        item('Zoom Out', 'view:zoomOut', 'CmdOrCtrl+-'),
        item('Actual Size', 'view:zoomReset', 'CmdOrCtrl+0'),
        item('Zoom to Fit', 'view:fit', 'Shift+1'),
        separator,
        item('Toggle Problems', 'view:toggleProblems', 'CmdOrCtrl+Shift+M'),
        separator,
        { role: 'togglefullscreen' },
        ...(options.devTools ? [{ role: 'toggleDevTools' } as const] : []),
      ],
    },
    {
      label: '&Help',
      role: 'help',
      submenu: [
        item('Podpath Documentation', 'help:docs', 'F1'),
        ...(mac ? [] : [separator, item(`About ${options.appName}`, 'help:about')]),
      ],
    },
  ];
}
