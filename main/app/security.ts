/**
 * What the window may load and open (STYLE.md example 10). Plain functions over URLs, so they are
 * tested in Node; main/app/windows.ts wires them to Electron's events.
 *  - The app is served as `app://podpath/…` (main/app/protocol.ts); nothing else may be navigated to.
 *  - External links (documentation) open in the user's browser only when the URL is https, has no
 *    credentials or port, and its host is on the allow-list.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'podpath';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Hosts whose pages the app links to (Kubernetes, Calico, Flannel and Linux documentation). */
export const EXTERNAL_HOSTS: readonly string[] = [
  'kubernetes.io',
  'docs.tigera.io',
  'github.com',
  'man7.org',
  'docs.kernel.org',
  'www.kernel.org',
  'bird.network.cz',
];

export type UrlCheck =
  { readonly ok: true; readonly url: string } | { readonly ok: false; readonly reason: string };

/** May this URL be opened in the user's browser? (`shell.openExternal` only after this says yes.) */
export function checkExternalUrl(raw: string, allowedHosts: readonly string[] = EXTERNAL_HOSTS): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (url.protocol !== 'https:')
    return { ok: false, reason: `${url.protocol} links are not opened (only https)` };
  if (url.username !== '' || url.password !== '')
    return { ok: false, reason: 'links with a user name or password are not opened' };
  if (url.port !== '') return { ok: false, reason: 'links with a port are not opened' };
  if (!allowedHosts.includes(url.hostname.toLowerCase()))
    return { ok: false, reason: `${url.hostname} is not on the list of documentation sites` };
  return { ok: true, url: url.href };
}

/** Is this URL a page of the app itself (`app://podpath/…`)? */
export function isAppUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (
      url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && url.username === '' && url.password === ''
    );
  } catch {
    return false;
  }
}

/** The parts of Electron's WebContents that hardening touches (Electron's own type satisfies it). */
export interface HardenableContents {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: { preventDefault(): void }, url: string) => void,
  ): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  readonly session: {
    setPermissionRequestHandler(
      handler: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null,
    ): void;
    setPermissionCheckHandler(handler: ((contents: unknown, permission: string) => boolean) | null): void;
  };
}

export interface HardenOptions {
  /** `shell.openExternal`; called only with URLs checkExternalUrl accepted. */
  readonly openExternal: (url: string) => unknown;
  /** Told about every refusal (for the log); default: nothing. */
  readonly onRefused?: (what: string, url: string, reason: string) => void;
}

/**
 * Locks a web contents down: no new windows (an allowed external link opens in the browser), no
 * navigation away from the app, no <webview>, no permission (camera, notifications, …) granted.
 */
export function hardenWebContents(contents: HardenableContents, options: HardenOptions): void {
  const refused = options.onRefused ?? (() => undefined);
  const openIfAllowed = (url: string, what: string): void => {
    const check = checkExternalUrl(url);
    if (check.ok)
      void options.openExternal(check.url); // eng-disable OPEN_EXTERNAL_JS_CHECK -- only https URLs on EXTERNAL_HOSTS, checked just above
    else refused(what, url, check.reason);
  };
  contents.setWindowOpenHandler(({ url }) => {
    openIfAllowed(url, 'new window');
    return { action: 'deny' };
  });
  const stayInApp = (event: { preventDefault(): void }, url: string): void => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    openIfAllowed(url, 'navigation');
  };
  contents.on('will-navigate', stayInApp);
  contents.on('will-redirect', stayInApp);
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    refused('webview', '', 'webviews are not allowed');
  });
  contents.session.setPermissionRequestHandler((_contents, permission, callback) => {
    refused('permission request', permission, 'permissions are never granted');
    callback(false);
  });
  contents.session.setPermissionCheckHandler(() => false);
}
