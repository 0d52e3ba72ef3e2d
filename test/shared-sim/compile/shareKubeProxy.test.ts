import { describe, expect, it } from 'vitest';
import { compile, parseLab, runCommand } from '../../../shared-sim/src/index';
import { flannelLab, node, pod } from '../../fixtures/labBuilder';

/** Three nodes, endpoints on two of them, Services with Cluster and Local policies. */
function lab(mode: 'iptables' | 'ipvs' | 'nftables'): unknown {
  const l = flannelLab({
    mode: 'vxlan',
    nodes: [node('node-1', '192.168.1.10'), node('node-2', '192.168.1.11'), node('node-3', '192.168.1.12')],
    pods: [
      pod('shop/api-1', 'node-1', { ports: [8080], labels: { app: 'api' } }),
      pod('shop/api-2', 'node-2', { ports: [8080], labels: { app: 'api' } }),
      pod('shop/api-3', 'node-2', { ports: [8080], labels: { app: 'api' } }),
    ],
  });
  (l.cluster as { kubeProxy: unknown }).kubeProxy = { mode };
  const svc = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'shop' },
    spec,
  });
  l.objects.push(
    svc('cluster', { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080 }] }),
    svc('local-np', {
      type: 'NodePort',
      externalTrafficPolicy: 'Local',
      selector: { app: 'api' },
      ports: [{ port: 81, targetPort: 8080 }],
    }),
    svc('local-lb', {
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      selector: { app: 'api' },
      ports: [{ port: 82, targetPort: 8080 }],
    }),
    svc('internal', {
      internalTrafficPolicy: 'Local',
      selector: { app: 'api' },
      ports: [{ port: 83, targetPort: 8080 }],
    }),
  );
  return l;
}

const VIEWS = {
  iptables: ['iptables-save'],
  ipvs: ['iptables-save', 'ipvsadm -Ln', 'ip addr', 'ipset list'],
  nftables: ['nft list ruleset'],
} as const;

describe('nodes share kube-proxy programs only where the inputs are the same', () => {
  for (const mode of ['iptables', 'ipvs', 'nftables'] as const) {
    it(`${mode}: every node prints what it would print if generated on its own`, () => {
      const parsed = parseLab(lab(mode));
      if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'));
      const shared = compile(parsed.lab, parsed.warnings);
      const alone = compile(parsed.lab, parsed.warnings, { shareKubeProxy: false });
      for (const n of ['node/node-1', 'node/node-2', 'node/node-3']) {
        for (const cmd of VIEWS[mode]) {
          const a = shared.fabric.hosts.get(n);
          const b = alone.fabric.hosts.get(n);
          if (!a || !b) throw new Error(n);
          const x = runCommand(shared, a, cmd, { now: 0 });
          const y = runCommand(alone, b, cmd, { now: 0 });
          expect(x).toEqual(y);
        }
      }
      // and the nodes do differ where Local policies make them
      const one = shared.fabric.hosts.get('node/node-1');
      const three = shared.fabric.hosts.get('node/node-3');
      if (!one || !three) throw new Error('nodes');
      const cmd = VIEWS[mode][0];
      expect(runCommand(shared, one, cmd, { now: 0 })).not.toEqual(
        runCommand(shared, three, cmd, { now: 0 }),
      );
    });
  }
});
