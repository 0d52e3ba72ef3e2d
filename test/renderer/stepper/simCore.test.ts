import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run';
import { SimCore, CACHE_SIZE } from '../../../renderer/src/worker/simCore';
import { SimClient, inlineWorker } from '../../../renderer/src/worker/simClient';
import type { SimResponse, TraceResult } from '../../../renderer/src/worker/protocol';

const LABS = path.resolve(__dirname, '../../../assets/labs');
const VXLAN_FILE = path.join(LABS, 'flannel-vxlan-2node.podlab.json');
const SVC_FILE = path.join(LABS, 'services-iptables.podlab.json');
const VXLAN = JSON.parse(readFileSync(VXLAN_FILE, 'utf8')) as Record<string, unknown>;
const SVC = JSON.parse(readFileSync(SVC_FILE, 'utf8')) as Record<string, unknown>;
const NOW = Date.UTC(2026, 10, 22, 1, 38, 21);

function value<T>(r: SimResponse): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

function cli(...argv: string[]): string {
  const r = runCli(argv, { readFile: (f) => readFileSync(f, 'utf8'), now: () => NOW });
  expect(r.stderr).toBe('');
  return r.stdout;
}

describe('SimCore trace', () => {
  it('returns the same trace as `podpath trace --json`, flattened into request then reply steps', () => {
    const core = new SimCore();
    const r = value<TraceResult>(
      core.handle({
        id: 1,
        kind: 'trace',
        lab: { key: 'a', doc: VXLAN },
        probe: { from: 'shop/web-1', to: 'shop/api-1', port: 8080 },
      }),
    );
    const json = JSON.parse(
      cli('trace', VXLAN_FILE, '--from', 'shop/web-1', '--to', 'shop/api-1', '--port', '8080', '--json'),
    ) as Record<string, unknown>;
    expect(JSON.parse(JSON.stringify({ ...r.trace, conntrack: r.conntrack }))).toEqual(json);
    const req = r.trace.hops.length;
    const rep = r.trace.reply?.hops.length ?? 0;
    expect(r.steps).toHaveLength(req + rep);
    expect(r.steps.map((s) => s.index)).toEqual([...Array(req + rep).keys()]);
    expect(r.steps[0]?.phase).toBe('request');
    expect(r.steps[req]?.phase).toBe('reply');
    expect(r.steps[req]?.hopIndex).toBe(0);
    // MTUs read from the hosts: the pod's eth0 under Flannel VXLAN is 1450, the node's NIC 1500
    expect(r.steps.find((s) => s.hop.host === 'pod/shop/web-1' && s.hop.stage === 'tx')?.mtu).toBe(1450);
    expect(
      r.steps.find((s) => s.hop.host === 'node/node-1' && s.hop.iface === 'eth0' && s.hop.stage === 'tx')
        ?.mtu,
    ).toBe(1500);
    expect(r.timing.cached).toBe(false);
  });

  it('puts the DNS query and its answer before the request when the target is a name', () => {
    const core = new SimCore();
    const r = value<TraceResult>(
      core.handle({
        id: 1,
        kind: 'trace',
        lab: { key: 's', doc: SVC },
        probe: { from: 'shop/web-1', to: 'web', port: 80 },
      }),
    );
    expect(r.dns?.address).toBe('10.99.9.225');
    const phases = [...new Set(r.steps.map((s) => s.phase))];
    expect(phases).toEqual(['dns', 'dns-reply', 'request', 'reply']);
    const dnat = r.steps.find((s) => s.phase === 'request' && s.hop.rule?.includes('-j DNAT'));
    expect(dnat?.hop.rule).toBe(
      '-A KUBE-SEP-NIKZ6PCBEJFQLK7F -p tcp -m comment --comment "shop/web:http" -m tcp -j DNAT --to-destination 10.244.0.3:8080',
    );
  });

  it('compiles a lab revision once and answers later requests from the cache', () => {
    const core = new SimCore();
    const probe = { from: 'shop/web-1', to: 'shop/api-1', port: 8080 };
    value(core.handle({ id: 1, kind: 'trace', lab: { key: 'k1', doc: VXLAN }, probe }));
    const again = value<TraceResult>(core.handle({ id: 2, kind: 'trace', lab: { key: 'k1' }, probe }));
    expect(core.compiles).toBe(1);
    expect(again.timing).toMatchObject({ cached: true, compileMs: 0 });
  });

  it('answers lab-missing for a revision it does not have, and evicts the least recently used', () => {
    const core = new SimCore();
    const missing = core.handle({ id: 7, kind: 'endpoints', lab: { key: 'nope' } });
    expect(missing).toEqual({
      id: 7,
      kind: 'endpoints',
      ok: false,
      error: {
        code: 'lab-missing',
        message: 'the simulation worker does not have lab revision nope; send the document again',
      },
    });
    for (let i = 0; i <= CACHE_SIZE; i++)
      value(core.handle({ id: i, kind: 'endpoints', lab: { key: `r${i}`, doc: VXLAN } }));
    expect(core.handle({ id: 99, kind: 'endpoints', lab: { key: 'r0' } }).ok).toBe(false);
    expect(core.handle({ id: 99, kind: 'endpoints', lab: { key: `r${CACHE_SIZE}` } }).ok).toBe(true);
  });

  it('reports an invalid lab with the field, the value and the reason', () => {
    const bad = { ...VXLAN, nodes: [{ name: 'node-1', network: 'lan', ip: '192.168.9.10' }] };
    const r = new SimCore().handle({
      id: 3,
      kind: 'trace',
      lab: { key: 'b', doc: bad },
      probe: { from: 'node/node-1', to: '1.1.1.1' },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('lab-invalid');
    expect(r.error.message).toBe(
      'the lab is not valid (2 problems): nodes[0].ip 192.168.9.10 is not inside network lan 192.168.1.0/24',
    );
    if (r.error.code === 'lab-invalid') expect(r.error.problems).toHaveLength(2);
  });

  it('reports a probe the lab cannot run with the CLI message', () => {
    const r = new SimCore().handle({
      id: 4,
      kind: 'trace',
      lab: { key: 'a', doc: VXLAN },
      probe: { from: 'shop/nobody', to: 'shop/api-1' },
    });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'probe', message: '--from shop/nobody: there is no pod shop/nobody in this lab' },
    });
  });

  it('lists the probe endpoints: pods, Services with a ClusterIP, hosts, DNS names', () => {
    const e = value<{ sources: string[]; targets: string[]; dnsNames: string[] }>(
      new SimCore().handle({ id: 1, kind: 'endpoints', lab: { key: 's', doc: SVC } }),
    );
    expect(e.sources).toContain('pod/shop/web-1');
    expect(e.sources).toContain('node/node-1');
    expect(e.sources).not.toContain('svc/shop/web');
    expect(e.targets).toContain('svc/shop/web');
    expect(e.dnsNames).toContain('web.shop.svc.cluster.local');
  });
});

