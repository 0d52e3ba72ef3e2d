/**
 * The web host: the built renderer and the API contract over HTTP/JSON, on 127.0.0.1 only.
 * Used by the browser end-to-end tests and on machines without the Electron runtime (`npm start`
 * there runs main/start.mjs → main/web/start.ts). It serves the same services as the Electron
 * shell (main/app/services.ts over the same SQLite storage) through the same dispatch() and
 * schemas.
 *
 *   GET  /, /index.html, /assets/…   static files from `root` (index.html carries the token)
 *   POST /api/<channel>              JSON body → dispatch() → JSON envelope (always HTTP 200)
 *
 * Another local page must not be able to drive the API (it could read and delete a user's labs),
 * so every API request needs the per-start random token in `x-podpath-token` (a custom header
 * also forces a CORS preflight, which is never answered with CORS headers), and a request whose
 * Origin is not the host's own is refused.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CSP } from '../app/csp';
import { dispatch } from '../ipc/dispatch';
import type { PodpathServices } from '../ipc/services';

export const TOKEN_HEADER = 'x-podpath-token';
export const TOKEN_META = 'podpath-token';
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
const HOST = '127.0.0.1';

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
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  // the same policy as the Electron app:// protocol (main/app/csp.ts)
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export interface WebHostOptions {
  /** The built renderer (contains index.html). */
  readonly root: string;
  readonly services: PodpathServices;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Told about internal errors; defaults to console.error without the input. */
  readonly onInternalError?: (channel: string, error: unknown) => void;
}

export interface WebHost {
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const root = await realpath(path.resolve(options.root));
  const token = randomBytes(32).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const onInternalError =
    options.onInternalError ??
    ((channel: string, error: unknown) => console.error(`podpath web host: ${channel}:`, error));
  let origin = '';
  let hostHeader = '';

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) send(res, error.status, error.message);
      else {
        onInternalError('http', error);
        send(res, 500, 'internal error');
      }
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends its own Host.
    if (req.headers.host !== hostHeader) {
      throw new HttpError(403, 'forbidden: wrong Host');
    }
    const reqOrigin = req.headers.origin;
    if (reqOrigin !== undefined && reqOrigin !== origin)
      throw new HttpError(403, 'forbidden: foreign Origin');

    const rawPath = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (rawPath === '/api' || rawPath.startsWith('/api/'))
      return handleApi(req, res, rawPath.slice('/api/'.length));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      throw new HttpError(405, 'method not allowed');
    }
    return serveStatic(req, res, rawPath);
  }

  async function handleApi(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    channel: string,
  ): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      throw new HttpError(405, 'method not allowed: the API takes POST');
    }
    const given = req.headers[TOKEN_HEADER];
    const givenBytes = Buffer.from(typeof given === 'string' ? given : '');
    if (givenBytes.length !== tokenBytes.length || !timingSafeEqual(givenBytes, tokenBytes)) {
      throw new HttpError(403, 'forbidden: missing or wrong token');
    }
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) throw new HttpError(415, 'the API takes application/json');
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > MAX_BODY_BYTES) {
      res.setHeader('connection', 'close');
      throw new HttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`);
    }
    const body = await readBody(req, res);
    let input: unknown = undefined;
    if (body.trim() !== '') {
      try {
        input = JSON.parse(body);
      } catch {
        throw new HttpError(400, 'the request body is not valid JSON');
      }
    }
    const result = await dispatch(decodeURIComponentSafe(channel) ?? '', input, {
      services: options.services,
      onInternalError,
    });
    sendJson(res, 200, result);
  }

  function readBody(req: http.IncomingMessage, res: http.ServerResponse): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      req.on('data', (chunk: Buffer) => {
        if (done) return;
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          done = true;
          res.setHeader('connection', 'close');
          reject(new HttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (done) return;
        done = true;
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
      req.on('error', (error) => {
        if (done) return;
        done = true;
        reject(error);
      });
    });
  }

  async function serveStatic(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    rawPath: string,
  ): Promise<void> {
    const decoded = decodeURIComponentSafe(rawPath);
    if (decoded === null || decoded.includes('\0') || decoded.includes('\\'))
      throw new HttpError(400, 'bad path');
    const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
    const file = await resolveInside(root, relative);
    if (file === null) throw new HttpError(404, 'not found');

    const ext = path.extname(file).toLowerCase();
    const contentType = CONTENT_TYPES[ext] ?? 'application/octet-stream';
    if (file === path.join(root, 'index.html')) {
      const html = injectToken(await readFile(file, 'utf8'), token);
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': contentType,
        'cache-control': 'no-store',
        'content-length': Buffer.byteLength(html),
      });
      res.end(req.method === 'HEAD' ? undefined : html);
      return;
    }
    const info = await stat(file);
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': contentType, 'content-length': info.size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  hostHeader = `${HOST}:${port}`;
  origin = `http://${hostHeader}`;

  return {
    url: `${origin}/`,
    token,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function decodeURIComponentSafe(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/**
 * The file `relative` names inside `root`, or null when it does not exist, is not a regular file,
 * or resolves (through `..` or a symlink) outside `root`.
 */
export async function resolveInside(root: string, relative: string): Promise<string | null> {
  const candidate = path.resolve(root, relative);
  if (!isInside(root, candidate)) return null;
  let real: string;
  try {
    real = await realpath(candidate);
    if (!(await stat(real)).isFile()) return null;
  } catch {
    return null;
  }
  return isInside(root, real) ? real : null;
}

function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/** Adds `<meta name="podpath-token" content="…">` to the page's head (the token is base64url: no escaping needed). */
export function injectToken(html: string, token: string): string {
  const meta = `<meta name="${TOKEN_META}" content="${token}">`;
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head)
    return html.slice(0, head.index + head[0].length) + meta + html.slice(head.index + head[0].length);
  return meta + html;
}

function send(res: http.ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { ok: false, error: message });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
