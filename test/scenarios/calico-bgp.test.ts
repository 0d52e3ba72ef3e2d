/**
 * Calico BGP end to end: the control plane (sessions, UPDATEs, reflectors, faults) decides which
 * routes BIRD installs, and packets walked through the compiled lab go where those routes say.
 * Also `podpath bgp LAB [--json]` and `podpath show … "birdc …"` through the command line.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  compile,
  parseLab,
  resolveTarget,
  walk,
  worldBgp,
  type Trace,
  type World,
} from '../../shared-sim/src/index';
import { runCli } from '../../main/cli/run';

const LABS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../assets/labs');
const NOW = Date.UTC(2026, 10, 22, 9, 0, 0);

type LabJson = Record<string, unknown> & { faults?: unknown[] };

function json(name: string): LabJson {
  return JSON.parse(readFileSync(path.join(LABS, `${name}.podlab.json`), 'utf8')) as LabJson;
}

function build(j: LabJson): World {
  const p = parseLab(j);
  if (!p.ok) throw new Error(p.problems.map((x) => x.message).join('\n'));
  return compile(p.lab, p.warnings);
}

function trace(w: World, from: string, to: string, port: number): Trace {
  const r = resolveTarget(w, { from, to, port });
  if (!r.ok) throw new Error(r.error);
  return walk(w.fabric, r.probe).trace;
}

function cli(
  args: string[],
  files: Record<string, string> = {},
): { code: number; stdout: string; stderr: string } {
  return runCli(args, {
    readFile: (p) => files[p] ?? readFileSync(p, 'utf8'),
    now: () => NOW,
  });
}

describe('route reflector, end to end', () => {
  it('clients reach each other through routes learned from the reflector', () => {
    const w = build(json('calico-bgp-rr-4node'));
    const t = trace(w, 'shop/api-1', 'shop/db-1', 5432);
    expect(t.verdict).toBe('delivered');
    const fwd = t.hops.find((h) => h.host === 'node/node-2' && h.stage === 'route');
    expect(fwd?.rule).toBe('10.244.0.128/26 via 192.168.10.13 dev eth0 proto bird');
  });

  it('reflector down: the clients flushed the routes, so node-2 sends the packet to its default gateway, which drops it', () => {
    const j = json('calico-bgp-rr-4node');
    j.faults = [{ type: 'route-reflector-down', node: 'node-1' }];
    const w = build(j);
    const t = trace(w, 'shop/api-1', 'shop/db-1', 5432);
    expect(t.verdict).toBe('no-route');
    expect(t.reason).toMatch(/^router\/gw has no route to 10\.244\.0\.128/);
    const fwd = t.hops.find((h) => h.host === 'node/node-2' && h.stage === 'route');
    expect(fwd?.rule).toBe('default via 192.168.10.1 dev eth0 proto static');
    const bgp = worldBgp(w)!;
    expect(bgp.sessions.every((s) => s.state === 'Active')).toBe(true);
    expect(bgp.installed.get('node/node-2')).toEqual([
      { prefix: '10.244.0.64/26', via: '', type: 'blackhole' },
    ]);
  });
});

describe('ToR peering, end to end', () => {
  it('a pod in rack A reaches a pod in rack B: node-1 routes via tor, tor knows the block from BGP', () => {
    const w = build(json('calico-bgp-tor-peering'));
    const t = trace(w, 'shop/web-1', 'shop/db-1', 5432);
    expect(t.verdict).toBe('delivered');
    const hops = t.hops.filter((h) => h.stage === 'route').map((h) => `${h.host}: ${h.rule ?? ''}`);
    expect(hops).toContain('node/node-1: 10.244.0.128/26 via 192.168.1.1 dev eth0 proto bird');
    expect(hops).toContain('router/tor: 10.244.0.128/26 via 192.168.2.13 dev eth1 proto bird');
  });
});

describe('podpath bgp', () => {
  const lab = path.join(LABS, 'calico-bgp-fullmesh-3node.podlab.json');

  it('prints the sessions, the events in order and the installed routes', () => {
    const r = cli(['bgp', lab]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(
      'BGP in lab "Three nodes, Calico BGP full mesh": AS 64512, 3 speakers, 3 sessions, 3 established',
    );
    expect(lines).toContain(
      '  node-1 192.168.10.11 ↔ node-2 192.168.10.12  iBGP, node-to-node mesh: Established — iBGP session established (node-2 connected)',
    );
    expect(lines).toContain('Events (48; 6 UPDATE messages)');
    expect(lines).toContain(
      '    30     1.002s  update-received   node-2 ← node-1: UPDATE 10.244.0.0/26 next hop 192.168.10.11, AS path (empty), local pref 100',
    );
    expect(r.stdout).toContain(
      '  node/node-1\n    blackhole 10.244.0.0/26 proto bird\n    10.244.0.64/26 via 192.168.10.12 dev eth0 proto bird\n    10.244.0.128/26 via 192.168.10.13 dev eth0 proto bird\n',
    );
  });

  it('--json: one document with speakers, sessions, events, RIBs and installed routes', () => {
    const r = cli(['bgp', lab, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      sessions: { id: string; state: string; aName: string }[];
      events: { seq: number; type: string }[];
      rib: Record<string, Record<string, { paths: { protocol: string; nextHop?: string }[] }>>;
      installed: Record<string, { prefix: string; via: string; type: string }[]>;
      counts: { events: number; updates: number; sessions: number };
    };
    expect(doc.sessions.map((s) => [s.id, s.state, s.aName])).toEqual([
      ['node/node-1~node/node-2', 'Established', 'Mesh_192_168_10_12'],
      ['node/node-1~node/node-3', 'Established', 'Mesh_192_168_10_13'],
      ['node/node-2~node/node-3', 'Established', 'Mesh_192_168_10_13'],
    ]);
    expect(doc.counts).toEqual({ events: 48, updates: 6, sessions: 3 });
    expect(doc.events).toHaveLength(48);
    expect(doc.rib['node/node-3']?.['10.244.0.0/26']?.paths[0]).toMatchObject({
      protocol: 'Mesh_192_168_10_11',
      nextHop: '192.168.10.11',
    });
    expect(doc.installed['node/node-2']?.map((x) => `${x.type} ${x.prefix} ${x.via}`)).toEqual([
      'unicast 10.244.0.0/26 192.168.10.11',
      'blackhole 10.244.0.64/26 ',
      'unicast 10.244.0.128/26 192.168.10.13',
    ]);
  });

  it('refuses a Calico VXLAN lab: no BIRD there', () => {
    const r = cli(['bgp', path.join(LABS, 'calico-vxlan-3node.podlab.json')]);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'podpath: lab "Three nodes, Calico VXLAN" uses Calico VXLAN: calico-node runs without BIRD there (Felix programs the routes), so there is no BGP\n',
    });
  });

  it('refuses a Flannel lab with a clear message', () => {
    const r = cli(['bgp', path.join(LABS, 'flannel-vxlan-2node.podlab.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^podpath: lab ".*" uses flannel: there is no BGP \(only Calico runs BIRD\)\n$/);
  });

  it('birdc on a stopped reflector fails as birdc does; calicoctl on a client shows the refused session', () => {
    const j = json('calico-bgp-rr-4node');
    j.faults = [{ type: 'route-reflector-down', node: 'node-1' }];
    const files = { 'rr-down.podlab.json': JSON.stringify(j) };
    const b = cli(['show', 'rr-down.podlab.json', '--on', 'node/node-1', 'birdc show protocols'], files);
    expect(b).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Unable to connect to server control socket (/var/run/calico/bird.ctl): Connection refused\n',
    });
    const c = cli(['show', 'rr-down.podlab.json', '--on', 'node/node-2', 'calicoctl node status'], files);
    expect(c.stdout).toContain(
      '| 192.168.10.11 | node specific | start | 08:50:11 | Active        Socket: Connection refused |',
    );
    const p = cli(['show', 'rr-down.podlab.json', '--on', 'node/node-3', 'birdc show protocols'], files);
    expect(p.stdout.split('\n')).toContain(
      'Node_192_168_10_11 BGP      master   start  08:50:11    Active        Socket: Connection refused',
    );
  });
});
