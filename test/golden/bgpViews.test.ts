/**
 * Golden BGP views: `birdc show protocols`, `birdc show route` and `calicoctl node status` on the
 * Calico BGP example labs, byte for byte against test/golden/bgp/<lab>/<host>.<command>.txt.
 *
 * Formats (checked against real output of calico-node's BIRD, `BIRD v0.3.3+birdv1.6.8`): protocol
 * rows `%-8s %-8s %-8s %-6s %-11s %s` with BIRD's `%-14s` state in the info column (so the
 * trailing spaces after `Established` are real), times as `%T` within 20 hours; route rows
 * `%-18s via … on … [protocol time from …] * (preference/IGP metric) [AS…origin]`; calicoctl's
 * tablewriter table with centred headers. Known deviation: BIRD lists networks in its hash-table
 * order, Podpath in address order.
 *
 * UPDATE_GOLDEN=1 rewrites the files from the current output (a reviewed diff).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile, parseLabText, runCommand, type World } from '../../shared-sim/src/index';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LABS_DIR = path.resolve(HERE, '../../assets/labs');
const DIR = path.join(HERE, 'bgp');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const NOW = Date.UTC(2026, 10, 22, 9, 0, 0);

const CASES: readonly (readonly [string, readonly string[]])[] = [
  ['calico-bgp-fullmesh-3node', ['node/node-1']],
  ['calico-bgp-rr-4node', ['node/node-1', 'node/node-2']],
  ['calico-bgp-tor-peering', ['node/node-1', 'node/node-3']],
];
const COMMANDS = ['birdc show protocols', 'birdc show route', 'calicoctl node status'];

function world(lab: string): World {
  const p = parseLabText(readFileSync(path.join(LABS_DIR, `${lab}.podlab.json`), 'utf8'));
  if (!p.ok) throw new Error(p.problems.map((x) => x.message).join('\n'));
  return compile(p.lab, p.warnings);
}

describe('BGP views (golden)', () => {
  for (const [lab, hosts] of CASES) {
    const w = world(lab);
    for (const host of hosts)
      for (const cmd of COMMANDS) {
        const file = path.join(DIR, lab, `${host.replace(/\//g, '_')}.${cmd.replace(/ /g, '_')}.txt`);
        it(`${lab} ${host} ${cmd}`, () => {
          const h = w.fabric.hosts.get(host);
          if (!h) throw new Error(`no host ${host}`);
          const r = runCommand(w, h, cmd, { now: NOW });
          if (!r.ok) throw new Error(r.error);
          if (UPDATE || !existsSync(file)) {
            mkdirSync(path.dirname(file), { recursive: true });
            writeFileSync(file, r.stdout);
          }
          expect(r.stdout).toBe(readFileSync(file, 'utf8'));
        });
      }
  }
});
