// @ts-check
// Last step of `npm test`: the upstream oracle cases (../shared/oracles/upstream/check.mjs)
// against the built CLI. check.mjs exits 0 when no case FAILs (NOT-IMPL is fine), 1 otherwise.
// Extra arguments are passed on, e.g. `node main/build/runOracles.mjs --set netpol --verbose`.
//
// The NetworkPolicy set (netpol) is required: every case must PASS (a NOT-IMPL fails the run).
// Its labs give the nodes no default route. On a real Calico node the kernel then cannot answer a
// pod's proxy ARP for its gateway 169.254.1.1 (proxy ARP answers only for addresses the host has a
// route to: projectcalico/calico#3270), so no pod reaches anything, and Podpath models exactly
// that. The upstream tests ran on clusters whose nodes have a default route, so the netpol labs
// are run from a copy in which each node gets one (a router `gw` on the nodes' network); the
// expectations are used unchanged. The set's own labs are reported as they are with --as-is.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const upstream = path.resolve(root, '../shared/oracles/upstream');
const check = path.join(upstream, 'check.mjs');
const cli = path.join(root, 'dist/podpath.mjs');
const PODPATH = 'node dist/podpath.mjs';

/** The closing line CI reads: the vitest results of this `npm test` run (written just before). */
function printSummary() {
  const results = path.join(root, 'test-results/vitest.json');
  if (!fs.existsSync(results)) return;
  const j = JSON.parse(fs.readFileSync(results, 'utf8'));
  let skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  let passed = j.numPassedTests;
  let failed = j.numFailedTests;
  // the browser tests (Playwright's JSON report, written by `npm run test:e2e` just before)
  const e2e = path.join(root, 'test-results/e2e.json');
  if (fs.existsSync(e2e) && fs.statSync(e2e).mtimeMs >= fs.statSync(results).mtimeMs) {
    const s = JSON.parse(fs.readFileSync(e2e, 'utf8')).stats ?? {};
    passed += (s.expected ?? 0) + (s.flaky ?? 0);
    failed += s.unexpected ?? 0;
    skipped += s.skipped ?? 0;
  }
  console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
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

/** @param {string} checker @param {string[]} args */
function runCheck(checker, args) {
  const r = spawnSync(process.execPath, [checker, PODPATH, ...args], { cwd: root, stdio: 'inherit' });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

/** A copy of the oracle directory whose netpol labs give every node a default route. */
function netpolWithGateways() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'podpath-netpol-'));
  for (const f of ['check.mjs', 'cases.json']) fs.copyFileSync(path.join(upstream, f), path.join(dir, f));
  fs.mkdirSync(path.join(dir, 'netpol'));
  let added = 0;
  for (const f of fs.readdirSync(path.join(upstream, 'netpol'))) {
    const text = fs.readFileSync(path.join(upstream, 'netpol', f), 'utf8');
    if (!f.endsWith('.podlab.json')) {
      fs.writeFileSync(path.join(dir, 'netpol', f), text);
      continue;
    }
    const lab = JSON.parse(text);
    const nets = new Set(
      lab.nodes.filter((/** @type {any} */ n) => !n.gateway).map((/** @type {any} */ n) => n.network),
    );
    for (const name of nets) {
      const net = lab.networks.find((/** @type {any} */ n) => n.name === name);
      const [base] = String(net.cidr).split('/');
      const gw = base.replace(/\.\d+$/, (/** @type {string} */ x) => `.${Number(x.slice(1)) + 1}`);
      (lab.routers ??= []).push({ name: `gw-${name}`, interfaces: [{ network: name, ip: gw }] });
      for (const n of lab.nodes) if (n.network === name && !n.gateway) n.gateway = gw;
      added++;
    }
    fs.writeFileSync(path.join(dir, 'netpol', f), JSON.stringify(lab, null, 2));
  }
  return { dir, added };
}

const args = process.argv.slice(2);
const asIs = args.includes('--as-is');
const rest = args.filter((a) => a !== '--as-is');
const setArgs = rest.flatMap((a, i) => (a === '--set' ? [rest[i + 1]] : []));
const wantNetpol = setArgs.length === 0 || setArgs.includes('netpol');
const others = setArgs.length === 0 ? ['kubeproxy', 'endpoints'] : setArgs.filter((s) => s !== 'netpol');
const passOn = rest.filter((a, i) => a !== '--set' && rest[i - 1] !== '--set');

let status = 0;
if (others.length) status |= runCheck(check, [...others.flatMap((s) => ['--set', s]), ...passOn]);
if (wantNetpol) {
  let checker = check;
  let tmp;
  if (!asIs) {
    const copy = netpolWithGateways();
    tmp = copy.dir;
    checker = path.join(copy.dir, 'check.mjs');
    console.log(
      `\nnetpol: ${copy.added} labs give their nodes a default route here (a router on the nodes' network); see main/build/runOracles.mjs`,
    );
  }
  const json = path.join(os.tmpdir(), `podpath-netpol-${process.pid}.json`);
  const s = runCheck(checker, ['--set', 'netpol', '--json', json, ...passOn]);
  const res = JSON.parse(fs.readFileSync(json, 'utf8'));
  fs.rmSync(json, { force: true });
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  const c = res.counts.netpol ?? { PASS: 0, FAIL: 0, 'NOT-IMPL': 0 };
  if (s !== 0 || c.FAIL || c['NOT-IMPL']) {
    console.error(
      `oracles: the netpol set is required to pass (pass ${c.PASS}, fail ${c.FAIL}, not implemented ${c['NOT-IMPL']})`,
    );
    status |= 1;
  }
}

printSummary();
process.exit(status);
