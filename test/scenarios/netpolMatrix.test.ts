// The reachability matrix must say what the packet walk does: for every pair of a Calico lab with
// policies of every shape, "allowed" ⇔ the SYN is delivered and answered, "policy" ⇔ Calico drops
// it at a workload interface.
import { describe, expect, it } from 'vitest';
import { compile, parseLab, reachMatrix, walk } from '../../shared-sim/src/index';
import { netpolBenchLab } from '../bench/netpolBench';

type LabJson = { objects: unknown[] };

/** Pods with hostNetwork (seen at their node's address, or the tunnel address after Calico's MASQUERADE) and an ipBlock policy. */
function withHostNetwork(lab: unknown): unknown {
  const l = lab as LabJson;
  for (const node of ['node-1', 'node-2'])
    l.objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `agent-${node}`, namespace: 'ns-0', labels: { app: 'agent' } },
      spec: {
        nodeName: node,
        hostNetwork: true,
        containers: [{ name: 'a', ports: [{ containerPort: 80 }] }],
      },
    });
  l.objects.push({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'from-node-network', namespace: 'ns-1' },
    spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '192.168.10.0/24' } }] }] },
  });
  return l;
}

describe('reach matrix agrees with the walker', () => {
  it.each([
    ['tcp', 80, false],
    ['tcp', 8081, false],
    ['udp', 53, false],
    ['tcp', 80, true],
  ] as const)(
    '%s %i (hostNetwork pods: %s): 24 pods, 15 policies, every pair walked',
    (proto, port, hostNet) => {
      const json = netpolBenchLab(24, 15);
      const parsed = parseLab(hostNet ? withHostNetwork(json) : json);
      if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'));
      const world = compile(parsed.lab, parsed.warnings);
      const m = reachMatrix(world, { port, proto });
      const wrong: string[] = [];
      let denied = 0;
      world.pods.forEach((s, i) => {
        world.pods.forEach((d, j) => {
          if (i === j || !s.hostId || d.ip === undefined) return;
          const t = walk(world.fabric, {
            from: s.hostId,
            dst: d.ip,
            proto,
            dport: port,
            size: 0,
            pmtudisc: 'want',
          }).trace;
          const byPolicy = t.verdict === 'dropped' && t.hops[t.hops.length - 1]?.policy?.verdict === 'drop';
          const connects = t.verdict === 'delivered' && t.reply?.verdict === 'delivered';
          const cell = m.cells[i]?.[j];
          if (byPolicy) denied++;
          const expected = byPolicy
            ? 'policy'
            : connects
              ? 'allowed'
              : t.verdict === 'rejected'
                ? 'refused'
                : 'dataplane';
          if (cell !== expected)
            wrong.push(`${m.pods[i]} → ${m.pods[j]}: matrix ${cell}, walk ${t.verdict} (${t.reason})`);
        });
      });
      expect(wrong).toEqual([]);
      expect(denied).toBeGreaterThan(0);
    },
  );
});
