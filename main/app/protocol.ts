/**
 * The `app://podpath/` protocol: the packaged renderer files (dist/renderer), never a remote URL.
 * `resolveAppRequest` is the traversal guard: a request maps to a regular file inside the root
 * (after decoding, `..` resolution and symlinks), or it is refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CSP } from './csp';
import { APP_HOST, APP_SCHEME } from './security';

export type AppRequest =
  | { readonly ok: true; readonly file: string; readonly contentType: string }
  | { readonly ok: false; readonly status: 400 | 403 | 404; readonly reason: string };

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

function inside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Maps `app://podpath/<path>` to a file under `root` (a real path), or says why not. */
export function resolveAppRequest(root: string, requestUrl: string): AppRequest {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { ok: false, status: 400, reason: 'not a URL' };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST)
    return { ok: false, status: 403, reason: `${url.protocol}//${url.host} is not the app` };
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, status: 400, reason: 'bad percent-encoding' };
  }
  if (decoded.includes('\0') || decoded.includes('\\'))
    return { ok: false, status: 400, reason: 'NUL or backslash in the path' };
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const candidate = path.resolve(root, relative);
  if (!inside(root, candidate)) return { ok: false, status: 403, reason: 'outside the app' };
  let real: string;
  try {
    real = fs.realpathSync(candidate);
    if (!fs.statSync(real).isFile()) return { ok: false, status: 404, reason: 'not a file' };
  } catch {
    return { ok: false, status: 404, reason: 'no such file' };
  }
  if (!inside(root, real)) return { ok: false, status: 403, reason: 'a link out of the app' };
  const contentType = CONTENT_TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream';
  return { ok: true, file: real, contentType };
}

/** The response for one app:// request: the file with CSP and nosniff, or an empty error status. */
export async function appProtocolResponse(root: string, requestUrl: string): Promise<Response> {
  const r = resolveAppRequest(root, requestUrl);
  if (!r.ok) return new Response(null, { status: r.status, statusText: r.reason });
  const body = await fs.promises.readFile(r.file);
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': r.contentType,
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    },
  });
}

/** The part of Electron's `protocol` module used here (Electron's own object satisfies it). */
export interface ProtocolLike {
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
}

/** Serves `root` (the built renderer) as app://podpath/. The root itself is resolved once. */
export function registerAppProtocol(protocol: ProtocolLike, root: string): void {
  const realRoot = fs.realpathSync(root);
  protocol.handle(APP_SCHEME, (request) => appProtocolResponse(realRoot, request.url));
}

/** For `protocol.registerSchemesAsPrivileged` (before the app is ready). */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
} as const;
