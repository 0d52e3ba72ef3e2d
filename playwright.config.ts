import { defineConfig } from '@playwright/test';

// Browser end-to-end tests: Debian's Chromium (never a downloaded browser) against the web host
// (main/web/server.ts) serving the built renderer with the real SQLite storage in a temp dir.
// test/e2e/globalSetup.ts builds the renderer if needed and starts the host on a free port.
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: './test/e2e',
  testMatch: /.*\.e2e\.ts/,
  outputDir: './test-results/e2e',
  globalSetup: './test/e2e/globalSetup.ts',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
});
