// NetworkPolicy semantics, rule by rule (networking.k8s.io/v1; the Kubernetes documentation's
// examples and the usual recipes). Pods are given IPs; the engine answers egress at the source
// and ingress at the destination.
import { describe, expect, it } from 'vitest';
import { buildPolicyEngine, type PolicyEngine } from '../../../../shared-sim/src/control/policy/engine';
import { ipv4, parseIpv4 } from '../../../../shared-sim/src/dataplane/addr/ipv4';
import { parseLab } from '../../../../shared-sim/src/model/parseLab';

type Obj = Record<string, unknown>;

/** Pods: "ns/name" → labels and container ports; pod i gets 10.244.0.(10+i). */
function engineFor(
  pods: Record<string, { labels?: Record<string, string>; ports?: Obj[] }>,
  policies: Obj[],
  nsLabels: Record<string, Record<string, string>> = {},
): PolicyEngine {
  const nss = new Set([...Object.keys(pods).map((k) => k.split('/')[0] ?? ''), ...Object.keys(nsLabels)]);
  const objects: Obj[] = [...nss].map((n) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: n, labels: nsLabels[n] ?? {} },
  }));
  Object.entries(pods).forEach(([k, p], i) => {
    const [ns, name] = k.split('/');
    objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, labels: p.labels ?? {} },
      spec: { nodeName: 'n1', containers: [{ name: 'c', ports: p.ports ?? [{ containerPort: 80 }] }] },
      status: { podIP: `10.244.0.${10 + i}` },
    });
  });
  for (const p of policies) objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', ...p });
  const r = parseLab({
    podpath: 1,
    networks: [{ name: 'lan', cidr: '192.168.1.0/24' }],
    nodes: [{ name: 'n1', network: 'lan', ip: '192.168.1.10' }],
    objects,
  });
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('\n'));
  return buildPolicyEngine(
    r.lab.objects,
    r.lab.networkPolicies,
    r.lab.pods.map((p) => ({ spec: p, ...(p.podIP ? { ip: parseIpv4(p.podIP) } : {}) })),
  );
}

function conn(e: PolicyEngine, from: string, to: string, port = 80, proto: 'TCP' | 'UDP' | 'SCTP' = 'TCP') {
  const s = e.podIndex.get(from) ?? -1;
  const d = e.podIndex.get(to) ?? -1;
  const flow = { src: e.pods[s]?.ip ?? ipv4('0.0.0.0'), dst: e.pods[d]?.ip ?? ipv4('0.0.0.0'), proto, port };
  const eg = e.egress(s, flow);
  const ing = e.ingress(d, flow);
  return { allowed: eg.allowed && ing.allowed, egress: eg, ingress: ing };
}

const allowed = (
  e: PolicyEngine,
  from: string,
  to: string,
  port = 80,
  proto: 'TCP' | 'UDP' | 'SCTP' = 'TCP',
) => conn(e, from, to, port, proto).allowed;

const np = (ns: string, name: string, spec: Obj): Obj => ({ metadata: { name, namespace: ns }, spec });

const PODS = {
  'shop/web': { labels: { app: 'web' } },
  'shop/api': { labels: { app: 'api', tier: 'backend' } },
  'shop/db': { labels: { app: 'db', tier: 'backend' } },
  'ops/mon': { labels: { role: 'monitoring' } },
  'dev/tool': { labels: { app: 'web' } },
};
const NS = { shop: { team: 'shop' }, ops: { team: 'operations' }, dev: { team: 'dev' } };

