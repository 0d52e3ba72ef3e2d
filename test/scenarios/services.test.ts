/**
 * Services through kube-proxy's iptables mode: the request is DNATed by the rules kube-proxy
 * wrote on the node where it enters, and conntrack translates the reply back.
 */
import { describe, expect, it } from 'vitest';
import { resolveTarget, walk, type Trace } from '../../shared-sim/src/index';
import {
  client,
  compileLab,
  flannelLab,
  headers,
  layer,
  node,
  pod,
  router,
  net,
  type LabJson,
} from '../fixtures/labBuilder';

const CLUSTER_IP = '10.96.0.50';

function svc(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec };
}

/** node-1: web-1 (client pod) and api-1; node-2: api-2. Service shop/api → api-1, api-2 on 8080. */
function servicesLab(extra: Record<string, unknown>[] = [], opts: { outside?: boolean } = {}): LabJson {
  const lab = flannelLab({
    mode: 'vxlan',
    networks: [net('lan', '192.168.1.0/24'), ...(opts.outside ? [net('outside', '203.0.113.0/24')] : [])],
    nodes: [
      node('node-1', '192.168.1.10', { gateway: '192.168.1.1' }),
      node('node-2', '192.168.1.11', { gateway: '192.168.1.1' }),
    ],
    routers: opts.outside ? [router('gw', { lan: '192.168.1.1', outside: '203.0.113.1' })] : [],
    clients: opts.outside ? [client('laptop', '203.0.113.10', { gateway: '203.0.113.1' })] : [],
    pods: [
      pod('shop/web-1', 'node-1', { ports: [80], labels: { app: 'web' } }),
      pod('shop/api-1', 'node-1', { ports: [{ containerPort: 8080, name: 'http' }], labels: { app: 'api' } }),
      pod('shop/api-2', 'node-2', { ports: [{ containerPort: 8080, name: 'http' }], labels: { app: 'api' } }),
    ],
  });
  lab.objects.push(
    svc('api', {
      clusterIP: CLUSTER_IP,
      selector: { app: 'api' },
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    }),
    ...extra,
  );
  return lab;
}

function traceOn(lab: LabJson, from: string, to: string, port: number, proto: 'tcp' | 'udp' = 'tcp'): Trace {
  const world = compileLab(lab);
  const p = resolveTarget(world, { from, to, port, proto });
  if (!p.ok) throw new Error(p.error);
  return walk(world.fabric, p.probe).trace;
}

describe('pod → ClusterIP (iptables mode)', () => {
  it('is DNATed in nat PREROUTING on the client pod node through KUBE-SERVICES → KUBE-SVC → KUBE-SEP', () => {
    const t = traceOn(servicesLab(), 'shop/web-1', 'svc/shop/api', 80);
    expect(t.verdict).toBe('delivered');
    const dnat = t.hops.find((h) => h.stage === 'netfilter' && h.detail.includes('DNAT to'));
    expect(dnat?.host).toBe('node/node-1');
    expect(dnat?.detail).toMatch(
      /nat PREROUTING → KUBE-SERVICES → KUBE-SVC-[A-Z2-7]{16} → KUBE-SEP-[A-Z2-7]{16}: DNAT to 10\.244\.\d+\.\d+:8080/,
    );
    expect(dnat?.rule).toMatch(
      /^-A KUBE-SEP-[A-Z2-7]{16} -p tcp -m comment --comment "shop\/api:http" -m tcp -j DNAT --to-destination 10\.244\.\d+\.\d+:8080$/,
    );
    expect(['pod/shop/api-1', 'pod/shop/api-2']).toContain(t.deliveredTo);
  });

  it('lists both endpoints with 50% each, and the reply comes back from the ClusterIP', () => {
    const t = traceOn(servicesLab(), 'shop/web-1', CLUSTER_IP, 80);
    const dnat = t.hops.find((h) => h.stage === 'netfilter' && h.detail.includes('DNAT to'));
    expect(dnat?.detail).toMatch(
      /KUBE-SEP-\S+ 10\.244\.\d+\.\d+:8080 50\.0%.*KUBE-SEP-\S+ 10\.244\.\d+\.\d+:8080 50\.0%/,
    );
    expect(t.reply?.verdict).toBe('delivered');
    const last = t.reply?.hops.at(-1);
    expect(last?.host).toBe('pod/shop/web-1');
    const ip = layer(last?.layers ?? [], 'ipv4');
    expect(ip.src).toBe(CLUSTER_IP);
    expect(layer(last?.layers ?? [], 'tcp').src).toBe(80);
  });

  it('to an endpoint on the other node: the inner destination on the wire is the chosen pod IP', () => {
    // try source ports until the flow hash picks api-2 (deterministic: the same every run)
    const world = compileLab(servicesLab());
    const api2 = world.pods.find((p) => p.ref === 'pod/shop/api-2');
    const p = resolveTarget(world, { from: 'shop/web-1', to: CLUSTER_IP, port: 80, proto: 'tcp' });
    if (!p.ok) throw new Error(p.error);
    const t = walk(world.fabric, p.probe).trace;
    if (t.deliveredTo === 'pod/shop/api-2') {
      const h = headers(t.wire[0]?.layers ?? []);
      expect(h.inner?.ipv4.dst).toBe(api2?.ip !== undefined ? formatIp(api2.ip) : '');
      expect(h.outer.ipv4.dst).toBe('192.168.1.11');
    } else {
      expect(t.deliveredTo).toBe('pod/shop/api-1');
      expect(t.wire).toHaveLength(0);
    }
  });

  it('a Service without endpoints is rejected by the filter KUBE-SERVICES rule', () => {
    const lab = servicesLab([
      svc('empty', { clusterIP: '10.96.0.60', selector: { app: 'nobody' }, ports: [{ port: 80 }] }),
    ]);
    const t = traceOn(lab, 'shop/web-1', '10.96.0.60', 80);
    expect(t.verdict).toBe('rejected');
    const h = t.hops.find((x) => x.stage === 'netfilter' && x.detail.includes('REJECT'));
    expect(h?.rule).toBe(
      '-A KUBE-SERVICES -d 10.96.0.60/32 -p tcp -m comment --comment "shop/empty has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable',
    );
  });
});

