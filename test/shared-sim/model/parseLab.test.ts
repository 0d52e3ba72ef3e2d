import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../../shared-sim/src/core/problem';
import type { LabParse } from '../../../shared-sim/src/model/parseLab';
import { parseLab, parseLabText } from '../../../shared-sim/src/model/parseLab';
import type { Lab } from '../../../shared-sim/src/model/lab';

/** Two nodes on one rack, nothing else: the smallest lab worth loading. */
function lab(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    podpath: 1,
    networks: [{ name: 'rack-a', cidr: '192.168.1.0/24' }],
    nodes: [
      { name: 'node-1', network: 'rack-a', ip: '192.168.1.10' },
      { name: 'node-2', network: 'rack-a', ip: '192.168.1.11' },
    ],
    ...over,
  };
}

function pod(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop' }, spec };
}

function service(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec };
}

function deployment(name: string, replicas: number): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, ports: [{ name: 'http', containerPort: 8080 }] }] },
      },
    },
  };
}

function loaded(r: LabParse): { lab: Lab; warnings: readonly Problem[] } {
  if (!r.ok) throw new Error(`expected a lab, got: ${r.problems.map((p) => p.message).join(' | ')}`);
  return r;
}

/** The error messages of a refused lab (and proof that nothing was loaded). */
function errors(r: LabParse): string[] {
  expect(r.ok).toBe(false);
  expect('lab' in r).toBe(false);
  return r.ok ? [] : r.problems.filter((p) => p.severity === 'error').map((p) => p.message);
}

describe('defaults', () => {
  it('fills the cluster with the kubeadm/flannel defaults', () => {
    const { lab: l, warnings } = loaded(parseLab(lab()));
    expect(warnings).toEqual([]);
    expect(l.name).toBe('Untitled lab');
    expect(l.cluster.podCIDR).toBe('10.244.0.0/16');
    expect(l.cluster.serviceCIDR).toBe('10.96.0.0/12');
    expect(l.cluster.dnsServiceIP).toBe('10.96.0.10');
    expect(l.cluster.clusterDomain).toBe('cluster.local');
    expect(l.cluster.cni).toMatchObject({
      plugin: 'flannel',
      mode: 'vxlan',
      natOutgoing: true,
      vxlan: { vni: 1, port: 8472 },
    });
    expect(l.cluster.kubeProxy).toEqual({
      mode: 'iptables',
      ipvsScheduler: 'rr',
      masqueradeAll: false,
      masqueradeBit: 14,
      clusterCIDR: '10.244.0.0/16',
      detectLocalMode: 'ClusterCIDR',
      nodePortAddresses: [],
      localhostNodePorts: true,
    });
    expect(l.networks).toEqual([{ name: 'rack-a', cidr: '192.168.1.0/24', mtu: 1500 }]);
    expect(l.nodes.map((n) => [n.name, n.mtu, n.podCIDR ?? 'IPAM'])).toEqual([
      ['node-1', 1500, 'IPAM'],
      ['node-2', 1500, 'IPAM'],
    ]);
  });

  it('calico defaults to VNI 4096 on port 4789', () => {
    const { lab: l } = loaded(parseLab(lab({ cluster: { cni: { plugin: 'calico', mode: 'vxlan' } } })));
    expect(l.cluster.cni.vxlan).toEqual({ vni: 4096, port: 4789 });
    expect(loaded(parseLab(lab({ cluster: { cni: { plugin: 'calico' } } }))).lab.cluster.cni.mode).toBe(
      'ipip',
    );
  });

  it('a node takes its network MTU unless it sets its own', () => {
    const { lab: l } = loaded(
      parseLab(
        lab({
          networks: [{ name: 'rack-a', cidr: '192.168.1.0/24', mtu: 9000 }],
          nodes: [
            { name: 'node-1', network: 'rack-a', ip: '192.168.1.10' },
            { name: 'node-2', network: 'rack-a', ip: '192.168.1.11', mtu: 1400 },
          ],
        }),
      ),
    );
    expect(l.nodes.map((n) => n.mtu)).toEqual([9000, 1400]);
  });

  it('dnsServiceIP defaults to the 10th address of a custom serviceCIDR, and kube-proxy clusterCIDR follows podCIDR', () => {
    const { lab: l } = loaded(
      parseLab(lab({ cluster: { serviceCIDR: '10.100.0.0/16', podCIDR: '10.32.0.0/12' } })),
    );
    expect(l.cluster.dnsServiceIP).toBe('10.100.0.10');
    expect(l.cluster.kubeProxy.clusterCIDR).toBe('10.32.0.0/12');
  });

  it('a pod without namespace is in "default", Running and Ready', () => {
    const { lab: l } = loaded(
      parseLab(lab({ objects: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: {} }] })),
    );
    expect(l.pods).toEqual([
      {
        namespace: 'default',
        name: 'web',
        labels: {},
        ports: [],
        hostNetwork: false,
        ready: true,
        phase: 'Running',
        dnsPolicy: 'ClusterFirst',
        objectIndex: 0,
      },
    ]);
  });

  it.each(readdirSync(path.join(process.cwd(), 'assets/labs')).filter((f) => f.endsWith('.podlab.json')))(
    'the sample lab %s loads without a warning',
    (file) => {
      const r = parseLabText(readFileSync(path.join(process.cwd(), 'assets/labs', file), 'utf8'));
      expect(loaded(r).warnings).toEqual([]);
    },
  );
});

