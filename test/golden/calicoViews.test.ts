/**
 * Golden views of the Calico labs: what `podpath show LAB --on HOST "COMMAND"` prints, compared
 * byte for byte with test/golden/views/<lab>/<host>.<command>.txt.
 *
 * The formats were checked against iproute2 6.1 on this machine, in network namespaces built the
 * way calico-node and the calico CNI plugin build them (veth with ee:ee:ee:ee:ee:ee and a /32,
 * vxlan.calico with nolearning, `blackhole …/26 proto 80`, `… proto 80 onlink`, permanent
 * neighbour and FDB entries). tunl0 cannot be created here (no ipip module): its lines follow
 * iproute2's output for the fallback IPIP device (`tunl0@NONE: <NOARP,UP,LOWER_UP>`,
 * `link/ipip 0.0.0.0 brd 0.0.0.0`). UPDATE_GOLDEN=1 rewrites the files; a change is a reviewed diff.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile, parseLabText, runCommand, type World } from '../../shared-sim/src/index';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LABS_DIR = path.resolve(HERE, '../../assets/labs');
const VIEWS_DIR = path.join(HERE, 'views');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const NOW = Date.UTC(2026, 10, 22, 1, 38, 21);

const CASES: Readonly<Record<string, readonly string[]>> = {
  'calico-vxlan-3node': ['node/node-1', 'pod/shop/web-1'],
  'calico-ipip-crosssubnet': ['node/node-1', 'pod/shop/web-1'],
  'calico-bgp-two-subnets-no-peering': ['node/node-1'],
};
const COMMANDS = ['ip addr', 'ip link', 'ip route', 'ip neigh', 'bridge fdb show', 'iptables-save'];

function slug(command: string): string {
  return command
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function load(lab: string): World {
  const parsed = parseLabText(readFileSync(path.join(LABS_DIR, `${lab}.podlab.json`), 'utf8'));
  if (!parsed.ok) throw new Error(`${lab}: ${parsed.problems.map((p) => p.message).join('; ')}`);
  return compile(parsed.lab, parsed.warnings);
}

for (const [lab, hosts] of Object.entries(CASES)) {
  describe(`golden views: ${lab}`, () => {
    const world = load(lab);
    for (const host of hosts) {
      for (const command of COMMANDS) {
        const rel = `${lab}/${host.replace(/\//g, '_')}.${slug(command)}.txt`;
        it(`${host}: ${command}`, () => {
          const h = world.fabric.hosts.get(host);
          if (!h) throw new Error(`no host ${host}`);
          const out = runCommand(world, h, command, { now: NOW });
          if (!out.ok) throw new Error(`${command} on ${host}: ${out.error}`);
          const file = path.join(VIEWS_DIR, rel);
          if (UPDATE) {
            mkdirSync(path.dirname(file), { recursive: true });
            writeFileSync(file, out.stdout);
          }
          if (!existsSync(file))
            throw new Error(`${rel} is missing; run UPDATE_GOLDEN=1 npx vitest run test/golden`);
          expect(out.stdout).toBe(readFileSync(file, 'utf8'));
        });
      }
    }
  });
}