describe('hairpin: a pod reaching itself through its Service', () => {
  it('is masqueraded to the bridge address by KUBE-SEP → KUBE-MARK-MASQ → KUBE-POSTROUTING', () => {
    const lab = servicesLab([
      svc('web', {
        clusterIP: '10.96.0.70',
        selector: { app: 'web' },
        ports: [{ port: 80, targetPort: 80 }],
      }),
    ]);
    const t = traceOn(lab, 'shop/web-1', '10.96.0.70', 80);
    expect(t.verdict).toBe('delivered');
    expect(t.deliveredTo).toBe('pod/shop/web-1');
    const masq = t.hops.find((h) => h.stage === 'netfilter' && h.detail.includes('MASQUERADE'));
    expect(masq?.host).toBe('node/node-1');
    expect(masq?.rule).toMatch(/KUBE-POSTROUTING .*-j MASQUERADE/);
    const last = t.hops.at(-1);
    expect(layer(last?.layers ?? [], 'ipv4').src).toBe('10.244.0.1');
  });
});

describe('external client → NodePort', () => {
  const nodePortSvc = (policy: 'Cluster' | 'Local') =>
    svc('api-np', {
      type: 'NodePort',
      clusterIP: '10.96.0.80',
      selector: { app: 'api' },
      externalTrafficPolicy: policy,
      ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }],
    });

  it('Cluster policy: DNAT to an endpoint and SNAT to the node, so the backend sees the node, not the client', () => {
    const t = traceOn(
      servicesLab([nodePortSvc('Cluster')], { outside: true }),
      'client/laptop',
      'node/node-2',
      30080,
    );
    expect(t.verdict).toBe('delivered');
    const chain = t.hops.find((h) => h.detail.includes('KUBE-NODEPORTS'));
    expect(chain?.detail).toMatch(/KUBE-SERVICES → KUBE-NODEPORTS → KUBE-EXT-\S+ → KUBE-MARK-MASQ/);
    const last = t.hops.at(-1);
    expect(layer(last?.layers ?? [], 'ipv4').src).not.toBe('203.0.113.10');
    expect(t.reply?.verdict).toBe('delivered');
  });

  it('Local policy on a node without a local endpoint drops the packet in filter KUBE-EXTERNAL-SERVICES', () => {
    const lab = servicesLab([nodePortSvc('Local')], { outside: true });
    // api-2 is on node-2, api-1 on node-1: move api-1 away so node-1 has none
    const podObj = lab.objects.find((o) => (o['metadata'] as { name: string }).name === 'api-1') as {
      spec: { nodeName: string };
    };
    podObj.spec.nodeName = 'node-2';
    const t = traceOn(lab, 'client/laptop', 'node/node-1', 30080);
    expect(t.verdict).toBe('dropped');
    const drop = t.hops.at(-1);
    expect(drop?.rule).toMatch(/KUBE-EXTERNAL-SERVICES .*has no local endpoints.*--dport 30080 -j DROP/);
  });

  it('Local policy on a node with a local endpoint keeps the client source address', () => {
    const t = traceOn(
      servicesLab([nodePortSvc('Local')], { outside: true }),
      'client/laptop',
      'node/node-2',
      30080,
    );
    expect(t.verdict).toBe('delivered');
    expect(t.deliveredTo).toBe('pod/shop/api-2');
    expect(layer(t.hops.at(-1)?.layers ?? [], 'ipv4').src).toBe('203.0.113.10');
  });
});

function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

