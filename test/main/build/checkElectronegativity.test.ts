// The electronegativity gate (main/build/checkElectronegativity.mjs): reading its SARIF report and
// requiring a reason on every eng-disable comment. (The tool itself runs in .ci/run: it spends
// 10-20 s on network look-ups that fail offline.)
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingsOf, unjustifiedDisables } from '../../../main/build/checkElectronegativity.mjs';

const ROOT = path.resolve(__dirname, '../../..');

describe('findingsOf', () => {
  it('lists what electronegativity reported (a real report, on a window without sandboxing)', () => {
    const sarif: unknown = JSON.parse(
      fs.readFileSync(path.join(__dirname, 'fixtures/electronegativity-findings.sarif'), 'utf8'),
    );
    expect(findingsOf(sarif)).toEqual([
      '(whole app) CSP_GLOBAL_CHECK (warning): No CSP has been detected in the target application',
      'w.ts:2 NODE_INTEGRATION_JS_CHECK (warning): Disable nodeIntegration for untrusted origins',
      'w.ts:3 OPEN_EXTERNAL_JS_CHECK (note): Review the use of openExternal',
    ]);
    expect(findingsOf({ runs: [{ results: [] }] })).toEqual([]);
  });
});

describe('unjustifiedDisables', () => {
  it('requires " -- reason" after the check names', () => {
    const text = [
      'a(); // eng-disable OPEN_EXTERNAL_JS_CHECK -- only checked URLs',
      'b(); // eng-disable PRELOAD_JS_CHECK',
      'c(); /* eng-disable CSP_GLOBAL_CHECK, AUXCLICK_JS_CHECK -- */',
    ].join('\n');
    expect(unjustifiedDisables(text, 'x.ts')).toEqual([
      'x.ts:2: eng-disable PRELOAD_JS_CHECK without a reason (add " -- why")',
      'x.ts:3: eng-disable CSP_GLOBAL_CHECK, AUXCLICK_JS_CHECK without a reason (add " -- why")',
    ]);
  });

  it('every exception in main/ says why', () => {
    const files = ['main/app/windows.ts', 'main/app/security.ts', 'main/electron/main.ts'];
    for (const f of files) {
      const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
      expect(text).toContain('eng-disable');
      expect(unjustifiedDisables(text, f)).toEqual([]);
    }
  });
});
