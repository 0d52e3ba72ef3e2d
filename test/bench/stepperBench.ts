/**
 * The app's simulation worker (renderer/src/worker/simCore.ts) as the stepper uses it, in Node:
 * the time from a probe to its step list, cold (parse + compile + walk + steps, the first trace of
 * a lab revision) and warm (the compiled lab cached, every later probe on the same revision), and
 * a Compare of two CNI modes. Target (issue 7): the step list of a typical lab in < 100 ms. The
 * browser figure (worker round trip in headless Chromium) is printed by test/e2e/stepper.e2e.ts.
 */
import { performance } from 'node:perf_hooks';
import servicesLab from '../../assets/labs/services-iptables.podlab.json';
import vxlanLab from '../../assets/labs/flannel-vxlan-2node.podlab.json';
import { SimCore } from '../../renderer/src/worker/simCore';
import type { SimRequest } from '../../renderer/src/worker/protocol';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function time(core: SimCore, req: SimRequest): number {
  const t0 = performance.now();
  const r = core.handle(req);
  const ms = performance.now() - t0;
  if (!r.ok) throw new Error(`${req.kind}: ${r.error.message}`);
  return ms;
}

export function stepperBench(bigLab: unknown): string[] {
  const cases: { name: string; doc: unknown; probe: { from: string; to: string; port: number } }[] = [
    {
      name: 'Flannel VXLAN, 2 nodes, pod → pod',
      doc: vxlanLab,
      probe: { from: 'shop/web-1', to: 'shop/api-1', port: 8080 },
    },
    {
      name: 'Services + CoreDNS, name → Service',
      doc: servicesLab,
      probe: { from: 'shop/web-1', to: 'web', port: 80 },
    },
    {
      name: '100 nodes / 1,000 pods, pod → pod',
      doc: bigLab,
      probe: { from: 'bench/p-1-1', to: 'bench/p-100-1', port: 8080 },
    },
  ];
  const out = [
    'Packet stepper — simulation worker core: probe → step list (median of 15; cold = a new lab revision)',
    ['lab'.padEnd(38), '    cold', '    warm', ' compare (cold)'].join('  '),
  ];
  for (const c of cases) {
    const cold: number[] = [];
    const warm: number[] = [];
    const cmp: number[] = [];
    for (let i = 0; i < 15; i++) {
      const core = new SimCore();
      cold.push(time(core, { id: 1, kind: 'trace', lab: { key: 'k', doc: c.doc }, probe: c.probe }));
      warm.push(time(core, { id: 2, kind: 'trace', lab: { key: 'k' }, probe: c.probe }));
      cmp.push(
        time(new SimCore(), {
          id: 3,
          kind: 'compare',
          lab: { key: 'c', doc: c.doc },
          probe: c.probe,
          variants: [
            { cni: { plugin: 'flannel', mode: 'vxlan' } },
            { cni: { plugin: 'flannel', mode: 'host-gw' } },
          ],
        }),
      );
    }
    out.push(
      [
        c.name.padEnd(38),
        `${median(cold).toFixed(1)} ms`.padStart(8),
        `${median(warm).toFixed(2)} ms`.padStart(8),
        `${median(cmp).toFixed(1)} ms`.padStart(15),
      ].join('  '),
    );
  }
  out.push('target: the step list of a typical lab < 100 ms');
  return out;
}
