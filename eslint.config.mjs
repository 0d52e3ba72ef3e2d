// The lint config is the architecture diagram (STYLE.md "Enforcement" 2-6). Every rule here is
// an error: `npm run lint` runs with --max-warnings 0 and is part of `npm test`.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { localPlugin } from './main/build/eslint/codeLayering.mjs';

const TS = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];
const ALL = [...TS, '**/*.js', '**/*.mjs', '**/*.cjs', '**/*.jsx'];
const CONFIG_FILES = ['*.config.{ts,mts,js,mjs,cjs}', '**/*.d.ts', 'test/e2e/global{Setup,Teardown}.ts'];

// no-restricted-syntax / no-restricted-imports options do not merge across config objects
// (a later object replaces the options), so the pieces are composed here per folder.
const NO_DEFAULT_EXPORT = {
  selector: 'ExportDefaultDeclaration',
  message: 'Use named exports (default exports only in config files).',
};
const NO_WALL_CLOCK = [
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'use core/clock.ts' },
  { selector: "CallExpression[callee.name='Date']", message: 'use core/clock.ts' },
];

const IPC_NAMES = ['ipcMain', 'ipcRenderer', 'contextBridge'];
const RAW_IPC_MESSAGE =
  'use main/ipc/register.ts (raw IPC only in main/ipc/**, main/preload/** and main/electron/preload.ts)';
const NO_RAW_IPC = ['electron', 'electron/main', 'electron/renderer', 'electron/common'].map((name) => ({
  name,
  importNames: IPC_NAMES,
  message: RAW_IPC_MESSAGE,
}));
// The same through a namespace or require: `electron.ipcMain`, `require('electron').ipcRenderer`.
const NO_RAW_IPC_MEMBER = {
  selector: `MemberExpression[property.name=/^(${IPC_NAMES.join('|')})$/]`,
  message: RAW_IPC_MESSAGE,
};
/** Where raw Electron IPC is allowed: the IPC modules and the preloads. */
const RAW_IPC_FILES = ['main/ipc/**', 'main/preload/**', 'main/electron/preload.ts'];
const NO_ELECTRON = ['electron', 'electron/main', 'electron/renderer', 'electron/common'].map((name) => ({
  name,
  message: 'the renderer is sandboxed: use window.podpath (renderer/src/platform/podpath.ts)',
}));

// Specifiers into shared-sim other than its public surface (shared-sim/src, .../index, .../index.ts).
const SHARED_SIM_INTERNALS = {
  regex: String.raw`(^|/)shared-sim/(?!src(/index(\.[cm]?[jt]s)?)?$)`,
  message: 'import from shared-sim/src/index.ts',
};
const NODE_BUILTINS = {
  group: ['node:*', 'fs', 'fs/*', 'path', 'path/*', 'os', 'child_process', 'crypto', 'worker_threads'],
  message: 'no Node APIs here',
};

export default defineConfig(
  {
    ignores: ['dist/**', 'release/**', 'coverage/**', 'test-results/**', 'playwright-report/**', '.vite/**'],
  },
  { files: ALL, extends: [js.configs.recommended] },
  {
    files: TS,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    files: ALL,
    plugins: { '@typescript-eslint': tseslint.plugin, local: localPlugin },
    // one parser for TS and JS alike, so the @typescript-eslint rules below also run on .mjs files
    languageOptions: { parser: tseslint.parser },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      'no-restricted-syntax': ['error', NO_DEFAULT_EXPORT],
    },
  },
  { files: CONFIG_FILES, rules: { 'no-restricted-syntax': 'off' } },

  // --- shared-sim: pure TypeScript, deterministic, layered (Enforcement 2 and 3) ---
  {
    files: ['shared-sim/**'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { ...NODE_BUILTINS, message: 'shared-sim is pure TypeScript: no Node APIs' },
            { group: ['electron', 'electron/*'], message: 'shared-sim is pure TypeScript: no Electron' },
            { group: ['react', 'react-*', 'react/*'], message: 'shared-sim has no UI: no React' },
            { group: ['cytoscape', 'cytoscape*'], message: 'shared-sim has no UI: no cytoscape' },
            { group: ['**/main', '**/main/**'], message: 'shared-sim imports nothing outside itself' },
            {
              group: ['**/renderer', '**/renderer/**'],
              message: 'shared-sim imports nothing outside itself',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        ...[
          ['Date', 'now'],
          ['Math', 'random'],
          ['performance', 'now'],
        ].map(([object, property]) => ({ object, property, message: 'use core/clock.ts / core/rng.ts' })),
      ],
      'no-restricted-syntax': ['error', NO_DEFAULT_EXPORT, ...NO_WALL_CLOCK],
    },
  },
  {
    files: ['shared-sim/src/**'],
    rules: { 'local/code-layering': 'error' },
  },
  {
    // The sanctioned homes of time and randomness (the message above points here).
    files: ['shared-sim/src/core/clock.ts', 'shared-sim/src/core/rng.ts'],
    rules: { 'no-restricted-properties': 'off', 'no-restricted-syntax': ['error', NO_DEFAULT_EXPORT] },
  },

  // --- main: Node + Electron; shared-sim only via its index; never the renderer (Enforcement 4 and 6) ---
  {
    files: ['main/**'],
    rules: {
      'no-restricted-syntax': ['error', NO_DEFAULT_EXPORT, NO_RAW_IPC_MEMBER],
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: NO_RAW_IPC,
          patterns: [
            SHARED_SIM_INTERNALS,
            { group: ['**/renderer', '**/renderer/**'], message: 'main never imports renderer' },
          ],
        },
      ],
    },
  },
  {
    files: RAW_IPC_FILES,
    rules: {
      'no-restricted-syntax': ['error', NO_DEFAULT_EXPORT],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            SHARED_SIM_INTERNALS,
            { group: ['**/renderer', '**/renderer/**'], message: 'main never imports renderer' },
          ],
        },
      ],
    },
  },

  // --- renderer: DOM only; shared-sim via its index; main only as types of the IPC contract (4, 5, 6) ---
  {
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: NO_ELECTRON,
          patterns: [
            SHARED_SIM_INTERNALS,
            { ...NODE_BUILTINS, message: 'the renderer has no Node APIs' },
            {
              regex: String.raw`(^|/)main/(?!ipc/contract(\.[cm]?[jt]s)?$)`,
              message: 'renderer may import main only as `import type` from main/ipc/contract.ts',
            },
            {
              regex: String.raw`(^|/)main/ipc/contract(\.[cm]?[jt]s)?$`,
              allowTypeImports: true,
              message: 'renderer may import main/ipc/contract.ts only as `import type`',
            },
          ],
        },
      ],
    },
  },

  // --- relaxations ---
  {
    // Plain JS (build helpers, config files) is not part of a tsconfig: no type-aware rules.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' },
    },
  },
);