describe('session affinity (ClientIP)', () => {
  it('keeps a client on the endpoint it got first (-m recent), where new connections would spread', () => {
    const sticky = svc('sticky', {
      clusterIP: '10.96.0.90',
      selector: { app: 'api' },
      sessionAffinity: 'ClientIP',
      ports: [{ port: 80, targetPort: 8080 }],
    });
    const plain = svc('plain', {
      clusterIP: '10.96.0.91',
      selector: { app: 'api' },
      ports: [{ port: 80, targetPort: 8080 }],
    });
    const world = compileLab(servicesLab([sticky, plain]));
    const spread = new Set<string | null>();
    const kept = new Set<string | null>();
    let state = {};
    for (let sport = 40000; sport < 40012; sport++) {
      const a = resolveTarget(world, { from: 'shop/web-1', to: '10.96.0.91', port: 80, proto: 'tcp', sport });
      const b = resolveTarget(world, { from: 'shop/web-1', to: '10.96.0.90', port: 80, proto: 'tcp', sport });
      if (!a.ok || !b.ok) throw new Error('resolve');
      spread.add(walk(world.fabric, a.probe).trace.deliveredTo);
      const r = walk(world.fabric, b.probe, state);
      state = { recent: r.recent };
      kept.add(r.trace.deliveredTo);
    }
    expect(spread.size).toBe(2);
    expect(kept.size).toBe(1);
  });
});

describe('Service faults', () => {
  it('kube-proxy-down on the client node: no DNAT there, the ClusterIP packet follows the default route', () => {
    const lab = servicesLab([], { outside: true });
    lab.faults.push({ type: 'kube-proxy-down', node: 'node-1' });
    const t = traceOn(lab, 'shop/web-1', CLUSTER_IP, 80);
    expect(t.hops.some((h) => h.detail.includes('DNAT'))).toBe(false);
    expect(t.verdict).toBe('no-route');
    expect(t.hops.at(-1)?.host).toBe('router/gw');
  });

  it('selector-mismatch leaves the Service without endpoints: REJECT', () => {
    const lab = servicesLab();
    lab.faults.push({ type: 'selector-mismatch', service: 'shop/api', selector: { app: 'nope' } });
    expect(traceOn(lab, 'shop/web-1', CLUSTER_IP, 80).verdict).toBe('rejected');
  });

  it('pod-not-ready takes the pod out of the endpoints', () => {
    const lab = servicesLab();
    lab.faults.push(
      { type: 'pod-not-ready', pod: 'shop/api-1' },
      { type: 'pod-not-ready', pod: 'shop/api-2' },
    );
    expect(traceOn(lab, 'shop/web-1', CLUSTER_IP, 80).verdict).toBe('rejected');
  });

  it('masquerade-off (hairpin): the pod answers itself directly and the reply never matches the ClusterIP connection', () => {
    const lab = servicesLab([
      svc('web', {
        clusterIP: '10.96.0.70',
        selector: { app: 'web' },
        ports: [{ port: 80, targetPort: 80 }],
      }),
    ]);
    lab.faults.push({ type: 'masquerade-off', scope: 'hairpin' });
    const t = traceOn(lab, 'shop/web-1', '10.96.0.70', 80);
    expect(t.verdict).toBe('delivered');
    expect(t.hops.some((h) => h.detail.includes('MASQUERADE'))).toBe(false);
    expect(t.reply?.verdict).not.toBe('delivered');
  });
});

describe('external client → LoadBalancer IP (layer-2 announcement, as MetalLB does)', () => {
  const lb = (policy: 'Cluster' | 'Local') =>
    ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'api-lb', namespace: 'shop' },
      spec: {
        type: 'LoadBalancer',
        clusterIP: '10.96.0.85',
        selector: { app: 'api' },
        externalTrafficPolicy: policy,
        ports: [{ port: 80, targetPort: 8080, nodePort: 30085 }],
      },
      status: { loadBalancer: { ingress: [{ ip: '192.168.1.200' }] } },
    }) as Record<string, unknown>;

  it('Cluster policy: the first node answers ARP for the address and kube-proxy DNATs it', () => {
    const t = traceOn(servicesLab([lb('Cluster')], { outside: true }), 'client/laptop', '192.168.1.200', 80);
    expect(t.verdict).toBe('delivered');
    const arp = t.hops.find((h) => h.stage === 'arp' && h.detail.includes('192.168.1.200'));
    expect(arp?.detail).toContain('eth0 of node/node-1');
    expect(t.hops.find((h) => h.stage === 'netfilter' && h.detail.includes('DNAT'))?.detail).toMatch(
      /^nat PREROUTING → KUBE-SERVICES → KUBE-EXT-\S+ → KUBE-MARK-MASQ → KUBE-SVC-\S+ → KUBE-SEP-\S+: DNAT to /,
    );
    expect(t.reply?.verdict).toBe('delivered');
  });

  it('Local policy: only a node with a local endpoint announces, and the client address is kept', () => {
    const lab = servicesLab([lb('Local')], { outside: true });
    const api1 = lab.objects.find((o) => (o['metadata'] as { name: string }).name === 'api-1') as {
      spec: { nodeName: string };
    };
    api1.spec.nodeName = 'node-2';
    const t = traceOn(lab, 'client/laptop', '192.168.1.200', 80);
    expect(t.verdict).toBe('delivered');
    expect(t.hops.find((h) => h.stage === 'arp' && h.detail.includes('192.168.1.200'))?.detail).toContain(
      'eth0 of node/node-2',
    );
    expect(layer(t.hops.at(-1)?.layers ?? [], 'ipv4').src).toBe('203.0.113.10');
  });
});
