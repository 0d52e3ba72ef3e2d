/**
 * Starts the web host for the browser tests: the renderer (built here, into a temp directory) and the app services over a fresh SQLite database in a temp
 * directory (PODPATH_DB). The URL goes to the specs through PODPATH_E2E_URL; screenshots go to
 * test-results/e2e/screens.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openAppServices } from '../../main/app/services';
import { startWebHost } from '../../main/web/server';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Builds the renderer into a directory of its own, so that a `vite build` running at the same
 * time (which empties dist/renderer) cannot pull the files from under the browser.
 * PODPATH_E2E_ROOT=dir serves an existing build instead.
 */
function buildRenderer(dir: string): string {
  const given = process.env['PODPATH_E2E_ROOT'];
  if (given) return path.resolve(given);
  const out = path.join(dir, 'renderer');
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error', '--outDir', out],
    { cwd: ROOT, stdio: 'inherit' },
  );
  return out;
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'podpath-e2e-'));
  const root = buildRenderer(dir);
  const opened = openAppServices({ path: path.join(dir, 'labs.db') });
  if (!opened.ok) throw new Error(`cannot open the test database: ${opened.error}`);
  const host = await startWebHost({ root, services: opened.value.services });
  process.env['PODPATH_E2E_URL'] = host.url;
  fs.mkdirSync(path.join(ROOT, 'test-results/e2e/screens'), { recursive: true });
  return async () => {
    await host.close();
    opened.value.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
