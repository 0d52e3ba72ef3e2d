/**
 * The one API client the UI uses: `getPodpath()`. Under Electron the sandboxed preload exposes
 * `window.podpath`; in a browser (the web host) the same calls go over `POST /api/<channel>` with
 * the per-start token the host put in `<meta name="podpath-token">`. The UI does not know which.
 */
import type {
  ChannelName,
  Envelope,
  Invoke,
  MenuActionId,
  PodpathApi,
  PodpathBridge,
} from '../../../main/ipc/contract';

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge); absent in a browser. */
    readonly podpath?: PodpathApi;
  }
}

/**
 * Every channel of the contract. `satisfies Record<ChannelName, true>` makes this list exactly the
 * contract's (a missing or unknown channel is a type error), without importing the contract at run
 * time (the renderer may import it only as types).
 */
const CHANNELS = {
  'labs:list': true,
  'labs:get': true,
  'labs:create': true,
  'labs:save': true,
  'labs:autosave': true,
  'labs:rename': true,
  'labs:delete': true,
  'labs:revisions': true,
  'labs:restore': true,
  'labs:importYaml': true,
  'labs:exportYaml': true,
  'settings:get': true,
  'settings:set': true,
  'files:recent': true,
  'files:importLab': true,
  'files:exportLab': true,
  'sim:validate': true,
} as const satisfies Record<ChannelName, true>;

export const TOKEN_META = 'podpath-token';
export const TOKEN_HEADER = 'x-podpath-token';

/** Builds the API object from a transport (used for HTTP here; the same shape the preload exposes). */
export function createPodpathApi(invoke: Invoke): PodpathApi {
  const api: Record<string, Record<string, (input?: unknown) => Promise<Envelope<unknown>>>> = {};
  for (const channel of Object.keys(CHANNELS) as ChannelName[]) {
    const [domain = '', verb = ''] = channel.split(':');
    (api[domain] ??= {})[verb] = (input?: unknown) => invoke(channel, input);
  }
  return api as unknown as PodpathApi;
}

export interface HttpClientOptions {
  /** Where the web host is; default: the page's own origin. */
  readonly baseUrl?: string;
  /** Default: read from the page's `<meta name="podpath-token">`. */
  readonly token?: string;
  readonly fetch?: typeof fetch;
}

function readTokenFromPage(): string {
  const meta = document.querySelector<HTMLMetaElement>(`meta[name="${TOKEN_META}"]`);
  return meta?.content ?? '';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A transport over the web host's HTTP API. Network and HTTP errors become `{ ok: false, error }`. */
export function createHttpInvoke(options: HttpClientOptions = {}): Invoke {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');
  let token = options.token;
  return async (channel, input) => {
    token ??= readTokenFromPage();
    let response: Response;
    try {
      response = await doFetch(`${base}/api/${channel}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
        body: JSON.stringify(input ?? {}),
        credentials: 'same-origin',
      });
    } catch (error) {
      return { ok: false, error: `${channel}: cannot reach the Podpath web host: ${messageOf(error)}` };
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return { ok: false, error: `${channel}: the web host answered HTTP ${response.status} without JSON` };
    }
    if (isEnvelope(body)) {
      if (!body.ok && !body.error.startsWith(`${channel}:`))
        return { ok: false, error: `${channel}: ${body.error}` };
      return body;
    }
    return { ok: false, error: `${channel}: the web host answered HTTP ${response.status} with no result` };
  };
}

function isEnvelope(value: unknown): value is Envelope<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { ok?: unknown; error?: unknown };
  return v.ok === true ? 'value' in v : v.ok === false && typeof v.error === 'string';
}

let cached: PodpathApi | undefined;

/** The API of whichever host the renderer runs under (Electron preload or the web host). */
export function getPodpath(): PodpathApi {
  if (cached) return cached;
  cached = window.podpath ?? createPodpathApi(createHttpInvoke());
  return cached;
}

/**
 * Application-menu actions (File › Save, View › Fit, …) sent by the Electron shell. In a browser
 * there is no application menu: the listener is never called. Returns the unsubscribe function.
 */
export function onMenuAction(listener: (action: MenuActionId) => void): () => void {
  const bridge = window.podpath as Partial<PodpathBridge> | undefined;
  return bridge?.shell?.onMenuAction(listener) ?? (() => undefined);
}