describe('SimCore command', () => {
  it('prints exactly what `podpath show` prints', () => {
    const core = new SimCore();
    for (const [on, command] of [
      ['node/node-1', 'ip route'],
      ['node/node-1', 'iptables-save'],
      ['shop/web-1', 'cat /etc/resolv.conf'],
      ['node/node-2', 'kubectl get pods -A -o wide'],
    ] as const) {
      const r = value<{ stdout: string; stderr: string }>(
        core.handle({ id: 1, kind: 'command', lab: { key: 's', doc: SVC }, on, command, now: NOW }),
      );
      expect(r.stdout).toBe(cli('show', SVC_FILE, '--on', on, command));
    }
    expect(core.compiles).toBe(1);
    // what kubectl prints on stderr comes back as stderr
    const none = value<{ stdout: string; stderr: string }>(
      core.handle({
        id: 1,
        kind: 'command',
        lab: { key: 's' },
        on: 'node/node-1',
        command: 'kubectl get pods',
        now: NOW,
      }),
    );
    expect(none).toEqual({ stdout: '', stderr: 'No resources found in default namespace.\n' });
  });

  it('returns the error of a command the host cannot run, and of a host that does not exist', () => {
    const core = new SimCore();
    const bad = core.handle({
      id: 1,
      kind: 'command',
      lab: { key: 's', doc: SVC },
      on: 'node/node-1',
      command: 'rm -rf /',
      now: NOW,
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'command' } });
    const cliErr = runCli(['show', SVC_FILE, '--on', 'node/node-1', 'rm -rf /'], {
      readFile: (f) => readFileSync(f, 'utf8'),
      now: () => NOW,
    });
    if (!bad.ok) expect(`${bad.error.message}\n`).toBe(cliErr.stderr);
    const nohost = core.handle({
      id: 2,
      kind: 'command',
      lab: { key: 's' },
      on: 'node/node-9',
      command: 'ip route',
      now: NOW,
    });
    expect(nohost).toMatchObject({
      ok: false,
      error: { code: 'command', message: '--on node/node-9: there is no node named node-9 in this lab' },
    });
  });
});

describe('SimClient', () => {
  it('sends the document once per revision and again when the worker has evicted it', async () => {
    const core = new SimCore();
    const client = new SimClient(inlineWorker(core));
    const probe = { from: 'shop/web-1', to: 'shop/api-1', port: 8080 };
    const first = await client.request<'trace'>(VXLAN, { kind: 'trace', probe });
    expect(first.ok).toBe(true);
    const second = await client.request<'trace'>(VXLAN, { kind: 'trace', probe });
    expect(second.ok && second.value.timing.cached).toBe(true);
    // fill the worker's cache with other revisions so it forgets VXLAN's
    for (let i = 0; i < CACHE_SIZE; i++)
      await client.request<'endpoints'>({ ...VXLAN }, { kind: 'endpoints' });
    const third = await client.request<'trace'>(VXLAN, { kind: 'trace', probe });
    expect(third.ok).toBe(true);
    expect(core.compiles).toBe(CACHE_SIZE + 2);
    expect(client.keyOf(VXLAN)).toBe(client.keyOf(VXLAN));
    expect(client.keyOf({ ...VXLAN })).not.toBe(client.keyOf(VXLAN));
  });
});

describe('SimClient with a failing worker', () => {
  it('answers waiting requests with an internal error instead of hanging', async () => {
    const posted: unknown[] = [];
    const worker = {
      onmessage: null,
      onerror: null as ((e: ErrorEvent) => void) | null,
      postMessage(msg: unknown) {
        posted.push(msg);
      },
      terminate() {},
    };
    const client = new SimClient(worker);
    const pending = client.request<'trace'>(VXLAN, {
      kind: 'trace',
      probe: { from: 'shop/web-1', to: 'shop/api-1' },
    });
    expect(posted).toHaveLength(1);
    worker.onerror?.({ message: 'SyntaxError: Unexpected token' } as ErrorEvent);
    expect(await pending).toEqual({
      ok: false,
      error: { code: 'internal', message: 'the simulation worker failed: SyntaxError: Unexpected token' },
    });
  });
});
