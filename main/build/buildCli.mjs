// @ts-check
// Bundles the command line (main/cli/podpath.ts → dist/podpath.mjs) and the benchmark
// (test/bench/bench.ts → dist/bench.mjs) with esbuild. Run by `npm run build:cli` and by `prepare`,
// so `npm install` / `npm ci` leave a ready `podpath` bin. Any build error exits non-zero.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // Native and Electron-only modules stay outside the bundle (playwright-core: the canvas bench
  // drives Chromium with it; it loads its own files at run time).
  external: ['better-sqlite3', 'electron', 'playwright-core'],
  // Bundled CommonJS dependencies may call require(); give them one in the ESM output.
  banner: {
    js: [
      '#!/usr/bin/env node',
      "import { createRequire as __podpathCreateRequire } from 'node:module';",
      'const require = __podpathCreateRequire(import.meta.url);',
    ].join('\n'),
  },
};

/** @param {string} entry @param {string} out @param {{ optional?: boolean }} [opts] */
async function build(entry, out, opts = {}) {
  const entryPath = path.join(root, entry);
  if (!fs.existsSync(entryPath)) {
    if (opts.optional) {
      console.log(`build:cli: ${entry} does not exist yet, ${out} not built`);
      return;
    }
    throw new Error(`build:cli: ${entry} is missing`);
  }
  const outfile = path.join(root, out);
  await esbuild.build({ ...common, entryPoints: [entryPath], outfile });
  fs.chmodSync(outfile, 0o755);
  console.log(`build:cli: ${entry} -> ${out}`);
}

// `npx podpath` in this checkout (npm >= 11: "self-execution of a local bin") links the project
// into ~/.npm/_npx/<hash> and runs `prepare` there once, with its output hidden; if that fails,
// npm leaves the cache entry broken (every later npx fails with ENOENT until it is deleted).
// So under `npm exec`, an existing dist/podpath.mjs is used as it is.
if (
  process.env['npm_command'] === 'exec' &&
  process.env['npm_lifecycle_event'] === 'prepare' &&
  fs.existsSync(path.join(root, 'dist/podpath.mjs'))
) {
  process.exit(0);
}

try {
  await build('main/cli/podpath.ts', 'dist/podpath.mjs');
  await build('test/bench/bench.ts', 'dist/bench.mjs', { optional: true });
} catch (err) {
  // esbuild has already printed its diagnostics
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
