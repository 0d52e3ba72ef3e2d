// @ts-check
// Runs @doyensec/electronegativity over main/ and fails on any finding it reports.
// electronegativity always exits 0, so this reads its SARIF report instead. A finding is either
// fixed or justified in the code with a comment electronegativity honours, on the reported line:
//     preload: options.preload, // eng-disable PRELOAD_JS_CHECK -- why this is safe
// Such a comment must say why (` -- reason`); one without a reason fails the check too.
// Run by .ci/run and `npm run lint:electron`. Offline it spends ~10-20 s on two failed look-ups
// (translations, Electron releases); both are harmless.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The findings of a SARIF report, as `file:line RULE (level): message`.
 * @param {unknown} sarif
 * @returns {string[]}
 */
export function findingsOf(sarif) {
  const runs = /** @type {{ runs?: { results?: any[] }[] }} */ (sarif).runs ?? [];
  return runs.flatMap((run) =>
    (run.results ?? []).map((r) => {
      const loc = r.locations?.[0]?.physicalLocation;
      const uri = String(loc?.artifactLocation?.uri ?? '');
      const where =
        uri === '' || uri === 'file:///' ? '(whole app)' : `${uri}:${loc?.region?.startLine ?? 0}`;
      return `${where} ${r.ruleId} (${r.level}): ${r.message?.text ?? ''}`;
    }),
  );
}

/**
 * `eng-disable` comments that do not say why (no ` -- reason` after the check names).
 * @param {string} text @param {string} file
 * @returns {string[]}
 */
export function unjustifiedDisables(text, file) {
  const out = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const m = /(?:\/\/|\/\*)[ \t]*eng-disable[ \t]+([\w \t,]+)(.*)$/.exec(line);
    if (m && !/^\s*--\s*\w/.test(m[2] ?? ''))
      out.push(`${file}:${i + 1}: eng-disable ${(m[1] ?? '').trim()} without a reason (add " -- why")`);
  }
  return out;
}

/** @param {string} dir @returns {string[]} */
function sourceFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|mts|cts|js|mjs|cjs|html)$/.test(e.name) ? [p] : [];
  });
}

function main() {
  const input = path.join(root, 'main');
  const electronVersion = JSON.parse(
    fs.readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8'),
  ).version;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'podpath-electronegativity-'));
  const report = path.join(dir, 'electronegativity.sarif');
  const tool = path.join(root, 'node_modules/@doyensec/electronegativity/dist/index.js');
  const r = spawnSync(process.execPath, [tool, '-i', input, '-o', report, '-e', electronVersion, '-r'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (!fs.existsSync(report)) {
    console.error(`electronegativity wrote no report (exit ${r.status}):\n${r.stdout}${r.stderr}`);
    process.exit(1);
  }
  const findings = findingsOf(JSON.parse(fs.readFileSync(report, 'utf8')));
  fs.rmSync(dir, { recursive: true, force: true });
  const self = fileURLToPath(import.meta.url);
  const files = sourceFiles(input).filter((f) => f !== self);
  const unjustified = files.flatMap((f) =>
    unjustifiedDisables(fs.readFileSync(f, 'utf8'), path.relative(root, f)),
  );
  const justified = files.reduce(
    (n, f) => n + (fs.readFileSync(f, 'utf8').match(/(?:\/\/|\/\*)[ \t]*eng-disable /g)?.length ?? 0),
    0,
  );
  if (findings.length > 0 || unjustified.length > 0) {
    for (const f of findings) console.error(`electronegativity: main/${f}`);
    for (const u of unjustified) console.error(`electronegativity: ${u}`);
    console.error(
      `electronegativity: ${findings.length} finding(s) in main/; fix them, or justify each with "// eng-disable CHECK_ID -- reason" on the reported line`,
    );
    process.exit(1);
  }
  console.log(
    `electronegativity: no findings in main/ (Electron ${electronVersion}; ${justified} justified exception(s))`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
