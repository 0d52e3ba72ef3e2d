/**
 * The desktop app itself, driven by Playwright's `_electron`: open the app, create a lab, save,
 * quit, reopen and find it; the window's lockdown (no Node in the page, navigation and popups
 * refused). These run only where an Electron runtime is installed (and, on Linux, a display
 * exists); elsewhere they are skipped with the reason. The build machines have no runtime: the
 * same flows run in Chromium against the web host (the other *.e2e.ts specs), and the shell's
 * wiring is unit-tested against a fake electron (test/main/electron/).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import type { LabRecord } from '../../main/ipc/contract';
import { chooseHost } from '../../main/start.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const host = chooseHost();

test.skip(
  host.kind !== 'electron',
  `the Electron app cannot run here: ${host.kind === 'web' ? host.reason : ''} (the browser specs cover the UI against the web host)`,
);

let userData: string;

test.beforeAll(() => {
  if (host.kind !== 'electron') return;
  userData = fs.mkdtempSync(path.join(os.tmpdir(), 'podpath-electron-e2e-'));
  // the bundles `electron .` runs (package.json "main"), and the renderer they serve
  execFileSync(process.execPath, [path.join(ROOT, 'main/build/buildElectron.mjs')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (!fs.existsSync(path.join(ROOT, 'dist/renderer/index.html')))
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'],
      {
        cwd: ROOT,
        stdio: 'inherit',
      },
    );
});

test.afterAll(() => {
  if (userData) fs.rmSync(userData, { recursive: true, force: true });
});

async function launch(): Promise<{ app: ElectronApplication; page: Page }> {
  if (host.kind !== 'electron') throw new Error('no Electron runtime');
  const app = await electron.launch({
    executablePath: host.bin,
    args: [ROOT],
    env: { ...process.env, PODPATH_DB: path.join(userData, 'podpath.db') },
  });
  const page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
  return { app, page };
}

/** Calls `window.podpath.<domain>.<verb>(input)` (the API the preload exposes) in the page. */
function call(page: Page, domain: string, verb: string, input?: unknown): Promise<unknown> {
  return page.evaluate(
    ([d, v, i]) => {
      const api = (
        window as unknown as { podpath: Record<string, Record<string, (x: unknown) => Promise<unknown>>> }
      ).podpath;
      const method = api[d]?.[v];
      if (!method) throw new Error(`window.podpath.${d}.${v} does not exist`);
      return method(i);
    },
    [domain, verb, input] as const,
  );
}

test('opens the app, creates and saves a lab, quits, reopens and finds it', async () => {
  let { app, page } = await launch();
  expect(page.url()).toBe('app://podpath/index.html');
  const created = await call(page, 'labs', 'create', { name: 'Electron e2e lab' });
  expect(created).toMatchObject({ ok: true, value: { name: 'Electron e2e lab', revision: 1 } });
  const id = (created as { value: LabRecord }).value.id;
  const document = { podpath: 1, name: 'Electron e2e lab', description: 'saved' };
  expect(await call(page, 'labs', 'save', { id, document })).toMatchObject({
    ok: true,
    value: { revision: 2 },
  });
  await app.close();

  ({ app, page } = await launch());
  expect(await call(page, 'labs', 'list')).toMatchObject({
    ok: true,
    value: [{ id, name: 'Electron e2e lab' }],
  });
  expect(await call(page, 'labs', 'get', { id })).toMatchObject({
    ok: true,
    value: { revision: 2, document },
  });
  await app.close();
});

test('the page has no Node, cannot navigate away or open windows', async () => {
  const { app, page } = await launch();
  expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
  expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
  expect(
    await page.evaluate(() => Object.keys((window as unknown as { podpath: object }).podpath).sort()),
  ).toEqual(['files', 'labs', 'settings', 'shell', 'sim']);
  expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
  await page.evaluate(() => {
    window.location.href = 'https://example.com/';
  });
  await page.waitForTimeout(500);
  expect(page.url()).toBe('app://podpath/index.html');
  // the same window options the unit tests check, read back from the running app
  const title = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.getTitle() ?? '');
  expect(title).toBe('Podpath');
  await app.close();
});
