/**
 * The web host on 127.0.0.1 (port 0) with a temporary static root. All traffic stays on the
 * loopback interface: raw requests go through node:http so that paths and headers are sent as
 * written (fetch would normalise `..` and forbid setting Origin/Host).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP } from '../../../main/app/csp';
import type { LabRecord } from '../../../main/ipc/contract';
import {
  injectToken,
  MAX_BODY_BYTES,
  resolveInside,
  startWebHost,
  TOKEN_HEADER,
  type WebHost,
} from '../../../main/web/server';
import { createHttpInvoke, createPodpathApi } from '../../../renderer/src/platform/podpath';
import { createFakeServices, VXLAN_LAB } from './fakeServices';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let host: WebHost;
let port: number;
let dir: string;
let root: string;
let origin: string;

function request(
  method: string,
  urlPath: string,
  options: { headers?: Record<string, string | number>; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: urlPath, headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

function api(channel: string, input: unknown, headers: Record<string, string | number> = {}): Promise<Reply> {
  const body = JSON.stringify(input);
  return request('POST', `/api/${channel}`, {
    headers: { 'content-type': 'application/json', [TOKEN_HEADER]: host.token, ...headers },
    body,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'podpath-web-'));
  root = path.join(dir, 'renderer');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(
    path.join(root, 'index.html'),
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Podpath</title>\n</head>\n<body><div id="root"></div></body>\n</html>\n',
  );
  writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log("podpath");\n');
  writeFileSync(path.join(root, 'assets', 'app.css'), 'body { margin: 0 }\n');
  writeFileSync(path.join(root, 'assets', 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(path.join(dir, 'secret.txt'), 'outside the root\n');
  symlinkSync(path.join(dir, 'secret.txt'), path.join(root, 'assets', 'link.txt'));
  host = await startWebHost({ root, services: createFakeServices(), onInternalError: () => undefined });
  const url = new URL(host.url);
  port = Number(url.port);
  origin = url.origin;
});

afterAll(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('web host: listening', () => {
  it('is bound to 127.0.0.1 on a free port with a fresh random token', async () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(port).toBeGreaterThan(0);
    expect(host.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const other = await startWebHost({ root, services: createFakeServices() });
    try {
      expect(other.token).not.toBe(host.token);
      expect(other.url).not.toBe(host.url);
    } finally {
      await other.close();
    }
  });
});

describe('web host: static files', () => {
  it('GET / serves index.html with the token in a meta tag', async () => {
    const r = await request('GET', '/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers['content-security-policy']).toBe(CSP);
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.body).toContain(`<head><meta name="podpath-token" content="${host.token}">`);
    expect(r.body).toContain('<div id="root"></div>');
    expect((await request('GET', '/index.html?x=1')).body).toContain(host.token);
  });

  it.each([
    ['/assets/app.js', 'text/javascript; charset=utf-8'],
    ['/assets/app.css', 'text/css; charset=utf-8'],
    ['/assets/icon.svg', 'image/svg+xml'],
  ])('GET %s with its content type', async (p, type) => {
    const r = await request('GET', p);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(type);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  it('HEAD gets headers only; other methods are refused', async () => {
    const head = await request('HEAD', '/assets/app.js');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await request('PUT', '/assets/app.js')).status).toBe(405);
  });

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '/%00index.html',
    '/%E0%A4%A',
    '//etc/passwd',
    '/assets/link.txt',
    '/assets',
    '/missing.js',
  ])('GET %s outside the root (or not a file) is refused with 400/403/404', async (p) => {
    const r = await request('GET', p);
    expect([400, 403, 404]).toContain(r.status);
    expect(r.body).not.toContain('outside the root');
  });
});

describe('web host: traversal guard and token injection (units)', () => {
  it('resolveInside refuses existing files outside the root, through .. or a symlink', async () => {
    expect(await resolveInside(root, 'index.html')).toBe(path.join(root, 'index.html'));
    expect(await resolveInside(root, '../secret.txt')).toBeNull();
    expect(await resolveInside(root, 'assets/../../secret.txt')).toBeNull();
    expect(await resolveInside(root, path.join(dir, 'secret.txt'))).toBeNull();
    expect(await resolveInside(root, 'assets/link.txt')).toBeNull();
    expect(await resolveInside(root, 'assets')).toBeNull();
    expect(await resolveInside(root, '')).toBeNull();
  });

  it('injectToken puts the meta tag first in <head>, or first in a page without one', () => {
    expect(injectToken('<html><head lang="en"><title>x</title></head></html>', 't0k')).toBe(
      '<html><head lang="en"><meta name="podpath-token" content="t0k"><title>x</title></head></html>',
    );
    expect(injectToken('<p>hi</p>', 't0k')).toBe('<meta name="podpath-token" content="t0k"><p>hi</p>');
  });
});

describe('web host: API', () => {
  it('POST /api/<channel> with the token is dispatched', async () => {
    const created = await api('labs:create', { name: 'Over HTTP', document: VXLAN_LAB });
    expect(created.status).toBe(200);
    expect(created.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(created.body) as { ok: true; value: LabRecord };
    expect(body).toMatchObject({ ok: true, value: { name: 'Over HTTP', revision: 1 } });
    const listed = JSON.parse((await api('labs:list', {})).body) as unknown;
    expect(listed).toMatchObject({ ok: true, value: [{ id: body.value.id }] });
  });

  it('with the same origin, and with an empty body for an input-less channel', async () => {
    const r = await api('labs:list', {}, { origin });
    expect(r.status).toBe(200);
    const empty = await request('POST', '/api/settings:get', {
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: host.token },
    });
    expect(JSON.parse(empty.body)).toEqual({ ok: true, value: {} });
  });

  it('an invalid input and an unknown channel come back as error envelopes', async () => {
    expect(JSON.parse((await api('labs:rename', { id: 'x', name: '' })).body)).toEqual({
      ok: false,
      error: 'labs:rename: name: must be 1-200 characters',
    });
    expect(JSON.parse((await api('labs:explode', {})).body)).toEqual({
      ok: false,
      error: 'unknown channel: labs:explode',
    });
  });

  it('a request without the token is refused with 403', async () => {
    const r = await request('POST', '/api/labs:list', {
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toEqual({ ok: false, error: 'forbidden: missing or wrong token' });
  });

  it('a request with a wrong token is refused with 403', async () => {
    const wrong = host.token.slice(0, -1) + (host.token.endsWith('A') ? 'B' : 'A');
    expect((await api('labs:list', {}, { [TOKEN_HEADER]: wrong })).status).toBe(403);
    expect((await api('labs:list', {}, { [TOKEN_HEADER]: 'short' })).status).toBe(403);
  });

  it.each(['http://evil.example', 'http://localhost:' + '1', 'null', 'http://127.0.0.1:1'])(
    'a request from Origin %s is refused with 403, even with the token',
    async (o) => {
      const r = await api('labs:list', {}, { origin: o });
      expect(r.status).toBe(403);
    },
  );

  it('a request for another Host (DNS rebinding) is refused with 403', async () => {
    const r = await api('labs:list', {}, { host: `evil.example:${port}` });
    expect(r.status).toBe(403);
    expect((await request('GET', '/', { headers: { host: `evil.example:${port}` } })).status).toBe(403);
  });

  it('only POST on /api', async () => {
    const r = await request('GET', '/api/labs:list', { headers: { [TOKEN_HEADER]: host.token } });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('POST');
  });

  it('a body that is not JSON is 400, a non-JSON content type 415', async () => {
    const headers = { [TOKEN_HEADER]: host.token, 'content-type': 'application/json' };
    expect((await request('POST', '/api/labs:list', { headers, body: '{nope' })).status).toBe(400);
    expect(
      (
        await request('POST', '/api/labs:list', {
          headers: { ...headers, 'content-type': 'text/plain' },
          body: '{}',
        })
      ).status,
    ).toBe(415);
  });

  it('an oversized body is refused with 413 (declared length)', async () => {
    const r = await request('POST', '/api/labs:list', {
      headers: {
        'content-type': 'application/json',
        [TOKEN_HEADER]: host.token,
        'content-length': MAX_BODY_BYTES + 1,
      },
    });
    expect(r.status).toBe(413);
  });

  it('an oversized body is refused with 413 (streamed without a length)', async () => {
    const big = Buffer.alloc(MAX_BODY_BYTES + 1024, 0x20);
    const r = await request('POST', '/api/labs:list', {
      headers: {
        'content-type': 'application/json',
        [TOKEN_HEADER]: host.token,
        'transfer-encoding': 'chunked',
      },
      body: big,
    }).catch((error: NodeJS.ErrnoException) => ({ status: error.code === 'EPIPE' ? 413 : 0 }));
    expect(r.status).toBe(413);
  });
});

describe('renderer client over the web host', () => {
  it('createPodpathApi(createHttpInvoke()) talks to the host with the token from the page', async () => {
    const page = await request('GET', '/');
    const token = /<meta name="podpath-token" content="([^"]+)">/.exec(page.body)?.[1];
    expect(token).toBe(host.token);
    const podpath = createPodpathApi(createHttpInvoke({ baseUrl: origin, token }));
    const created = await podpath.labs.create({ name: 'Client', document: VXLAN_LAB });
    expect(created).toMatchObject({ ok: true, value: { name: 'Client' } });
    const id = created.ok ? created.value.id : '';
    expect(await podpath.labs.rename({ id, name: '' })).toEqual({
      ok: false,
      error: 'labs:rename: name: must be 1-200 characters',
    });
    const listed = await podpath.labs.list();
    expect(listed.ok && listed.value.some((l) => l.id === id)).toBe(true);
    const validated = await podpath.sim.validate({ document: { podpath: 1, nodes: 'x' } });
    expect(validated.ok && validated.value.valid).toBe(false);
  });

  it('a wrong token and an unreachable host become error envelopes, not rejections', async () => {
    const wrong = createPodpathApi(createHttpInvoke({ baseUrl: origin, token: 'nope' }));
    expect(await wrong.labs.list()).toEqual({
      ok: false,
      error: 'labs:list: forbidden: missing or wrong token',
    });
    const gone = createPodpathApi(
      createHttpInvoke({
        baseUrl: origin,
        token: host.token,
        fetch: () => Promise.reject(new Error('offline')),
      }),
    );
    expect(await gone.settings.get()).toEqual({
      ok: false,
      error: 'settings:get: cannot reach the Podpath web host: offline',
    });
  });
});
