// The plain-Node parts of the Electron shell: URL checks, the app:// traversal guard, the CSP,
// the menu template, and webContents hardening against a fake webContents.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CSP } from '../../../main/app/csp';
import { buildMenuTemplate } from '../../../main/app/menus';
import { appProtocolResponse, registerAppProtocol, resolveAppRequest } from '../../../main/app/protocol';
import {
  checkExternalUrl,
  hardenWebContents,
  isAppUrl,
  type HardenableContents,
} from '../../../main/app/security';
import { MENU_ACTIONS, type MenuActionId } from '../../../main/ipc/shell';
import { tempDir } from '../storage/helpers';

describe('checkExternalUrl', () => {
  it.each([
    ['https://kubernetes.io/docs/concepts/services-networking/network-policies/', true, ''],
    ['https://docs.tigera.io/calico/latest/', true, ''],
    ['https://man7.org/linux/man-pages/man8/ip-route.8.html', true, ''],
    ['http://kubernetes.io/docs/', false, 'http: links are not opened (only https)'],
    ['file:///etc/passwd', false, 'file: links are not opened (only https)'],
    ['javascript:alert(1)', false, 'javascript: links are not opened (only https)'],
    ['https://evil.example/', false, 'evil.example is not on the list of documentation sites'],
    [
      'https://kubernetes.io.evil.example/',
      false,
      'kubernetes.io.evil.example is not on the list of documentation sites',
    ],
    ['https://user:pw@kubernetes.io/', false, 'links with a user name or password are not opened'],
    ['https://kubernetes.io:8443/', false, 'links with a port are not opened'],
    ['not a url', false, 'not a URL'],
  ])('%s', (url, ok, reason) => {
    const r = checkExternalUrl(url);
    expect(r.ok).toBe(ok);
    if (!r.ok) expect(r.reason).toBe(reason);
  });
});

describe('isAppUrl', () => {
  it.each([
    ['app://podpath/index.html', true],
    ['app://podpath/assets/x.js?v=1#a', true],
    ['app://other/index.html', false],
    ['app://user@podpath/', false],
    ['https://podpath/', false],
    ['file:///index.html', false],
    ['', false],
  ])('%s → %s', (url, expected) => expect(isAppUrl(url)).toBe(expected));
});

describe('app:// protocol', () => {
  function rendererRoot(): { root: string; outside: string } {
    const dir = tempDir();
    const root = path.join(dir, 'renderer');
    fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Podpath</title>');
    fs.writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'secret');
    fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(root, 'link.txt'));
    return { root: fs.realpathSync(root), outside: dir };
  }

  it('maps app://podpath/ paths to files inside the root', () => {
    const { root } = rendererRoot();
    expect(resolveAppRequest(root, 'app://podpath/')).toEqual({
      ok: true,
      file: path.join(root, 'index.html'),
      contentType: 'text/html; charset=utf-8',
    });
    expect(resolveAppRequest(root, 'app://podpath/assets/app.js?x=1')).toEqual({
      ok: true,
      file: path.join(root, 'assets', 'app.js'),
      contentType: 'text/javascript; charset=utf-8',
    });
  });

  it.each([
    ['app://podpath/../secret.txt', 404], // URL parsing already drops the `..`: /secret.txt is not in root
    ['app://podpath/%2e%2e/secret.txt', 404], // so does `%2e%2e` (a dot segment for the URL parser)
    ['app://podpath/assets/%2e%2e/%2e%2e/secret.txt', 404],
    ['app://podpath/..%2fsecret.txt', 403],
    ['app://podpath/..%5csecret.txt', 400],
    ['app://podpath/index.html%00.js', 400],
    ['app://podpath/%E0%A4%A', 400],
    ['app://podpath/link.txt', 403],
    ['app://podpath/assets', 404],
    ['app://podpath/nope.js', 404],
    ['app://elsewhere/index.html', 403],
    ['https://podpath/index.html', 403],
  ])('refuses %s with %i', (url, status) => {
    const { root } = rendererRoot();
    const r = resolveAppRequest(root, url);
    expect(r.ok ? 200 : r.status).toBe(status);
  });

  it('answers with the file, the CSP and nosniff; errors have no body', async () => {
    const { root } = rendererRoot();
    const page = await appProtocolResponse(root, 'app://podpath/index.html');
    expect(page.status).toBe(200);
    expect(Object.fromEntries(page.headers)).toEqual({
      'cache-control': 'no-store',
      'content-security-policy': CSP,
      'content-type': 'text/html; charset=utf-8',
      'x-content-type-options': 'nosniff',
    });
    expect(await page.text()).toBe('<!doctype html><title>Podpath</title>');
    const refused = await appProtocolResponse(root, 'app://podpath/..%2fsecret.txt');
    expect(refused.status).toBe(403);
    expect(await refused.text()).toBe('');
  });

  it('registers one handler for the app scheme', async () => {
    const { root } = rendererRoot();
    const handle = vi.fn<(scheme: string, handler: (r: Request) => Promise<Response> | Response) => void>();
    registerAppProtocol({ handle }, root);
    expect(handle).toHaveBeenCalledTimes(1);
    const [scheme, handler] = handle.mock.calls[0] ?? [];
    expect(scheme).toBe('app');
    const res = await handler?.(new Request('app://podpath/assets/app.js'));
    expect(await res?.text()).toBe('console.log(1)');
  });
});

describe('CSP', () => {
  it('allows nothing beyond the page’s own origin, no inline script, no eval', () => {
    expect(CSP).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; frame-src 'none'",
    );
  });
});

