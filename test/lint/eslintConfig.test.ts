// The real eslint.config.mjs, applied to snippets placed at chosen paths: checks that the
// STYLE.md "Enforcement" rules are wired to the right folders (files need not exist).
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({
  cwd: root,
  // type-aware rules are not under test here and need the files on disk
  overrideConfig: { files: ['**/*.ts', '**/*.tsx'], ...tseslint.configs.disableTypeChecked },
});

async function ruleIds(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

describe('eslint.config.mjs', () => {
  it.each([
    ["import fs from 'node:fs';", '@typescript-eslint/no-restricted-imports'],
    ["import { join } from 'path';", '@typescript-eslint/no-restricted-imports'],
    ["import { app } from 'electron';", '@typescript-eslint/no-restricted-imports'],
    ["import { useState } from 'react';", '@typescript-eslint/no-restricted-imports'],
    ["import cytoscape from 'cytoscape';", '@typescript-eslint/no-restricted-imports'],
    ["import { x } from '../../../main/cli/podpath.ts';", '@typescript-eslint/no-restricted-imports'],
    ['export const t = Date.now();', 'no-restricted-properties'],
    ['export const r = Math.random();', 'no-restricted-properties'],
    ['export const p = performance.now();', 'no-restricted-properties'],
    ['export const d = new Date();', 'no-restricted-syntax'],
    ['export default 1;', 'no-restricted-syntax'],
    ["import { parseCidr } from '../model/lab.ts';", 'local/code-layering'],
  ])('shared-sim rejects %s', async (code, rule) => {
    expect(await ruleIds('shared-sim/src/dataplane/zz.ts', `${code}\nexport {};\n`)).toContain(rule);
  });

  it('accepts pure shared-sim code', async () => {
    const code = `import type { Result } from '../core/result.ts';\nexport const f = (r: Result): Result => r;\n`;
    expect(await ruleIds('shared-sim/src/model/zz.ts', code)).toEqual([]);
  });

  it('keeps main and renderer on the public surface of shared-sim', async () => {
    const deep = "import { x } from '../../shared-sim/src/model/lab.ts';\nexport const y = x;\n";
    const index = "import { x } from '../../shared-sim/src/index.ts';\nexport const y = x;\n";
    expect(await ruleIds('main/cli/zz.ts', deep)).toContain('@typescript-eslint/no-restricted-imports');
    expect(await ruleIds('renderer/src/zz.ts', deep)).toContain('@typescript-eslint/no-restricted-imports');
    expect(await ruleIds('main/cli/zz.ts', index)).toEqual([]);
    expect(await ruleIds('main/cli/zz.ts', index.replace('/index.ts', ''))).toEqual([]);
  });

  it('lets renderer import main only as types of the IPC contract', async () => {
    const asType =
      "import type { PodpathApi } from '../../main/ipc/contract.ts';\nexport type A = PodpathApi;\n";
    const asValue = "import { channels } from '../../main/ipc/contract.ts';\nexport const c = channels;\n";
    const other = "import type { Db } from '../../main/storage/db.ts';\nexport type D = Db;\n";
    expect(await ruleIds('renderer/src/zz.ts', asType)).toEqual([]);
    expect(await ruleIds('renderer/src/zz.ts', asValue)).toContain(
      '@typescript-eslint/no-restricted-imports',
    );
    expect(await ruleIds('renderer/src/zz.ts', other)).toContain('@typescript-eslint/no-restricted-imports');
    expect(
      await ruleIds('renderer/src/zz.ts', "import { x } from 'electron';\nexport const y = x;\n"),
    ).toContain('@typescript-eslint/no-restricted-imports');
  });

  it('keeps main away from renderer', async () => {
    const code = "import { x } from '../../renderer/src/main.tsx';\nexport const y = x;\n";
    expect(await ruleIds('main/app/zz.ts', code)).toContain('@typescript-eslint/no-restricted-imports');
  });

  it('allows raw IPC only in main/ipc and main/preload', async () => {
    const code = "import { ipcMain } from 'electron';\nexport const i = ipcMain;\n";
    expect(await ruleIds('main/app/zz.ts', code)).toContain('@typescript-eslint/no-restricted-imports');
    expect(await ruleIds('main/ipc/zz.ts', code)).toEqual([]);
    const bridge = "import { contextBridge } from 'electron';\nexport const b = contextBridge;\n";
    expect(await ruleIds('main/preload/zz.ts', bridge)).toEqual([]);
  });

  it('bans raw IPC in the rest of main however it is reached (namespace, require)', async () => {
    const RULE = 'no-restricted-syntax';
    const cases = [
      "import * as electron from 'electron';\nexport const i = electron.ipcMain;\n",
      "import electron from 'electron';\nexport const r = electron.ipcRenderer;\n",
      "declare const require: (m: string) => { ipcMain: unknown };\nexport const i = require('electron').ipcMain;\n",
    ];
    for (const code of cases) {
      expect(await ruleIds('main/electron/main.ts', code)).toContain(RULE);
      expect(await ruleIds('main/app/zz.ts', code)).toContain(RULE);
      expect(await ruleIds('main/ipc/zz.ts', code)).not.toContain(RULE);
      expect(await ruleIds('main/electron/preload.ts', code)).not.toContain(RULE);
    }
    const named =
      "import { ipcRenderer, contextBridge } from 'electron';\nexport const x = [ipcRenderer, contextBridge];\n";
    expect(await ruleIds('main/electron/main.ts', named)).toEqual([
      '@typescript-eslint/no-restricted-imports',
      '@typescript-eslint/no-restricted-imports',
    ]);
    expect(await ruleIds('main/electron/preload.ts', named)).toEqual([]);
    // other Electron APIs stay usable in the shell
    expect(
      await ruleIds('main/electron/main.ts', "import { app } from 'electron';\nexport const a = app;\n"),
    ).toEqual([]);
  });

  it('requires type-only imports to say so', async () => {
    const code = "import { Result } from '../core/result.ts';\nexport type R = Result;\n";
    expect(await ruleIds('shared-sim/src/model/zz.ts', code)).toContain(
      '@typescript-eslint/consistent-type-imports',
    );
  });

  it('allows default exports only in config files', async () => {
    expect(await ruleIds('main/app/zz.ts', 'export default 1;\n')).toContain('no-restricted-syntax');
    expect(await ruleIds('vite.config.ts', 'export default 1;\n')).toEqual([]);
  });
});
