// The reachability matrix must say what the packet walk does: for every pair of a Calico lab with
// policies of every shape, "allowed" ⇔ the SYN is delivered and answered, "policy" ⇔ Calico drops
// it at a workload interface.
import { describe, expect, it } from 'vitest';
import { compile, parseLab, reachMatrix, walk } from '../../shared-sim/src/index';
import { netpolBenchLab } from '../bench/netpolBench';

describe('reach matrix agrees with the walker', () => {
  it.each([
    ['tcp', 80],
    ['tcp', 8081],
    ['udp', 53],
  ] as const)('%s %i: 24 pods, 15 policies, every pair walked', (proto, port) => {
    const parsed = parseLab(netpolBenchLab(24, 15));
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
  });
});
