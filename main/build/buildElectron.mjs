// @ts-check
// Bundles the Electron shell with esbuild: main/electron/main.ts → dist/electron/main.cjs and
// main/electron/preload.ts → dist/electron/preload.cjs (sandboxed preloads must be CommonJS and may
// require nothing but 'electron'). `electron` stays external (the runtime provides it) and so does
// better-sqlite3 (a native module, unpacked from the asar by electron-builder).
// Also the web host for machines without Electron: main/web/main.ts → dist/web.mjs (ESM).
// Run by `npm run build:electron` and by `npm start`. Any build error exits non-zero.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outdir = path.join(root, 'dist/electron');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  logLevel: 'warning',
  sourcemap: true,
};

try {
  fs.mkdirSync(outdir, { recursive: true });
  await esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'main/electron/main.ts')],
    outfile: path.join(outdir, 'main.cjs'),
    external: ['electron', 'better-sqlite3'],
  });
  const preload = await esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'main/electron/preload.ts')],
    outfile: path.join(outdir, 'preload.cjs'),
    external: ['electron'],
    metafile: true,
  });
  // A sandboxed preload can require only 'electron' (and a few polyfilled modules): check the bundle.
  const imports = Object.values(preload.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  const foreign = imports.filter((p) => p !== 'electron');
  if (foreign.length > 0) throw new Error(`build:electron: the preload requires ${foreign.join(', ')}`);
  await esbuild.build({
    ...common,
    format: 'esm',
    target: 'node20',
    entryPoints: [path.join(root, 'main/web/main.ts')],
    outfile: path.join(root, 'dist/web.mjs'),
    external: ['better-sqlite3', 'electron'],
    // bundled CommonJS dependencies may call require(); give them one in the ESM output
    banner: {
      js: "import { createRequire as __podpathCreateRequire } from 'node:module';\nconst require = __podpathCreateRequire(import.meta.url);",
    },
  });
  console.log(
    'build:electron: main/electron/{main,preload}.ts -> dist/electron/{main,preload}.cjs; main/web/main.ts -> dist/web.mjs',
  );
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