describe('buildMenuTemplate', () => {
  type Item = {
    label?: string;
    role?: string;
    accelerator?: string;
    id?: string;
    type?: string;
    submenu?: Item[];
    click?: () => void;
  };
  const labels = (items: Item[]) => items.map((i) => i.label ?? i.role ?? i.type);

  it('has File, Edit, View and Help (Linux/Windows) with the expected items', () => {
    const template = buildMenuTemplate({
      platform: 'linux',
      appName: 'Podpath',
      send: () => undefined,
    }) as Item[];
    expect(labels(template)).toEqual(['&File', '&Edit', '&View', '&Help']);
    const sub = (n: number) => labels(template[n]?.submenu ?? []);
    expect(sub(0)).toEqual([
      'New Lab',
      'Open…',
      'separator',
      'Save',
      'Save As…',
      'separator',
      'Import Kubernetes YAML…',
      'Export…',
      'separator',
      'quit',
    ]);
    expect(sub(1)).toEqual(['Undo', 'Redo', 'separator', 'cut', 'copy', 'paste', 'selectAll']);
    expect(sub(2)).toEqual([
      'Zoom In',
      'Zoom Out',
      'Actual Size',
      'Zoom to Fit',
      'separator',
      'Toggle Problems',
      'separator',
      'togglefullscreen',
    ]);
    expect(sub(3)).toEqual(['Podpath Documentation', 'separator', 'About Podpath']);
  });

  it('sends every menu action id exactly once, and each has its own accelerator', () => {
    const sent: MenuActionId[] = [];
    const template = buildMenuTemplate({
      platform: 'linux',
      appName: 'Podpath',
      send: (a) => sent.push(a),
    }) as Item[];
    const items = template.flatMap((m) => m.submenu ?? []).filter((i) => i.click);
    for (const i of items) i.click?.();
    expect([...sent].sort()).toEqual([...MENU_ACTIONS].sort());
    const accelerators = items.map((i) => i.accelerator).filter((a) => a !== undefined);
    expect(new Set(accelerators).size).toBe(accelerators.length);
    expect(items.find((i) => i.id === 'file:save')?.accelerator).toBe('CmdOrCtrl+S');
  });

  it('on macOS has the app menu first and no Quit in File; dev tools only when asked', () => {
    const mac = buildMenuTemplate({
      platform: 'darwin',
      appName: 'Podpath',
      send: () => undefined,
    }) as Item[];
    expect(labels(mac)).toEqual(['Podpath', '&File', '&Edit', '&View', '&Help']);
    expect(labels(mac[1]?.submenu ?? [])).not.toContain('quit');
    const dev = buildMenuTemplate({
      platform: 'linux',
      appName: 'Podpath',
      send: () => undefined,
      devTools: true,
    }) as Item[];
    expect(labels(dev[2]?.submenu ?? [])).toContain('toggleDevTools');
  });
});

describe('hardenWebContents', () => {
  function fakeContents() {
    const listeners = new Map<string, (event: { preventDefault(): void }, url?: string) => void>();
    let openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
    let permissionHandler: ((c: unknown, p: string, cb: (g: boolean) => void) => void) | null = null;
    let checkHandler: ((c: unknown, p: string) => boolean) | null = null;
    const contents: HardenableContents = {
      setWindowOpenHandler: (h) => (openHandler = h),
      on: (event: string, listener: (event: { preventDefault(): void }, url?: string) => void) =>
        listeners.set(event, listener),
      session: {
        setPermissionRequestHandler: (h) => (permissionHandler = h),
        setPermissionCheckHandler: (h) => (checkHandler = h),
      },
    } as HardenableContents;
    const fire = (event: string, url?: string): boolean => {
      let prevented = false;
      listeners.get(event)?.({ preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    return {
      contents,
      fire,
      open: (url: string) => openHandler?.({ url }),
      permission: (p: string) => new Promise<boolean>((resolve) => permissionHandler?.(null, p, resolve)),
      check: (p: string) => checkHandler?.(null, p),
    };
  }

  it('denies new windows, opening only allowed https links in the browser', () => {
    const f = fakeContents();
    const openExternal = vi.fn();
    const refused: string[] = [];
    hardenWebContents(f.contents, { openExternal, onRefused: (w, u, r) => refused.push(`${w} ${u}: ${r}`) });
    expect(f.open('https://kubernetes.io/docs/')).toEqual({ action: 'deny' });
    expect(f.open('http://kubernetes.io/docs/')).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls).toEqual([['https://kubernetes.io/docs/']]);
    expect(refused).toEqual([
      'new window http://kubernetes.io/docs/: http: links are not opened (only https)',
    ]);
  });

  it('keeps navigation inside the app and refuses webviews and permissions', async () => {
    const f = fakeContents();
    const openExternal = vi.fn();
    hardenWebContents(f.contents, { openExternal });
    expect(f.fire('will-navigate', 'app://podpath/index.html')).toBe(false);
    expect(f.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(f.fire('will-redirect', 'http://127.0.0.1:8080/')).toBe(true);
    expect(f.fire('will-navigate', 'https://docs.tigera.io/calico/latest/')).toBe(true);
    expect(openExternal.mock.calls).toEqual([['https://docs.tigera.io/calico/latest/']]);
    expect(f.fire('will-attach-webview')).toBe(true);
    expect(await f.permission('media')).toBe(false);
    expect(await f.permission('notifications')).toBe(false);
    expect(f.check('clipboard-read')).toBe(false);
  });
});
