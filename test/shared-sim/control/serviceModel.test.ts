import { describe, expect, it } from 'vitest';
import { buildServiceModel } from '../../../shared-sim/src/control/services/serviceModel';
import type { ServiceEndpoints, ServiceModel } from '../../../shared-sim/src/control/services/types';
import type { Problem } from '../../../shared-sim/src/core/problem';
import type { Lab } from '../../../shared-sim/src/model/lab';
import { parseLab } from '../../../shared-sim/src/model/parseLab';

// ---------------------------------------------------------------------------------------------
// Lab helpers: two nodes, flannel, serviceCIDR 10.96.0.0/12; pods with fixed IPs.
// ---------------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

interface PodOpts {
  labels?: Record<string, string>;
  node?: string;
  ip?: string;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  phase?: string;
  ready?: boolean;
  deleting?: boolean;
  hostNetwork?: boolean;
}

function pod(ref: string, o: PodOpts = {}): Obj {
  const [namespace, name] = ref.split('/');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: o.labels ?? { app: 'web' },
      ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['example.com/hold'] } : {}),
    },
    spec: {
      nodeName: o.node ?? 'node-1',
      ...(o.hostNetwork ? { hostNetwork: true } : {}),
      containers: [{ name: 'main', ports: o.ports ?? [{ name: 'http', containerPort: 8080 }] }],
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ip !== undefined ? { podIP: o.ip } : {}),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

function svc(ref: string, spec: Obj, extra: Obj = {}): Obj {
  const [namespace, name] = ref.split('/');
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec, ...extra };
}

function lab(objects: Obj[], faults: Obj[] = []): Lab {
  const r = parseLab({
    podpath: 1,
    cluster: { podCIDR: '10.244.0.0/16', serviceCIDR: '10.96.0.0/12' },
    networks: [{ name: 'lan', cidr: '192.168.1.0/24' }],
    nodes: [
      { name: 'node-1', network: 'lan', ip: '192.168.1.10', podCIDR: '10.244.1.0/24' },
      { name: 'node-2', network: 'lan', ip: '192.168.1.11', podCIDR: '10.244.2.0/24' },
    ],
    objects,
    faults,
  });
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join(' | '));
  return r.lab;
}

/** IPs as IPAM would hand them out: the given status.podIP of each non-hostNetwork pod. */
function build(l: Lab): { model: ServiceModel; problems: Problem[] } {
  const ips = new Map<string, string>();
  for (const p of l.pods)
    if (p.podIP !== undefined && !p.hostNetwork) ips.set(`${p.namespace}/${p.name}`, p.podIP);
  return buildServiceModel(l, ips);
}

function eps(model: ServiceModel, key: string): ServiceEndpoints {
  const e = model.endpoints.get(key);
  if (!e) throw new Error(`no endpoints entry for ${key}`);
  return e;
}

/** Endpoints subsets as `ip:port` lists, ready and not ready. */
function flat(e: ServiceEndpoints): { ready: string[]; notReady: string[] } {
  const ready: string[] = [];
  const notReady: string[] = [];
  for (const ss of e.subsets ?? []) {
    const fmt = (ip: string): string[] => (ss.ports.length ? ss.ports.map((p) => `${ip}:${p.port}`) : [ip]);
    for (const a of ss.addresses) ready.push(...fmt(a.ip));
    for (const a of ss.notReadyAddresses) notReady.push(...fmt(a.ip));
  }
  return { ready, notReady };
}

const WEB = { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] };

// ---------------------------------------------------------------------------------------------