describe('refusals: field, value and why', () => {
  it('a newer format', () => {
    expect(parseLab({ podpath: 2 })).toEqual({
      ok: false,
      problems: [
        {
          severity: 'error',
          path: 'podpath',
          message:
            'podpath 2 is a newer lab format than this Podpath reads (it reads format 1); open the lab with a newer Podpath',
        },
      ],
    });
  });

  it('a missing or malformed version', () => {
    expect(errors(parseLab({ name: 'x' }))).toEqual([
      'podpath is missing: a lab file starts with "podpath": 1 (its format version)',
    ]);
    expect(errors(parseLab({ podpath: '1' }))).toEqual([
      'podpath 1 must be the lab format version, a whole number (1)',
    ]);
    expect(errors(parseLab({ podpath: 1.5 }))).toEqual([
      'podpath 1.5 must be the lab format version, a whole number (1)',
    ]);
    expect(errors(parseLab([]))).toEqual(['the lab file must be a JSON object']);
  });

  it('text that is not JSON', () => {
    const text = '{"podpath": 1,';
    let parserMessage = '';
    try {
      JSON.parse(text);
    } catch (e) {
      parserMessage = (e as Error).message;
    }
    expect(parserMessage).not.toBe('');
    expect(parseLabText(text)).toEqual({
      ok: false,
      problems: [
        { severity: 'error', path: '', message: `the lab file is not valid JSON: ${parserMessage}` },
      ],
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'a node IP outside its network',
      lab({
        nodes: [
          { name: 'node-1', network: 'rack-a', ip: '192.168.1.10' },
          { name: 'node-2', network: 'rack-a', ip: '192.168.9.10' },
        ],
      }),
      'nodes[1].ip 192.168.9.10 is not inside network rack-a 192.168.1.0/24',
    ],
    [
      'the network address as a node IP',
      lab({ nodes: [{ name: 'node-1', network: 'rack-a', ip: '192.168.1.0' }] }),
      'nodes[0].ip 192.168.1.0 is the network address of rack-a 192.168.1.0/24, not a host address',
    ],
    [
      'two hosts with one IP',
      lab({
        nodes: [
          { name: 'node-1', network: 'rack-a', ip: '192.168.1.10' },
          { name: 'node-2', network: 'rack-a', ip: '192.168.1.10' },
        ],
      }),
      'nodes[1].ip 192.168.1.10 is already used by nodes[0].ip on network rack-a',
    ],
    [
      'an unknown network name',
      lab({ nodes: [{ name: 'node-1', network: 'rack-z', ip: '192.168.1.10' }] }),
      'nodes[0].network rack-z is not a network of this lab (networks: rack-a)',
    ],
    [
      'duplicate node names',
      lab({
        nodes: [
          { name: 'node-1', network: 'rack-a', ip: '192.168.1.10' },
          { name: 'node-1', network: 'rack-a', ip: '192.168.1.11' },
        ],
      }),
      'nodes[1].name node-1 is already used by nodes[0] (node names must be unique)',
    ],
    [
      'a pod on a node that does not exist',
      lab({ objects: [pod('web-1', { nodeName: 'node-9' })] }),
      'objects[0].spec.nodeName node-9 is not a node of this lab (nodes: node-1, node-2)',
    ],
    [
      'containerPort 70000',
      lab({ objects: [pod('web-1', { containers: [{ name: 'web', ports: [{ containerPort: 70000 }] }] })] }),
      'objects[0].spec.containers[0].ports[0].containerPort 70000 is out of range (1-65535)',
    ],
    [
      'a nodePort that is not a port at all',
      lab({ objects: [service('web', { type: 'NodePort', ports: [{ port: 80, nodePort: 70000 }] })] }),
      'objects[0].spec.ports[0].nodePort 70000 is out of range (1-65535)',
    ],
    [
      'a nodePort on a ClusterIP service',
      lab({ objects: [service('web', { ports: [{ port: 80, nodePort: 30080 }] })] }),
      'objects[0].spec.ports[0].nodePort 30080 is only allowed for NodePort and LoadBalancer services (type is ClusterIP)',
    ],
    [
      'a clusterIP that is not an address',
      lab({ objects: [service('web', { clusterIP: '10.96.0' })] }),
      'objects[0].spec.clusterIP 10.96.0 is not a valid IPv4 address or "None"',
    ],
    [
      'a podCIDR with host bits set',
      lab({ cluster: { podCIDR: '10.244.1.0/16' } }),
      'cluster.podCIDR 10.244.1.0/16 has host bits set (did you mean 10.244.0.0/16?)',
    ],
    [
      'a node podCIDR with host bits set',
      lab({ nodes: [{ name: 'node-1', network: 'rack-a', ip: '192.168.1.10', podCIDR: '10.244.1.1/24' }] }),
      'nodes[0].podCIDR 10.244.1.1/24 has host bits set (did you mean 10.244.1.0/24?)',
    ],
    [
      'a node podCIDR outside the cluster podCIDR',
      lab({ nodes: [{ name: 'node-1', network: 'rack-a', ip: '192.168.1.10', podCIDR: '10.245.1.0/24' }] }),
      'nodes[0].podCIDR 10.245.1.0/24 is not inside cluster.podCIDR 10.244.0.0/16',
    ],
    [
      'a serviceCIDR overlapping the podCIDR',
      lab({ cluster: { podCIDR: '10.244.0.0/16', serviceCIDR: '10.244.128.0/17' } }),
      'cluster.serviceCIDR 10.244.128.0/17 overlaps cluster.podCIDR 10.244.0.0/16',
    ],
    [
      'a dnsServiceIP outside the serviceCIDR',
      lab({ cluster: { dnsServiceIP: '10.244.0.10' } }),
      'cluster.dnsServiceIP 10.244.0.10 is not inside cluster.serviceCIDR 10.96.0.0/12',
    ],
    [
      'an unknown fault type',
      lab({ faults: [{ type: 'cable-cut', node: 'node-1' }] }),
      'faults[0].type cable-cut is not a fault type (kube-proxy-down, pod-not-ready, selector-mismatch, target-port-mismatch, coredns-down, firewall, bgp-session-down, route-reflector-down, mtu-mismatch, missing-route, network-policy, masquerade-off, hairpin-mode-off)',
    ],
    [
      'an unknown CNI mode for flannel',
      lab({ cluster: { cni: { plugin: 'flannel', mode: 'ipip' } } }),
      'cluster.cni.mode ipip is not one of "vxlan", "host-gw"',
    ],
  ])('%s', (_name, doc, message) => {
    expect(errors(parseLab(doc))).toEqual([message]);
  });

  it('reports every problem of one file together, errors before warnings, and loads nothing', () => {
    const r = parseLab(
      lab({
        colour: 'blue',
        cluster: { podCIDR: '10.244.1.0/16' },
        nodes: [
          { name: 'node-1', network: 'rack-a', ip: '192.168.9.10' },
          { name: 'node-1', network: 'rack-z', ip: '192.168.1.11' },
        ],
        objects: [
          pod('web-1', {
            nodeName: 'node-9',
            containers: [{ name: 'web', ports: [{ containerPort: 70000 }] }],
          }),
        ],
        faults: [{ type: 'cable-cut' }],
      }),
    );
    expect(r.ok).toBe(false);
    expect('lab' in r).toBe(false);
    expect(r.ok ? [] : r.problems.map((p) => `${p.severity}: ${p.message}`)).toEqual([
      'error: cluster.podCIDR 10.244.1.0/16 has host bits set (did you mean 10.244.0.0/16?)',
      'error: nodes[0].ip 192.168.9.10 is not inside network rack-a 192.168.1.0/24',
      'error: nodes[1].name node-1 is already used by nodes[0] (node names must be unique)',
      'error: nodes[1].network rack-z is not a network of this lab (networks: rack-a)',
      'error: objects[0].spec.nodeName node-9 is not a node of this lab (nodes: node-1)',
      'error: objects[0].spec.containers[0].ports[0].containerPort 70000 is out of range (1-65535)',
      expect.stringMatching(/^error: faults\[0\]\.type cable-cut is not a fault type \(kube-proxy-down, /),
      'warning: colour is not a field Podpath knows; it is kept and ignored',
    ]);
  });
});

describe('what is kept with a warning', () => {
  it('an unknown top-level field: warning, lab still loads', () => {
    const r = loaded(parseLab(lab({ colour: 'blue' })));
    expect(r.warnings).toEqual([
      {
        severity: 'warning',
        path: 'colour',
        message: 'colour is not a field Podpath knows; it is kept and ignored',
      },
    ]);
    expect(r.lab.nodes).toHaveLength(2);
  });

  // The API server's --service-node-port-range is configurable, so a nodePort outside the default
  // 30000-32767 loads with a warning (parseLab.ts readServiceSpec) rather than being refused.
  it.each([29999, 32768])('a nodePort %d outside the default range: warning, lab still loads', (nodePort) => {
    const r = loaded(
      parseLab(lab({ objects: [service('web', { type: 'NodePort', ports: [{ port: 80, nodePort }] })] })),
    );
    expect(r.warnings).toEqual([
      {
        severity: 'warning',
        path: 'objects[0].spec.ports[0].nodePort',
        message: `objects[0].spec.ports[0].nodePort ${nodePort} is outside the API server's default --service-node-port-range 30000-32767 (a cluster with the default range would refuse it)`,
      },
    ]);
  });

  it('a clusterIP in the legacy zero-padded spelling loads, as the API server stored it', () => {
    const r = loaded(
      parseLab(
        lab({
          objects: [
            service('web', { clusterIP: '10.096.000.050' }),
            service('headless', { clusterIP: 'None' }),
          ],
        }),
      ),
    );
    expect(r.warnings).toEqual([]);
    expect(r.lab.objects).toHaveLength(2);
  });

  it('an unknown field deeper down names its full path', () => {
    const r = loaded(parseLab(lab({ cluster: { cni: { plugin: 'flannel', backend: 'wireguard' } } })));
    expect(r.warnings.map((w) => w.message)).toEqual([
      'cluster.cni.backend is not a field Podpath knows; it is kept and ignored',
    ]);
  });

  it('an object of a kind Podpath does not model is kept as is, with a warning', () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'coredns', namespace: 'kube-system' },
      data: { Corefile: '.:53 {}' },
    };
    const r = loaded(parseLab(lab({ objects: [cm] })));
    expect(r.warnings).toEqual([
      {
        severity: 'warning',
        path: 'objects[0]',
        message: 'objects[0] is a ConfigMap, a kind Podpath does not model; it is kept and ignored',
      },
    ]);
    expect(r.lab.objects).toEqual([cm]);
    expect(r.lab.pods).toEqual([]);
  });
});