describe('isolation and defaults', () => {
  it('no policy: every pod reaches every pod', () => {
    const e = engineFor(PODS, [], NS);
    expect(allowed(e, 'ops/mon', 'shop/db')).toBe(true);
    expect(conn(e, 'ops/mon', 'shop/db').ingress.reason).toBe(
      'no NetworkPolicy selects shop/db for ingress: it is not isolated',
    );
  });

  it('default-deny ingress (podSelector {}) isolates every pod of its namespace, and only those', () => {
    const e = engineFor(
      PODS,
      [np('shop', 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] })],
      NS,
    );
    expect(allowed(e, 'shop/web', 'shop/api')).toBe(false);
    expect(allowed(e, 'ops/mon', 'shop/web')).toBe(false);
    expect(allowed(e, 'shop/web', 'ops/mon')).toBe(true);
    expect(allowed(e, 'shop/web', 'dev/tool')).toBe(true);
    expect(conn(e, 'ops/mon', 'shop/web').ingress.reason).toBe(
      'shop/web is isolated for ingress by shop/default-deny and no ingress rule allows TCP 80 from pod ops/mon',
    );
  });

  it('policyTypes omitted: Ingress only, even with no rules (a bare podSelector isolates ingress)', () => {
    const e = engineFor(PODS, [np('shop', 'iso', { podSelector: { matchLabels: { app: 'db' } } })], NS);
    expect(allowed(e, 'shop/api', 'shop/db')).toBe(false);
    expect(allowed(e, 'shop/db', 'shop/api')).toBe(true);
  });

  it('policyTypes omitted with egress rules: Ingress and Egress', () => {
    const e = engineFor(
      PODS,
      [
        np('shop', 'eg', {
          podSelector: { matchLabels: { app: 'web' } },
          egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
        }),
      ],
      NS,
    );
    expect(e.policies[0]?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(allowed(e, 'shop/web', 'shop/api')).toBe(true);
    expect(allowed(e, 'shop/web', 'shop/db')).toBe(false);
    expect(allowed(e, 'shop/api', 'shop/web')).toBe(false); // isolated for ingress, no ingress rules
  });

  it('default-deny egress isolates egress only', () => {
    const e = engineFor(PODS, [np('shop', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] })], NS);
    expect(allowed(e, 'shop/web', 'ops/mon')).toBe(false);
    expect(allowed(e, 'ops/mon', 'shop/web')).toBe(true);
    expect(conn(e, 'shop/web', 'ops/mon').egress.reason).toBe(
      'shop/web is isolated for egress by shop/deny-egress and no egress rule allows TCP 80 to pod ops/mon',
    );
  });

  it('ingress: [{}] allows everything; ingress: [] allows nothing', () => {
    const all = engineFor(PODS, [np('shop', 'all', { podSelector: {}, ingress: [{}] })], NS);
    expect(allowed(all, 'ops/mon', 'shop/web', 9999, 'UDP')).toBe(true);
    const none = engineFor(PODS, [np('shop', 'none', { podSelector: {}, ingress: [] })], NS);
    expect(allowed(none, 'shop/api', 'shop/web')).toBe(false);
  });

  it('the union of policies: a deny-all plus an allow opens what the allow names', () => {
    const e = engineFor(
      PODS,
      [
        np('shop', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }),
        np('shop', 'allow-api-from-web', {
          podSelector: { matchLabels: { app: 'api' } },
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
        }),
      ],
      NS,
    );
    expect(allowed(e, 'shop/web', 'shop/api')).toBe(true);
    expect(allowed(e, 'shop/web', 'shop/db')).toBe(false);
    const v = conn(e, 'shop/web', 'shop/api').ingress;
    expect(v.by?.policy.name).toBe('allow-api-from-web');
    expect(v.by?.rule).toBe(0);
    expect(v.policies.map((p) => p.name)).toEqual(['allow-api-from-web', 'deny']);
  });

  it('both directions must allow: egress allowed at the source is not enough', () => {
    const e = engineFor(
      PODS,
      [
        np('shop', 'web-out', {
          podSelector: { matchLabels: { app: 'web' } },
          policyTypes: ['Egress'],
          egress: [{}],
        }),
        np('shop', 'db-in', { podSelector: { matchLabels: { app: 'db' } }, ingress: [] }),
      ],
      NS,
    );
    const c = conn(e, 'shop/web', 'shop/db');
    expect(c.egress.allowed).toBe(true);
    expect(c.ingress.allowed).toBe(false);
    expect(c.allowed).toBe(false);
  });
});