describe('ClusterIP allocation', () => {
  it('hashes each Service into the dynamic band of serviceCIDR, stably', () => {
    const one = build(lab([svc('shop/web', WEB)]));
    const two = build(lab([svc('shop/api', WEB), svc('shop/web', WEB)]));
    expect(one.model.services.map((s) => s.clusterIP)).toEqual(['10.99.9.225']);
    expect(two.model.services.map((s) => [s.name, s.clusterIP])).toEqual([
      ['api', '10.99.143.45'],
      ['web', '10.99.9.225'],
    ]);
    expect(one.problems).toEqual([]);
  });

  it('gives default/kubernetes the first address and kube-system/kube-dns the DNS address', () => {
    const { model } = build(
      lab([
        svc('default/kubernetes', { ports: [{ name: 'https', port: 443, targetPort: 6443 }] }),
        svc('kube-system/kube-dns', {
          selector: { 'k8s-app': 'kube-dns' },
          ports: [{ port: 53, protocol: 'UDP' }],
        }),
      ]),
    );
    expect(model.services.map((s) => s.clusterIP)).toEqual(['10.96.0.1', '10.96.0.10']);
  });

  it('keeps None (headless) and gives ExternalName no address', () => {
    const { model } = build(
      lab([
        svc('shop/db', { clusterIP: 'None', selector: { app: 'db' } }),
        svc('shop/ext', { type: 'ExternalName', externalName: 'db.example.com' }),
      ]),
    );
    expect(model.services.map((s) => [s.clusterIP, s.headless])).toEqual([
      ['None', true],
      ['', false],
    ]);
    expect(eps(model, 'shop/ext')).toEqual({
      service: 'shop/ext',
      exists: false,
      slices: [],
      source: 'controller',
    });
  });

  it('warns about a ClusterIP given twice, the first address, the DNS address and one outside the range', () => {
    const { model, problems } = build(
      lab([
        svc('shop/a', { ...WEB, clusterIP: '10.96.5.5' }),
        svc('shop/b', { ...WEB, clusterIP: '10.96.5.5' }),
        svc('shop/c', { ...WEB, clusterIP: '10.96.0.1' }),
        svc('shop/d', { ...WEB, clusterIP: '10.96.0.10' }),
        svc('shop/e', { ...WEB, clusterIP: '172.16.0.1' }),
      ]),
    );
    expect(model.services.map((s) => s.clusterIP)).toEqual([
      '10.96.5.5',
      '10.96.5.5',
      '10.96.0.1',
      '10.96.0.10',
      '172.16.0.1',
    ]);
    expect(problems.map((p) => [p.severity, p.path, p.message])).toEqual([
      [
        'warning',
        'objects[1].spec.clusterIP',
        'objects[1].spec.clusterIP 10.96.5.5 is already the ClusterIP of Service shop/a (the API server would refuse it: "provided IP is already allocated"); kept as given',
      ],
      [
        'warning',
        'objects[2].spec.clusterIP',
        'objects[2].spec.clusterIP 10.96.0.1 is the first address of cluster.serviceCIDR, which the API server gives to default/kubernetes (it would refuse this Service: "provided IP is already allocated"); kept as given',
      ],
      [
        'warning',
        'objects[3].spec.clusterIP',
        'objects[3].spec.clusterIP 10.96.0.10 is cluster.dnsServiceIP, the address of kube-system/kube-dns (pods send their DNS queries there); kept as given',
      ],
      [
        'warning',
        'objects[4].spec.clusterIP',
        'objects[4].spec.clusterIP 172.16.0.1 is not inside cluster.serviceCIDR 10.96.0.0/12 (the API server would refuse it: "provided IP is not in the valid range"); kept as given',
      ],
    ]);
  });

  it('normalizes legacy spellings with leading zeros', () => {
    const { model } = build(
      lab([svc('shop/a', { ...WEB, clusterIP: '10.96.0.041', externalIPs: ['192.168.099.022'] })]),
    );
    expect(model.services[0]?.clusterIP).toBe('10.96.0.41');
    expect(model.services[0]?.externalIPs).toEqual(['192.168.99.22']);
  });
});