describe('Deployment expansion', () => {
  const SUFFIX = '[bcdfghjklmnpqrstvwxz2456789]';
  const NAME = new RegExp(`^web-(${SUFFIX}{10})-${SUFFIX}{5}$`);

  it('gives `replicas` pods named <deploy>-<10 chars>-<5 chars>, spread round-robin over the nodes', () => {
    const { lab: l } = loaded(parseLab(lab({ objects: [deployment('web', 3)] })));
    expect(l.pods).toHaveLength(3);
    const hashes = l.pods.map((p) => NAME.exec(p.name)?.[1]);
    expect(hashes.every((h) => h !== undefined)).toBe(true);
    expect(new Set(hashes).size).toBe(1);
    expect(new Set(l.pods.map((p) => p.name)).size).toBe(3);
    expect(l.pods.map((p) => p.nodeName)).toEqual(['node-1', 'node-2', 'node-1']);
    expect(l.pods.map((p) => [p.namespace, p.fromDeployment, p.objectIndex])).toEqual([
      ['shop', 'web', 0],
      ['shop', 'web', 0],
      ['shop', 'web', 0],
    ]);
    expect(l.pods[0]?.labels).toEqual({ app: 'web', 'pod-template-hash': hashes[0] });
    expect(l.pods[0]?.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  });

  it('is deterministic across runs', () => {
    const names = (): string[] =>
      loaded(parseLab(lab({ objects: [deployment('web', 4)] }))).lab.pods.map((p) => p.name);
    const first = names();
    expect(names()).toEqual(first);
    expect(new Set(first).size).toBe(4);
  });

  it('a different deployment gets a different template hash', () => {
    const { lab: l } = loaded(parseLab(lab({ objects: [deployment('web', 1), deployment('api', 1)] })));
    const [web, api] = l.pods.map((p) => p.labels['pod-template-hash']);
    expect(web).not.toBe(api);
  });

  it('replicas 0 gives no pods; a template nodeName pins every replica', () => {
    expect(loaded(parseLab(lab({ objects: [deployment('web', 0)] }))).lab.pods).toEqual([]);
    const pinned = deployment('web', 3);
    (pinned['spec'] as { template: { spec: Record<string, unknown> } }).template.spec['nodeName'] = 'node-2';
    expect(loaded(parseLab(lab({ objects: [pinned] }))).lab.pods.map((p) => p.nodeName)).toEqual([
      'node-2',
      'node-2',
      'node-2',
    ]);
  });

  it('refuses a selector that does not match the template', () => {
    const bad = deployment('web', 1);
    (bad['spec'] as { selector: unknown }).selector = { matchLabels: { app: 'api' } };
    expect(errors(parseLab(lab({ objects: [bad] })))).toEqual([
      "objects[0].spec.selector.matchLabels.app api does not match the template's labels (spec.template.metadata.labels.app is web)",
    ]);
  });
});