describe('peers', () => {
  it('podSelector alone means pods of the policy namespace', () => {
    const e = engineFor(
      PODS,
      [
        np('shop', 'p', {
          podSelector: { matchLabels: { app: 'api' } },
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
        }),
      ],
      NS,
    );
    expect(allowed(e, 'shop/web', 'shop/api')).toBe(true);
    expect(allowed(e, 'dev/tool', 'shop/api')).toBe(false); // app=web, but in namespace dev
  });

  it('namespaceSelector alone means all pods of those namespaces', () => {
    const e = engineFor(
      PODS,
      [
        np('shop', 'p', {
          podSelector: {},
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'operations' } } }] }],
        }),
      ],
      NS,
    );
    expect(allowed(e, 'ops/mon', 'shop/db')).toBe(true);
    expect(allowed(e, 'shop/web', 'shop/db')).toBe(false);
  });

  it('namespaceSelector and podSelector in one peer: AND (the docs\' "from a namespace and a pod")', () => {
    const e = engineFor(
      PODS,
      [
        np('shop', 'and', {
          podSelector: { matchLabels: { app: 'db' } },
          ingress: [
            {
              from: [
                {
                  namespaceSelector: { matchLabels: { team: 'dev' } },
                  podSelector: { matchLabels: { app: 'web' } },
                },
              ],
            },
          ],
        }),
      ],
      NS,
    );
    expect(allowed(e, 'dev/tool', 'shop/db')).toBe(true);
    expect(allowed(e, 'shop/web', 'shop/db')).toBe(false); // app=web but not in team=dev
    expect(allowed(e, 'ops/mon', 'shop/db')).toBe(false);
  });

  it('the same selectors as two peers: OR', () => {
    const e = engineFor(
      PODS,
      [
        np('shop', 'or', {
          podSelector: { matchLabels: { app: 'db' } },
          ingress: [
            {
              from: [
                { namespaceSelector: { matchLabels: { team: 'dev' } } },
                { podSelector: { matchLabels: { app: 'web' } } },
              ],
            },
          ],
        }),
      ],
      NS,
    );
    expect(allowed(e, 'dev/tool', 'shop/db')).toBe(true);
    expect(allowed(e, 'shop/web', 'shop/db')).toBe(true);
    expect(allowed(e, 'ops/mon', 'shop/db')).toBe(false);
  });

  it('namespaces are matched by their automatic kubernetes.io/metadata.name label', () => {
    const e = engineFor(
      PODS,
      [
        np('shop', 'p', {
          podSelector: {},
          ingress: [
            { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } } }] },
          ],
        }),
      ],
      NS,
    );
    expect(allowed(e, 'ops/mon', 'shop/web')).toBe(true);
    expect(allowed(e, 'dev/tool', 'shop/web')).toBe(false);
  });

  it('matchExpressions: In, NotIn (a missing key satisfies NotIn), Exists, DoesNotExist', () => {
    const mk = (expr: Obj) =>
      engineFor(
        PODS,
        [
          np('shop', 'p', {
            podSelector: { matchLabels: { app: 'db' } },
            ingress: [{ from: [{ podSelector: { matchExpressions: [expr] } }] }],
          }),
        ],
        NS,
      );
    const inE = mk({ key: 'app', operator: 'In', values: ['web', 'api'] });
    expect([allowed(inE, 'shop/web', 'shop/db'), allowed(inE, 'shop/api', 'shop/db')]).toEqual([true, true]);
    const notIn = mk({ key: 'tier', operator: 'NotIn', values: ['backend'] });
    expect([allowed(notIn, 'shop/web', 'shop/db'), allowed(notIn, 'shop/api', 'shop/db')]).toEqual([
      true,
      false,
    ]);
    const exists = mk({ key: 'tier', operator: 'Exists' });
    expect([allowed(exists, 'shop/web', 'shop/db'), allowed(exists, 'shop/api', 'shop/db')]).toEqual([
      false,
      true,
    ]);
    const dne = mk({ key: 'tier', operator: 'DoesNotExist' });
    expect([allowed(dne, 'shop/web', 'shop/db'), allowed(dne, 'shop/api', 'shop/db')]).toEqual([true, false]);
  });

  it('ipBlock with except applies to pod IPs (the enforcing plugins match addresses)', () => {
    // pods: web .10, api .11, db .12, mon .13, tool .14
    const e = engineFor(
      PODS,
      [
        np('shop', 'cidr', {
          podSelector: { matchLabels: { app: 'web' } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ ipBlock: { cidr: '10.244.0.0/28', except: ['10.244.0.12/32'] } }] }],
        }),
      ],
      NS,
    );
    expect(allowed(e, 'shop/web', 'shop/api')).toBe(true); // .11 inside
    expect(allowed(e, 'shop/web', 'shop/db')).toBe(false); // .12 excepted
    expect(allowed(e, 'shop/web', 'ops/mon')).toBe(true); // .13 inside
    expect(allowed(e, 'shop/web', 'dev/tool')).toBe(true); // .14 inside /28 (.0-.15)
    const outside = engineFor(
      PODS,
      [
        np('shop', 'cidr', {
          podSelector: { matchLabels: { app: 'web' } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ ipBlock: { cidr: '192.168.0.0/16' } }] }],
        }),
      ],
      NS,
    );
    expect(allowed(outside, 'shop/web', 'shop/api')).toBe(false);
  });
});

