/**
 * Calico rows of `npm run bench`: VXLAN (Felix only) and IPIP (BIRD full mesh, through the BGP
 * model) labs of 10, 100 and 1,000 nodes with 10 pods each — parse + compile time, the median and
 * worst of many cross-node traces, and the heap the compiled world holds.
 */
import { performance } from 'node:perf_hooks';
import { compile, parseLab, resolveTarget, walk } from '../../shared-sim/src/index';

export function calicoBenchLab(nodes: number, podsPerNode: number, mode: 'vxlan' | 'ipip'): unknown {
  const nodeList = [];
  const objects: unknown[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } }];
  for (let i = 0; i < nodes; i++) {
    const name = `node-${i + 1}`;
    nodeList.push({
      name,
      network: 'lan',
      ip: `172.16.${Math.floor((i + 10) / 250)}.${((i + 10) % 250) + 1}`,
      gateway: '172.16.0.1',
    });
    for (let j = 0; j < podsPerNode; j++)
      objects.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `p-${i + 1}-${j + 1}`, namespace: 'bench', labels: { app: `app-${j}` } },
        spec: { nodeName: name, containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] },
      });
  }
  return {
    podpath: 1,
    name: `calico ${mode} bench ${nodes} nodes`,
    cluster: {
      podCIDR: '10.128.0.0/9',
      serviceCIDR: '10.96.0.0/12',
      cni: { plugin: 'calico', mode, blockSize: 26 },
    },
    networks: [{ name: 'lan', cidr: '172.16.0.0/16', mtu: 1500 }],
    routers: [{ name: 'gw', interfaces: [{ network: 'lan', ip: '172.16.0.1' }] }],
    nodes: nodeList,
    objects,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** One row: mode, nodes, pods, parse, compile, trace median, trace max, heap. */
export function calicoBenchRow(nodes: number, mode: 'vxlan' | 'ipip', gc?: () => void): string[] {
  const json = calicoBenchLab(nodes, 10, mode);
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const parsed = parseLab(json);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'));
  const t1 = performance.now();
  const world = compile(parsed.lab, parsed.warnings);
  const t2 = performance.now();
  gc?.();
  const heap = process.memoryUsage().heapUsed - before;
  const times: number[] = [];
  const n = 400;
  let ok = 0;
  for (let k = 0; k < n; k++) {
    const a = (k * 7919) % nodes;
    const b = (a + 1 + ((k * 104729) % Math.max(1, nodes - 1))) % nodes;
    const probe = resolveTarget(world, {
      from: `bench/p-${a + 1}-${(k % 10) + 1}`,
      to: `pod/bench/p-${b + 1}-${((k + 3) % 10) + 1}`,
      port: 8080,
      proto: 'tcp',
    });
    if (!probe.ok) throw new Error(probe.error);
    const s = performance.now();
    const { trace } = walk(world.fabric, probe.probe);
    times.push(performance.now() - s);
    if (trace.verdict === 'delivered' && trace.reply?.verdict === 'delivered') ok++;
  }
  if (ok !== n) throw new Error(`calico ${mode} ${nodes}: only ${ok}/${n} traces were delivered both ways`);
  return [
    `calico ${mode}`.padEnd(12),
    String(nodes).padStart(6),
    String(nodes * 10).padStart(7),
    `${(t1 - t0).toFixed(1)} ms`.padStart(11),
    `${(t2 - t1).toFixed(1)} ms`.padStart(11),
    `${median(times).toFixed(3)} ms`.padStart(12),
    `${Math.max(...times).toFixed(3)} ms`.padStart(11),
    `${(heap / 1024 / 1024).toFixed(1)} MB`.padStart(10),
  ];
}

export function runCalicoBench(gc?: () => void): void {
  console.log('');
  console.log(
    'Calico: 10 pods per node, cross-node TCP SYN traces (VXLAN: Felix routes; IPIP: BIRD full mesh)',
  );
  console.log(
    [
      'mode        ',
      ' nodes',
      '   pods',
      '      parse',
      '    compile',
      ' trace (med)',
      ' trace (max)',
      '      heap',
    ].join('  '),
  );
  for (const mode of ['vxlan', 'ipip'] as const)
    for (const nodes of [10, 100, 1000]) console.log(calicoBenchRow(nodes, mode, gc).join('  '));
  console.log('targets: 1,000 nodes / 10,000 pods compile < 3 s; one trace < 2 ms (median)');
}
