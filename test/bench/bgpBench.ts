/**
 * BGP rows of `npm run bench`: Calico's control plane alone (computeBgp over the lab's underlay)
 * for 10, 100 and 1,000 nodes, full mesh (N(N-1)/2 sessions) against two route reflectors
 * (2(N-2) + 1 sessions): sessions, control-plane events, UPDATE messages, convergence time and
 * the heap the state holds. Above 300 speakers the event list is counted, not kept.
 */
import { performance } from 'node:perf_hooks';
import { computeBgp, labUnderlay, parseLab, type Lab } from '../../shared-sim/src/index';

export function bgpBenchLab(nodes: number, topology: 'full-mesh' | 'route-reflector'): Lab {
  const list = Array.from({ length: nodes }, (_, i) => ({
    name: `node-${i + 1}`,
    network: 'lan',
    ip: `172.16.${Math.floor((i + 10) / 250)}.${((i + 10) % 250) + 1}`,
    gateway: '172.16.0.1',
  }));
  const p = parseLab({
    podpath: 1,
    name: `bgp bench ${nodes} ${topology}`,
    cluster: {
      podCIDR: '10.128.0.0/9',
      cni: {
        plugin: 'calico',
        mode: 'bgp',
        bgp:
          topology === 'full-mesh'
            ? { topology }
            : { topology, routeReflectors: ['node-1', 'node-2'], clusterID: '244.0.0.1' },
      },
    },
    networks: [{ name: 'lan', cidr: '172.16.0.0/16', mtu: 1500 }],
    routers: [{ name: 'gw', interfaces: [{ network: 'lan', ip: '172.16.0.1' }] }],
    nodes: list,
  });
  if (!p.ok) throw new Error(p.problems.map((x) => x.message).join('\n'));
  return p.lab;
}

function oneCase(
  gc: () => void,
  n: number,
  topology: 'full-mesh' | 'route-reflector',
): { sessions: number; up: number; events: number; updates: number; ms: number; heap: number } {
  const lab = bgpBenchLab(n, topology);
  const blocks = lab.nodes.map((x, i) => ({
    cidr: `10.${128 + Math.floor(i / 1024)}.${Math.floor((i % 1024) / 4)}.${(i % 4) * 64}/26`,
    node: x.name,
  }));
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const st = computeBgp({ lab, blocks, reach: labUnderlay(lab).reach });
  const ms = performance.now() - t0;
  gc();
  const heap = (process.memoryUsage().heapUsed - before) / 1e6;
  return {
    sessions: st.sessions.length,
    up: st.sessions.filter((s) => s.state === 'Established').length,
    events: st.counts.events,
    updates: st.counts.updates,
    ms,
    heap,
  };
}

/** Rows of the BGP bench; `sizes` for tests (default 10, 100, 1,000). */
export function runBgpBench(gc: () => void, sizes: readonly number[] = [10, 100, 1000]): string[] {
  const out = [
    '',
    'Calico BGP control plane (computeBgp: sessions up, UPDATEs to convergence, routes to install)',
    'nodes  topology          sessions  established     events   UPDATEs    conv ms   heap MB',
  ];
  for (const n of sizes)
    for (const topology of ['full-mesh', 'route-reflector'] as const) {
      const r = oneCase(gc, n, topology);
      out.push(
        `${String(n).padStart(5)}  ${topology.padEnd(16)}  ${String(r.sessions).padStart(8)}  ${String(r.up).padStart(11)}  ${String(r.events).padStart(9)}  ${String(r.updates).padStart(8)}  ${r.ms.toFixed(0).padStart(9)}  ${r.heap.toFixed(0).padStart(8)}`,
      );
    }
  return out;
}