describe('ports', () => {
  const withPorts = {
    ...PODS,
    'shop/api': {
      labels: { app: 'api' },
      ports: [
        { name: 'http', containerPort: 8080 },
        { name: 'dns', containerPort: 53, protocol: 'UDP' },
      ],
    },
    'shop/db': { labels: { app: 'db' }, ports: [{ name: 'http', containerPort: 9090 }] },
  };

  it('a numeric port and the TCP default; other protocols on that number do not match', () => {
    const e = engineFor(
      withPorts,
      [np('shop', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 8080 }] }] })],
      NS,
    );
    expect(allowed(e, 'ops/mon', 'shop/api', 8080)).toBe(true);
    expect(allowed(e, 'ops/mon', 'shop/api', 8081)).toBe(false);
    expect(allowed(e, 'ops/mon', 'shop/api', 8080, 'UDP')).toBe(false);
    expect(allowed(e, 'ops/mon', 'shop/api', 8080, 'SCTP')).toBe(false);
  });

  it('a protocol without a port matches every port of that protocol', () => {
    const e = engineFor(
      withPorts,
      [np('shop', 'p', { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP' }] }] })],
      NS,
    );
    expect(allowed(e, 'ops/mon', 'shop/api', 53, 'UDP')).toBe(true);
    expect(allowed(e, 'ops/mon', 'shop/api', 5353, 'UDP')).toBe(true);
    expect(allowed(e, 'ops/mon', 'shop/api', 53, 'TCP')).toBe(false);
  });

  it('endPort: an inclusive range', () => {
    const e = engineFor(
      withPorts,
      [np('shop', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 8000, endPort: 8080 }] }] })],
      NS,
    );
    expect([7999, 8000, 8050, 8080, 8081].map((p) => allowed(e, 'ops/mon', 'shop/api', p))).toEqual([
      false,
      true,
      true,
      true,
      false,
    ]);
  });

  it('named ports resolve on each destination pod (ingress): http is 8080 on api, 9090 on db', () => {
    const e = engineFor(
      withPorts,
      [np('shop', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] })],
      NS,
    );
    expect(allowed(e, 'ops/mon', 'shop/api', 8080)).toBe(true);
    expect(allowed(e, 'ops/mon', 'shop/api', 9090)).toBe(false);
    expect(allowed(e, 'ops/mon', 'shop/db', 9090)).toBe(true);
    expect(allowed(e, 'ops/mon', 'shop/web', 80)).toBe(false); // web has no port named http
  });

  it('named ports in egress resolve on the destination (the peer), and need the same protocol', () => {
    const e = engineFor(
      withPorts,
      [
        np('ops', 'p', {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ ports: [{ port: 'dns', protocol: 'UDP' }, { port: 'http' }] }],
        }),
      ],
      NS,
    );
    expect(allowed(e, 'ops/mon', 'shop/api', 53, 'UDP')).toBe(true);
    expect(allowed(e, 'ops/mon', 'shop/api', 53, 'TCP')).toBe(false);
    expect(allowed(e, 'ops/mon', 'shop/db', 9090)).toBe(true);
    expect(allowed(e, 'ops/mon', 'shop/db', 8080)).toBe(false);
  });

  it('allow-DNS egress: a default-deny egress plus UDP/TCP 53 to any namespace', () => {
    const dnsPods = {
      ...withPorts,
      'kube-system/coredns': {
        labels: { 'k8s-app': 'kube-dns' },
        ports: [{ containerPort: 53, protocol: 'UDP' }],
      },
    };
    const e = engineFor(
      dnsPods,
      [
        np('shop', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] }),
        np('shop', 'allow-dns', {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [
            {
              to: [{ namespaceSelector: {} }],
              ports: [
                { protocol: 'UDP', port: 53 },
                { protocol: 'TCP', port: 53 },
              ],
            },
          ],
        }),
      ],
      NS,
    );
    expect(allowed(e, 'shop/web', 'kube-system/coredns', 53, 'UDP')).toBe(true);
    expect(allowed(e, 'shop/web', 'shop/api', 8080)).toBe(false);
    expect(conn(e, 'shop/web', 'kube-system/coredns', 53, 'UDP').egress.reason).toBe(
      'allowed by NetworkPolicy shop/allow-dns egress[0]',
    );
  });

  it('ports and peers of one rule must both match', () => {
    const e = engineFor(
      withPorts,
      [
        np('shop', 'p', {
          podSelector: { matchLabels: { app: 'api' } },
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] }],
        }),
      ],
      NS,
    );
    expect(allowed(e, 'shop/web', 'shop/api', 8080)).toBe(true);
    expect(allowed(e, 'shop/web', 'shop/api', 53, 'UDP')).toBe(false);
    expect(allowed(e, 'shop/db', 'shop/api', 8080)).toBe(false);
  });
});