describe('NodePort allocation', () => {
  it('allocates NodePorts for NodePort and LoadBalancer Services, and a healthCheckNodePort for Local', () => {
    const { model, problems } = build(
      lab([
        svc('shop/np', { ...WEB, type: 'NodePort' }),
        svc('shop/lb', { ...WEB, type: 'LoadBalancer', externalTrafficPolicy: 'Local' }),
        svc('shop/ci', WEB),
      ]),
    );
    expect(model.services.map((s) => [s.name, s.ports[0]?.nodePort, s.healthCheckNodePort])).toEqual([
      ['np', 30287, 0],
      ['lb', 30209, 30839],
      ['ci', 0, 0],
    ]);
    expect(problems).toEqual([]);
  });

  it('shares one NodePort between the TCP and UDP ports of the same number', () => {
    const { model } = build(
      lab([
        svc('shop/dns', {
          type: 'NodePort',
          selector: { app: 'dns' },
          ports: [
            { name: 'dns', port: 53, protocol: 'UDP' },
            { name: 'dns-tcp', port: 53, protocol: 'TCP' },
          ],
        }),
      ]),
    );
    const ports = model.services[0]?.ports.map((p) => p.nodePort) ?? [];
    expect(ports[0]).toBe(ports[1]);
    expect(ports[0]).toBeGreaterThanOrEqual(30086);
  });

  it('keeps a NodePort given twice, with a warning, and does not allocate it again', () => {
    const { model, problems } = build(
      lab([
        svc('shop/a', { ...WEB, type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
        svc('shop/b', { ...WEB, type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
      ]),
    );
    expect(model.services.map((s) => s.ports[0]?.nodePort)).toEqual([30080, 30080]);
    expect(problems.map((p) => p.message)).toEqual([
      'objects[1].spec.ports[0].nodePort 30080 is already used by Service shop/a (the API server would refuse it: "provided port is already allocated"); kept as given',
    ]);
  });

  it('allocates none for a LoadBalancer with allocateLoadBalancerNodePorts false', () => {
    const { model } = build(
      lab([svc('shop/lb', { ...WEB, type: 'LoadBalancer', allocateLoadBalancerNodePorts: false })]),
    );
    expect(model.services[0]?.ports[0]?.nodePort).toBe(0);
  });
});

describe('endpoints controller', () => {
  it('puts ready pods in addresses and not-ready ones in notReadyAddresses, named targetPort resolved', () => {
    const { model } = build(
      lab([
        pod('shop/web-1', { ip: '10.244.1.2' }),
        pod('shop/web-2', { ip: '10.244.1.3', ready: false }),
        pod('other/web-1', { ip: '10.244.1.4' }),
        svc('shop/web', WEB),
      ]),
    );
    const e = eps(model, 'shop/web');
    expect(flat(e)).toEqual({ ready: ['10.244.1.2:8080'], notReady: ['10.244.1.3:8080'] });
    expect(e.subsets).toEqual([
      {
        addresses: [{ ip: '10.244.1.2', nodeName: 'node-1', podRef: 'pod/shop/web-1' }],
        notReadyAddresses: [{ ip: '10.244.1.3', nodeName: 'node-1', podRef: 'pod/shop/web-2' }],
        ports: [{ name: '', protocol: 'TCP', port: 8080 }],
      },
    ]);
  });

  it('leaves out Failed and Succeeded pods, pods without an IP, and terminating pods', () => {
    const { model } = build(
      lab([
        pod('shop/failed', { ip: '10.244.1.2', phase: 'Failed', ready: false }),
        pod('shop/done', { ip: '10.244.1.3', phase: 'Succeeded', ready: false }),
        pod('shop/no-ip'),
        pod('shop/going', { ip: '10.244.1.5', deleting: true }),
        svc('shop/web', WEB),
      ]),
    );
    const e = eps(model, 'shop/web');
    expect(e.subsets).toEqual([]);
    // the EndpointSlice keeps the terminating pod, not ready but serving
    expect(e.slices.flatMap((s) => s.endpoints)).toEqual([
      {
        ip: '10.244.1.5',
        nodeName: 'node-1',
        podRef: 'pod/shop/going',
        ready: false,
        serving: true,
        terminating: true,
      },
    ]);
  });

  it('publishNotReadyAddresses: not-ready and terminating pods are ready addresses', () => {
    const { model } = build(
      lab([
        pod('shop/a', { ip: '10.244.1.2', ready: false }),
        pod('shop/b', { ip: '10.244.1.3', ready: false, deleting: true }),
        pod('shop/c', { ip: '10.244.1.4', phase: 'Failed', ready: false }),
        svc('shop/web', { ...WEB, publishNotReadyAddresses: true }),
      ]),
    );
    const e = eps(model, 'shop/web');
    expect(flat(e)).toEqual({ ready: ['10.244.1.2:8080', '10.244.1.3:8080'], notReady: [] });
    expect(
      e.slices.flatMap((s) => s.endpoints.map((x) => [x.ip, x.ready, x.serving, x.terminating])),
    ).toEqual([
      ['10.244.1.2', true, false, false],
      ['10.244.1.3', true, false, true],
    ]);
  });

  it('resolves a named targetPort per pod and groups subsets and slices by port', () => {
    const { model } = build(
      lab([
        pod('shop/a', { ip: '10.244.1.2', ports: [{ name: 'http', containerPort: 3000 }] }),
        pod('shop/b', { ip: '10.244.2.2', node: 'node-2', ports: [{ name: 'http', containerPort: 3001 }] }),
        pod('shop/c', { ip: '10.244.2.3', node: 'node-2', ports: [{ name: 'other', containerPort: 3002 }] }),
        pod('shop/d', { ip: '10.244.2.4', ports: [{ name: 'http', containerPort: 3000, protocol: 'UDP' }] }),
        svc('shop/web', WEB),
      ]),
    );
    const e = eps(model, 'shop/web');
    expect(flat(e).ready).toEqual(['10.244.1.2:3000', '10.244.2.2:3001']);
    expect(e.subsets?.length).toBe(2);
    // pods without the named port (or with it for another protocol) are in a slice without ports
    const byPort = [...e.slices].sort((x, y) => (x.ports[0]?.port ?? 0) - (y.ports[0]?.port ?? 0));
    expect(byPort.map((s) => [s.ports.map((p) => p.port), s.endpoints.map((x) => x.ip)])).toEqual([
      [[], ['10.244.2.3', '10.244.2.4']],
      [[3000], ['10.244.1.2']],
      [[3001], ['10.244.2.2']],
    ]);
    expect(e.slices.every((s) => /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/.test(s.name))).toBe(true);
  });

  it('repacks like upstream: ports sharing the same addresses form one subset', () => {
    const two = [
      { name: 'a', containerPort: 8080 },
      { name: 'b', containerPort: 9090 },
    ];
    const { model } = build(
      lab([
        pod('shop/p1', { ip: '10.244.1.2', ports: two }),
        pod('shop/p2', { ip: '10.244.1.3', ports: [{ name: 'a', containerPort: 8080 }] }),
        svc('shop/web', {
          selector: { app: 'web' },
          ports: [
            { name: 'a', port: 80, targetPort: 'a' },
            { name: 'b', port: 90, targetPort: 'b' },
          ],
        }),
      ]),
    );
    expect(
      eps(model, 'shop/web').subsets?.map((ss) => [
        ss.addresses.map((a) => a.ip),
        ss.ports.map((p) => p.port),
      ]),
    ).toEqual([
      [['10.244.1.2', '10.244.1.3'], [8080]],
      [['10.244.1.2'], [9090]],
    ]);
  });

  it('uses the node IP for hostNetwork pods and lists a headless Service without ports', () => {
    const { model } = build(
      lab([
        pod('shop/agent', { hostNetwork: true, node: 'node-2' }),
        svc('shop/agents', { clusterIP: 'None', selector: { app: 'web' } }),
      ]),
    );
    expect(flat(eps(model, 'shop/agents'))).toEqual({ ready: ['192.168.1.11'], notReady: [] });
  });

  it('gives a Service whose selector matches nothing an empty Endpoints and a placeholder slice', () => {
    const { model } = build(lab([svc('shop/none', { selector: { app: 'nothing' }, ports: [{ port: 80 }] })]));
    const e = eps(model, 'shop/none');
    expect(e.exists).toBe(true);
    expect(e.subsets).toEqual([]);
    expect(e.slices).toEqual([
      {
        name: 'none-tmffg',
        addressType: 'IPv4',
        managedBy: 'endpointslice-controller.k8s.io',
        ports: [],
        endpoints: [],
      },
    ]);
  });
});

describe('Endpoints and EndpointSlices given in the lab', () => {
  const manual = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'legacy', namespace: 'shop' },
    subsets: [{ addresses: [{ ip: '6.7.8.9' }], ports: [{ port: 1000 }] }],
  };

  it('uses a selector-less Service’s Endpoints as they are, mirrored into a slice', () => {
    const { model, problems } = build(lab([manual, svc('shop/legacy', { ports: [{ port: 80 }] })]));
    const e = eps(model, 'shop/legacy');
    expect(e.source).toBe('lab');
    expect(flat(e)).toEqual({ ready: ['6.7.8.9:1000'], notReady: [] });
    expect(e.slices.map((s) => [s.managedBy, s.endpoints.map((x) => [x.ip, x.ready])])).toEqual([
      ['endpointslicemirroring-controller.k8s.io', [['6.7.8.9', true]]],
    ]);
    expect(problems).toEqual([]);
  });

  it('gives a selector-less Service nothing when the lab gives nothing', () => {
    const { model } = build(lab([svc('shop/legacy', { ports: [{ port: 80 }] })]));
    expect(eps(model, 'shop/legacy').exists).toBe(false);
  });

  it('keeps orphans apart and warns when a Service with a selector has given endpoints', () => {
    const slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.180.00.001'] }],
      ports: [{ name: '', port: 80, protocol: 'TCP' }],
    };
    const { model, problems } = build(lab([manual, slice, svc('shop/web', WEB)]));
    expect(eps(model, 'shop/web').slices.map((s) => s.endpoints.map((x) => x.ip))).toEqual([['10.180.0.1']]);
    expect(eps(model, 'shop/web').subsets).toEqual([]);
    expect(model.orphanEndpoints?.map((o) => o.service)).toEqual(['shop/legacy']);
    expect(problems.map((p) => p.message)).toEqual([
      "objects[1] EndpointSlice shop/web is given for Service shop/web, which has a selector: in a cluster the endpoints controllers would replace it with the selected pods' addresses; Podpath uses it as given",
    ]);
  });
});

describe('faults', () => {
  it('pod-not-ready, selector-mismatch and target-port-mismatch change what the controller sees', () => {
    const objects = [
      pod('shop/web-1', { ip: '10.244.1.2' }),
      pod('shop/web-2', { ip: '10.244.1.3', labels: { app: 'web', tier: 'canary' } }),
      svc('shop/web', WEB),
      svc('shop/canary', WEB),
    ];
    const { model } = build(
      lab(objects, [
        { type: 'pod-not-ready', pod: 'shop/web-1' },
        { type: 'selector-mismatch', service: 'shop/canary', selector: { tier: 'canary' } },
        { type: 'target-port-mismatch', service: 'shop/canary', targetPort: 9999 },
      ]),
    );
    expect(flat(eps(model, 'shop/web'))).toEqual({
      ready: ['10.244.1.3:8080'],
      notReady: ['10.244.1.2:8080'],
    });
    expect(flat(eps(model, 'shop/canary'))).toEqual({ ready: ['10.244.1.3:9999'], notReady: [] });
    expect(model.services[1]?.selector).toEqual({ tier: 'canary' });
  });
});
