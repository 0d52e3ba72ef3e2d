// @ts-check
// Last step of `npm test`: the upstream oracle cases (../shared/oracles/upstream/check.mjs)
// against the built CLI. check.mjs exits 0 when no case FAILs (NOT-IMPL is fine), 1 otherwise.
// Extra arguments are passed on, e.g. `node main/build/runOracles.mjs --set netpol --verbose`.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const check = path.resolve(root, '../shared/oracles/upstream/check.mjs');
const cli = path.join(root, 'dist/podpath.mjs');

/** The closing line CI reads: the vitest results of this `npm test` run (written just before). */
function printSummary() {
  const results = path.join(root, 'test-results/vitest.json');
  if (!fs.existsSync(results)) return;
  const j = JSON.parse(fs.readFileSync(results, 'utf8'));
  const skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  console.log(
    `tests: ${j.numPassedTests} passed, ${j.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`,
  );
}

if (!fs.existsSync(check)) {
  console.log(`oracles: skipped (${path.relative(root, check)} not found)`);
  printSummary();
  process.exit(0);
}
// check.mjs reports a missing command as NOT-IMPL, which would pass silently: fail instead.
if (!fs.existsSync(cli)) {
  console.error('oracles: dist/podpath.mjs is missing; run `npm run build:cli`');
  process.exit(1);
}
const r = spawnSync(process.execPath, [check, 'node dist/podpath.mjs', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
if (r.error) throw r.error;

printSummary();
process.exit(r.status ?? 1);
