/**
 * `npm start` (main/start.mjs): how it finds the Electron runtime without loading the electron
 * package, and, with no runtime, that it builds the bundles, starts the web host on 127.0.0.1,
 * prints the address and why Electron was not started, and serves the page and the API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseHost, displayAvailable, findElectron } from '../../main/start.mjs';
import { tempDir } from './storage/helpers';

const ROOT = path.resolve(__dirname, '../..');

function electronPackage(pathTxt?: string, binary?: string): string {
  const dir = path.join(tempDir(), 'electron');
  fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"electron","version":"45.4.1"}');
  if (pathTxt !== undefined) fs.writeFileSync(path.join(dir, 'path.txt'), pathTxt);
  if (binary !== undefined) fs.writeFileSync(path.join(dir, 'dist', binary), '');
  return dir;
}

describe('findElectron / chooseHost', () => {
  it('finds the runtime the way the electron package does (path.txt inside dist/)', () => {
    const dir = electronPackage('electron', 'electron');
    expect(findElectron({ electronDir: dir, env: {} })).toEqual({
      ok: true,
      bin: path.join(dir, 'dist', 'electron'),
    });
  });

  it.each([
    [
      'no package',
      () => path.join(tempDir(), 'none'),
      /^the electron package is not installed \(.*none is missing\)$/,
    ],
    [
      'no path.txt (as here: the download never happened)',
      () => electronPackage(),
      /^the Electron runtime is not installed \(the electron package downloads it from github\.com on first use, which this machine cannot reach\)$/,
    ],
    [
      'path.txt without the binary',
      () => electronPackage('electron'),
      /^the Electron runtime is incomplete \(.*dist\/electron is missing\)$/,
    ],
  ])('says why there is none: %s', (_name, dir, reason) => {
    const r = findElectron({ electronDir: dir(), env: {} });
    expect(r.ok ? '' : r.reason).toMatch(reason);
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH', () => {
    const dir = electronPackage();
    const dist = tempDir();
    fs.writeFileSync(path.join(dist, 'electron'), '');
    expect(
      findElectron({ electronDir: dir, env: { ELECTRON_OVERRIDE_DIST_PATH: dist }, platform: 'linux' }),
    ).toEqual({
      ok: true,
      bin: path.join(dist, 'electron'),
    });
    expect(
      findElectron({ electronDir: dir, env: { ELECTRON_OVERRIDE_DIST_PATH: dist }, platform: 'win32' }),
    ).toEqual({
      ok: false,
      reason: `ELECTRON_OVERRIDE_DIST_PATH is set but ${path.join(dist, 'electron.exe')} does not exist`,
    });
  });

  it('picks Electron only with a runtime and a display', () => {
    const dir = electronPackage('electron', 'electron');
    expect(chooseHost({ electronDir: dir, env: { DISPLAY: ':0' }, platform: 'linux' })).toEqual({
      kind: 'electron',
      bin: path.join(dir, 'dist', 'electron'),
    });
    expect(chooseHost({ electronDir: dir, env: {}, platform: 'linux' })).toEqual({
      kind: 'web',
      reason: 'there is no display to open a window on (DISPLAY and WAYLAND_DISPLAY are not set)',
    });
    expect(chooseHost({ electronDir: dir, env: {}, platform: 'win32' }).kind).toBe('electron');
    expect(chooseHost({ web: true, electronDir: dir, env: { DISPLAY: ':0' } })).toEqual({
      kind: 'web',
      reason: 'the web host was asked for (--web)',
    });
    expect(displayAvailable({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(true);
  });

  it('in this checkout: no Electron runtime, so the web host', () => {
    expect(chooseHost({ env: { DISPLAY: ':0' } })).toMatchObject({ kind: 'web' });
  });
});

describe('npm start without an Electron runtime', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGTERM');
  });

  it('builds, starts the web host, prints the URL and why, and serves the page and the API', async () => {
    const renderer = tempDir();
    fs.writeFileSync(
      path.join(renderer, 'index.html'),
      '<!doctype html><html><head><title>Podpath</title></head><body></body></html>',
    );
    const db = path.join(tempDir(), 'labs.db');
    child = spawn(process.execPath, [path.join(ROOT, 'main/start.mjs')], {
      cwd: ROOT,
      env: {
        ...process.env,
        PODPATH_ELECTRON_DIR: path.join(tempDir(), 'no-electron'),
        PODPATH_RENDERER_DIR: renderer,
        PODPATH_DB: db,
        PODPATH_PORT: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no URL within 90 s; stdout: ${stdout} stderr: ${stderr}`)),
        90_000,
      );
      child?.stdout?.on('data', (d: Buffer) => {
        stdout += d.toString();
        const m = /Podpath is running at (http:\/\/127\.0\.0\.1:\d+\/)\n[^\n]*Ctrl\+C to stop\n/.exec(stdout);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child?.on('exit', (code) => reject(new Error(`exited ${code}; stdout: ${stdout} stderr: ${stderr}`)));
    });
    const lines = stdout.split('\n').filter((l) => l.startsWith('podpath: '));
    expect(lines.slice(1)).toEqual([
      `podpath: labs are stored in ${db}`,
      `podpath: Podpath is running at ${url}`,
      'podpath: open that address in a browser on this computer; press Ctrl+C to stop',
    ]);
    expect(lines[0]).toMatch(
      /^podpath: Electron was not started: the electron package is not installed \(.*no-electron is missing\); serving Podpath in the browser instead$/,
    );

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    const token = /<meta name="podpath-token" content="([^"]+)">/.exec(html)?.[1] ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(stdout).not.toContain(token); // the token is in the page, not in the log

    const api = (channel: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${url}api/${channel}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    expect(
      await (await api('labs:create', { name: 'From the browser' }, { 'x-podpath-token': token })).json(),
    ).toMatchObject({
      ok: true,
      value: { name: 'From the browser', revision: 1 },
    });
    expect(await (await api('labs:list', {}, { 'x-podpath-token': token })).json()).toMatchObject({
      ok: true,
      value: [{ name: 'From the browser' }],
    });
    const noToken = await api('labs:list', {});
    expect(noToken.status).toBe(403);
    expect(fs.existsSync(db)).toBe(true);

    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 120_000);
});
