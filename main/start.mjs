// @ts-check
// `npm start`: builds what is needed, then runs Podpath.
//  1. builds the command line (dist/podpath.mjs), the renderer (dist/renderer, `vite build`) and
//     the Electron/web-host bundles (dist/electron/*.cjs, dist/web.mjs);
//  2. starts the Electron app when the Electron runtime is installed and a display is available;
//  3. otherwise starts the web host on 127.0.0.1 (a free port), prints its address and says why
//     Electron was not started.
//
// Options: `--web` always uses the web host; `--no-build` skips step 1 (use what dist/ holds).
// Environment: PODPATH_DB (the lab database), PODPATH_PORT (the web host's port),
// PODPATH_RENDERER_DIR (serve another renderer build; skips the renderer build),
// PODPATH_ELECTRON_DIR (where the electron package is; default node_modules/electron).
//
// It never require()s 'electron': that would start the binary download, which fails offline.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The Electron executable, as the electron package would find it (node_modules/electron/path.txt
 * names it inside dist/, or ELECTRON_OVERRIDE_DIST_PATH), or why there is none.
 * @param {{ electronDir?: string, env?: Record<string, string | undefined>, platform?: string }} [opts]
 * @returns {{ ok: true, bin: string } | { ok: false, reason: string }}
 */
export function findElectron(opts = {}) {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const dir = opts.electronDir ?? env['PODPATH_ELECTRON_DIR'] ?? path.join(root, 'node_modules', 'electron');
  if (!fs.existsSync(path.join(dir, 'package.json')))
    return { ok: false, reason: `the electron package is not installed (${dir} is missing)` };
  const pathTxt = path.join(dir, 'path.txt');
  const override = env['ELECTRON_OVERRIDE_DIST_PATH'];
  let executable = fs.existsSync(pathTxt) ? fs.readFileSync(pathTxt, 'utf8').trim() : '';
  if (override) {
    if (executable === '')
      executable =
        platform === 'win32'
          ? 'electron.exe'
          : platform === 'darwin'
            ? 'Electron.app/Contents/MacOS/Electron'
            : 'electron';
    const bin = path.join(override, executable);
    return fs.existsSync(bin)
      ? { ok: true, bin }
      : { ok: false, reason: `ELECTRON_OVERRIDE_DIST_PATH is set but ${bin} does not exist` };
  }
  if (executable === '')
    return {
      ok: false,
      reason:
        'the Electron runtime is not installed (the electron package downloads it from github.com on first use, which this machine cannot reach)',
    };
  const bin = path.join(dir, 'dist', executable);
  if (!fs.existsSync(bin))
    return { ok: false, reason: `the Electron runtime is incomplete (${bin} is missing)` };
  return { ok: true, bin };
}

/**
 * Can a window be shown? (Linux needs an X11 or Wayland display.)
 * @param {Record<string, string | undefined>} env @param {string} platform
 */
export function displayAvailable(env = process.env, platform = process.platform) {
  if (platform !== 'linux') return true;
  return Boolean(env['DISPLAY'] || env['WAYLAND_DISPLAY']);
}

/**
 * How to start: Electron, or the web host and why.
 * @param {{ web?: boolean, env?: Record<string, string | undefined>, platform?: string, electronDir?: string }} [opts]
 * @returns {{ kind: 'electron', bin: string } | { kind: 'web', reason: string }}
 */
export function chooseHost(opts = {}) {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  if (opts.web) return { kind: 'web', reason: 'the web host was asked for (--web)' };
  const electron = findElectron({
    env,
    platform,
    ...(opts.electronDir ? { electronDir: opts.electronDir } : {}),
  });
  if (!electron.ok) return { kind: 'web', reason: electron.reason };
  if (!displayAvailable(env, platform))
    return {
      kind: 'web',
      reason: 'there is no display to open a window on (DISPLAY and WAYLAND_DISPLAY are not set)',
    };
  return { kind: 'electron', bin: electron.bin };
}

/** @param {string} what @param {string[]} args */
function run(what, args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`podpath: ${what} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

function build() {
  run('building the command line', [path.join(root, 'main/build/buildCli.mjs')]);
  if (!process.env['PODPATH_RENDERER_DIR'])
    run('building the user interface', [
      path.join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--logLevel',
      'warn',
    ]);
  run('building the Electron and web host bundles', [path.join(root, 'main/build/buildElectron.mjs')]);
}

async function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--web' && a !== '--no-build');
  if (unknown.length > 0) {
    console.error(`podpath start: unknown option ${unknown[0]} (options: --web, --no-build)`);
    process.exit(1);
  }
  if (!args.includes('--no-build')) build();
  const host = chooseHost({ web: args.includes('--web') });
  if (host.kind === 'electron') {
    console.log(`podpath: starting Electron (${host.bin})`);
    const child = spawn(host.bin, [root], { stdio: 'inherit' });
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    return;
  }
  console.log(`podpath: Electron was not started: ${host.reason}; serving Podpath in the browser instead`);
  await import(pathToFileURL(path.join(root, 'dist/web.mjs')).href);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
