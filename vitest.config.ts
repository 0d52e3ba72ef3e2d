import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/e2e/**', '**/node_modules/**'],
    environment: 'node',
    // Guard rail: no unit test may load the real `electron` module (it would try to download
    // the Electron binary). Tests that need it override this with their own vi.mock('electron').
    setupFiles: ['test/setup/noRealElectron.ts'],
  },
});
