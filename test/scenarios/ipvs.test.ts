/**
 * Services through kube-proxy's IPVS mode: the ClusterIP is a local address on kube-ipvs0, IPVS
 * picks a real server at LOCAL_IN and NATs to it, conntrack (net.ipv4.vs.conntrack=1) translates
 * the reply back.
 */
import { describe, expect, it } from 'vitest';
import {
  parseIpv4,
  runCommand,
  validateTrace,
  walk,
  type Probe,
  type Trace,
  type World,
} from '../../shared-sim/src/index';
import { compileLab, flannelLab, headers, layer, net, node, pod, type LabJson } from '../fixtures/labBuilder';

const CLUSTER_IP = '10.96.0.50';

function ipvsLab(scheduler = 'rr', extraSpec: Record<string, unknown> = {}): LabJson {
  const lab = flannelLab({
    mode: 'vxlan',
    networks: [net('lan', '192.168.1.0/24')],
    nodes: [node('node-1', '192.168.1.10'), node('node-2', '192.168.1.11')],
    pods: [
      pod('shop/web-1', 'node-1', { ports: [80], labels: { app: 'web' } }),
      pod('shop/web-2', 'node-1', { ports: [80], labels: { app: 'web' } }),
      pod('shop/api-1', 'node-1', { ports: [{ containerPort: 8080, name: 'http' }], labels: { app: 'api' } }),
      pod('shop/api-2', 'node-2', { ports: [{ containerPort: 8080, name: 'http' }], labels: { app: 'api' } }),
    ],
  });
  (lab['cluster'] as Record<string, unknown>)['kubeProxy'] = { mode: 'ipvs', ipvsScheduler: scheduler };
  lab.objects.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'api', namespace: 'shop' },
    spec: {
      clusterIP: CLUSTER_IP,
      selector: { app: 'api' },
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      ...extraSpec,
    },
  });
  return lab;
}

function probe(from: string, dst: string, proto: Probe['proto'], dport: number): Probe {
  const a = parseIpv4(dst);
  if (a === undefined) throw new Error(dst);
  return { from, dst: a, proto, dport, size: proto === 'icmp' ? 56 : 0, pmtudisc: 'want' };
}

function podIpOf(world: World, ref: string): string {
  const out = runCommand(world, world.fabric.hosts.get(ref) as never, 'ip addr', { now: 0 });
  const m = out.ok ? /inet (10\.244\.\d+\.\d+)\//.exec(out.stdout) : null;
  if (!m?.[1]) throw new Error(`no pod IP for ${ref}`);
  return m[1];
}

function ipvsHop(t: Trace): { detail: string; rule: string } {
  const h = t.hops.find((x) => x.stage === 'ipvs');
  if (!h) throw new Error('no ipvs hop');
  return { detail: h.detail, rule: h.rule ?? '' };
}

