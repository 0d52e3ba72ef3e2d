/**
 * Reachability matrix benchmark (issue 5): `pods` pods in 10 namespaces on 10 nodes, Calico VXLAN,
 * `policies` NetworkPolicies of every shape (pod and namespace selectors, AND/OR peers,
 * matchExpressions, ipBlock with except, numeric, named and ranged ports, egress and ingress).
 * Target: 500 × 500 pods with 100 policies under 2 s; 2,000 pods reported.
 */
import { performance } from 'node:perf_hooks';
import { compile, parseLab, reachMatrix } from '../../shared-sim/src/index';

export function netpolBenchLab(
  pods: number,
  policies: number,
  plugin: 'calico' | 'flannel' = 'calico',
): unknown {
  const nodes = 10;
  const nss = 10;
  const objects: unknown[] = [];
  for (let n = 0; n < nss; n++)
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: `ns-${n}`, labels: { team: `t${n % 4}` } },
    });
  for (let i = 0; i < pods; i++) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `p-${i}`,
        namespace: `ns-${i % nss}`,
        labels: { app: `app-${i % 17}`, tier: ['web', 'api', 'db'][i % 3] ?? 'web' },
      },
      spec: {
        nodeName: `node-${(i % nodes) + 1}`,
        containers: [
          {
            name: 'c',
            ports: [
              { name: 'http', containerPort: 80 },
              { name: 'alt', containerPort: 8080 + (i % 3) },
            ],
          },
        ],
      },
    });
  }
  for (let k = 0; k < policies; k++) {
    const ns = `ns-${k % nss}`;
    const shape = k % 5;
    const spec =
      shape === 0
        ? {
            podSelector: { matchLabels: { tier: 'db' } },
            ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'api' } } }], ports: [{ port: 80 }] }],
          }
        : shape === 1
          ? {
              podSelector: {
                matchExpressions: [
                  { key: 'app', operator: 'In', values: [`app-${k % 17}`, `app-${(k + 1) % 17}`] },
                ],
              },
              ingress: [
                {
                  from: [
                    {
                      namespaceSelector: { matchLabels: { team: `t${k % 4}` } },
                      podSelector: { matchLabels: { tier: 'web' } },
                    },
                  ],
                },
                {
                  from: [
                    {
                      namespaceSelector: {
                        matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['t0'] }],
                      },
                    },
                  ],
                  ports: [{ port: 'http' }],
                },
              ],
            }
          : shape === 2
            ? {
                podSelector: { matchLabels: { tier: 'web' } },
                policyTypes: ['Egress'],
                egress: [
                  { to: [{ ipBlock: { cidr: '10.244.0.0/17', except: ['10.244.0.0/24'] } }] },
                  { ports: [{ port: 53, protocol: 'UDP' }] },
                ],
              }
            : shape === 3
              ? {
                  podSelector: { matchLabels: { app: `app-${k % 17}` } },
                  ingress: [{ ports: [{ port: 8000, endPort: 8081 }] }],
                }
              : {
                  podSelector: {},
                  policyTypes: ['Ingress', 'Egress'],
                  ingress: [{ from: [{ podSelector: {} }] }],
                  egress: [{ to: [{ namespaceSelector: {} }] }],
                };
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `pol-${k}`, namespace: ns },
      spec,
    });
  }
  return {
    podpath: 1,
    name: `netpol bench ${pods} pods ${policies} policies`,
    cluster: {
      podCIDR: '10.244.0.0/16',
      serviceCIDR: '10.96.0.0/12',
      cni:
        plugin === 'calico'
          ? { plugin: 'calico', mode: 'vxlan', blockSize: 24 }
          : { plugin: 'flannel', mode: 'vxlan' },
    },
    networks: [{ name: 'lan', cidr: '192.168.10.0/24', mtu: 1500 }],
    routers: [{ name: 'gw', interfaces: [{ network: 'lan', ip: '192.168.10.1' }] }],
    nodes: Array.from({ length: nodes }, (_, i) => ({
      name: `node-${i + 1}`,
      network: 'lan',
      ip: `192.168.10.${11 + i}`,
      gateway: '192.168.10.1',
    })),
    objects,
  };
}

export interface NetpolBenchRow {
  readonly pods: number;
  readonly policies: number;
  readonly compileMs: number;
  readonly matrixMs: number;
  readonly walks: number;
  readonly allowed: number;
  readonly denied: number;
}

export function netpolBench(pods: number, policies: number): NetpolBenchRow {
  const json = netpolBenchLab(pods, policies);
  const t0 = performance.now();
  const parsed = parseLab(json);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'));
  const world = compile(parsed.lab, parsed.warnings);
  const t1 = performance.now();
  const m = reachMatrix(world, { port: 80, proto: 'tcp' });
  const t2 = performance.now();
  let allowed = 0;
  let denied = 0;
  for (const row of m.cells)
    for (const c of row) {
      if (c === 'allowed') allowed++;
      else if (c === 'policy') denied++;
    }
  return { pods, policies, compileMs: t1 - t0, matrixMs: t2 - t1, walks: m.walks, allowed, denied };
}

export function runNetpolBench(): void {
  console.log('');
  console.log('Reachability matrix (podpath reach), Calico VXLAN, 10 nodes, TCP 80:');
  console.log(
    ['    pods', 'policies', ' compile', '   matrix', 'walks', '   allowed', ' denied by policy'].join('  '),
  );
  for (const [pods, policies] of [
    [500, 100],
    [2000, 100],
  ] as const) {
    const r = netpolBench(pods, policies);
    console.log(
      [
        String(r.pods).padStart(8),
        String(r.policies).padStart(8),
        `${r.compileMs.toFixed(0)} ms`.padStart(8),
        `${r.matrixMs.toFixed(0)} ms`.padStart(9),
        String(r.walks).padStart(5),
        String(r.allowed).padStart(10),
        String(r.denied).padStart(17),
      ].join('  '),
    );
  }
  console.log('target: 500 × 500 pods with 100 policies < 2 s (matrix)');
}