describe('kube-proxy IPVS mode, flannel VXLAN', () => {
  const world = compileLab(ipvsLab());
  const api1 = podIpOf(world, 'pod/shop/api-1');
  const api2 = podIpOf(world, 'pod/shop/api-2');
  const web1 = podIpOf(world, 'pod/shop/web-1');
  const web2 = podIpOf(world, 'pod/shop/web-2');

  it('binds the ClusterIP to kube-ipvs0 and programs the virtual server', () => {
    const h = world.fabric.hosts.get('node/node-1');
    if (!h) throw new Error('node-1');
    const addr = runCommand(world, h, 'ip addr', { now: 0 });
    expect(addr.ok && addr.stdout).toContain(`inet ${CLUSTER_IP}/32 scope global kube-ipvs0`);
    const v = runCommand(world, h, 'ipvsadm -Ln', { now: 0 });
    expect(v.ok && v.stdout).toContain(
      `TCP  ${CLUSTER_IP}:80 rr\n` +
        `  -> ${`${api1}:8080`.padEnd(28)} Masq    1      0          0         \n` +
        `  -> ${`${api2}:8080`.padEnd(28)} Masq    1      0          0         \n`,
    );
  });

  // Both clients, so that each real server (same node, other node) is met at least once.
  const traces = [
    walk(world.fabric, probe('pod/shop/web-1', CLUSTER_IP, 'tcp', 80)).trace,
    walk(world.fabric, probe('pod/shop/web-2', CLUSTER_IP, 'tcp', 80)).trace,
  ];

  it('delivers to the real server IPVS picked, named in the trace with the alternatives', () => {
    for (const t of traces) {
      expect(validateTrace(t)).toEqual([]);
      expect(t.verdict).toBe('delivered');
      const { detail, rule } = ipvsHop(t);
      expect(detail).toContain(`IPVS TCP ${CLUSTER_IP}:80 (rr) → `);
      expect(detail).toContain(`real servers: ${api1}:8080 weight 1`);
      expect(detail).toContain(`${api2}:8080 weight 1`);
      expect(detail).toContain('(chosen)');
      expect(rule.split('\n')[0]).toBe(`TCP  ${CLUSTER_IP}:80 rr`);
      expect(t.deliveredTo === 'pod/shop/api-1' || t.deliveredTo === 'pod/shop/api-2').toBe(true);
    }
    const picked = new Set(traces.map((t) => t.deliveredTo));
    expect(picked).toEqual(new Set(['pod/shop/api-1', 'pod/shop/api-2']));
  });

  it('puts the chosen pod IP on the wire (inner destination) and un-NATs the reply', () => {
    for (const [i, t] of traces.entries()) {
      const client = i === 0 ? web1 : web2;
      if (t.deliveredTo === 'pod/shop/api-2') {
        expect(t.wire).toHaveLength(1);
        const w = t.wire[0];
        if (!w) throw new Error('wire');
        const hd = headers(w.layers);
        expect(hd.outer.ipv4.src).toBe('192.168.1.10');
        expect(hd.outer.ipv4.dst).toBe('192.168.1.11');
        expect(hd.vxlan?.vni).toBe(1);
        expect(hd.inner?.ipv4.src).toBe(client);
        expect(hd.inner?.ipv4.dst).toBe(api2);
        expect(hd.inner?.ipv4.ttl).toBe(63);
        expect(layer(w.layers, 'tcp').dst).toBe(8080);
      } else expect(t.wire).toHaveLength(0);
      const r = t.reply;
      if (!r) throw new Error('no reply');
      expect(r.verdict).toBe('delivered');
      expect(r.deliveredTo).toBe(i === 0 ? 'pod/shop/web-1' : 'pod/shop/web-2');
      const last = r.hops[r.hops.length - 1];
      const ip = last ? layer(last.layers, 'ipv4') : undefined;
      expect(ip?.src).toBe(CLUSTER_IP);
      expect(ip?.dst).toBe(client);
      expect(last ? layer(last.layers, 'tcp').src : 0).toBe(80);
    }
  });

  it('the same flow always gets the same real server', () => {
    const again = walk(world.fabric, probe('pod/shop/web-1', CLUSTER_IP, 'tcp', 80)).trace;
    expect(again.deliveredTo).toBe(traces[0]?.deliveredTo);
  });

  it('rejects a ping to the ClusterIP: KUBE-IPVS-FILTER (kube-proxy ≥ 1.27) only lets service ports through', () => {
    const t = walk(world.fabric, probe('pod/shop/web-1', CLUSTER_IP, 'icmp', 0)).trace;
    expect(t.verdict).toBe('rejected');
    const h = t.hops.find((x) => x.stage === 'netfilter' && x.detail.includes('KUBE-IPVS-FILTER'));
    expect(h?.rule).toBe(
      '-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT --reject-with icmp-port-unreachable',
    );
  });

  it('answers a ping to the ClusterIP from the kernel once the IPVS filter is gone (kube-proxy < 1.27)', () => {
    // the kube-ipvs0 address is local, so without KUBE-IPVS-FILTER the node's kernel answers
    const h = world.fabric.hosts.get('node/node-1');
    if (!h) throw new Error('node-1');
    const filter = h.netfilter.filter;
    const stripped = {
      ...h,
      netfilter: {
        ...h.netfilter,
        filter: {
          ...filter,
          chains: filter.chains.map((c) => (c.name === 'KUBE-IPVS-FILTER' ? { ...c, rules: [] } : c)),
        },
      },
    };
    const hosts = new Map(world.fabric.hosts);
    hosts.set('node/node-1', stripped);
    const t = walk({ ...world.fabric, hosts }, probe('pod/shop/web-1', CLUSTER_IP, 'icmp', 0)).trace;
    expect(t.verdict).toBe('delivered');
    expect(t.deliveredTo).toBe('node/node-1');
    expect(t.reply?.verdict).toBe('delivered');
  });

  it('sessionAffinity ClientIP makes the virtual server persistent and keeps a client on one server', () => {
    const w = compileLab(ipvsLab('rr', { sessionAffinity: 'ClientIP' }));
    const h = w.fabric.hosts.get('node/node-1');
    if (!h) throw new Error('node-1');
    const v = runCommand(w, h, 'ipvsadm -Ln', { now: 0 });
    expect(v.ok && v.stdout).toContain(`TCP  ${CLUSTER_IP}:80 rr persistent 10800\n`);
    const first = walk(w.fabric, probe('pod/shop/web-1', CLUSTER_IP, 'tcp', 80));
    const seen = new Set<string | null>([first.trace.deliveredTo]);
    let state = { conntrack: first.conntrack, recent: first.recent, ipvs: first.ipvs };
    for (const port of [81, 82, 83]) {
      // other source ports: new flows from the same client
      void port;
      const p = { ...probe('pod/shop/web-1', CLUSTER_IP, 'tcp', 80) };
      const r = walk(w.fabric, p, state);
      seen.add(r.trace.deliveredTo);
      state = { conntrack: r.conntrack, recent: r.recent, ipvs: r.ipvs };
    }
    expect(seen.size).toBe(1);
  });
});
