/**
 * `npm run bench`: Flannel labs of growing size (10, 100, 1,000 nodes with 10 pods each) —
 * parse + compile time, the median of many cross-node traces, and heap used by the compiled world.
 * Targets (issue 2): 1,000 nodes / 10,000 pods compile under 3 s; one trace under 2 ms median.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { compile, parseLab, resolveTarget, walk } from '../../shared-sim/src/index';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export function flannelBenchLab(nodes: number, podsPerNode: number, mode: 'vxlan' | 'host-gw'): unknown {
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
    for (let j = 0; j < podsPerNode; j++) {
      objects.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `p-${i + 1}-${j + 1}`, namespace: 'bench', labels: { app: `app-${j}` } },
        spec: { nodeName: name, containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] },
      });
    }
  }
  return {
    podpath: 1,
    name: `bench ${nodes} nodes`,
    cluster: { podCIDR: '10.128.0.0/9', serviceCIDR: '10.96.0.0/12', cni: { plugin: 'flannel', mode } },
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

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function run(nodes: number, mode: 'vxlan' | 'host-gw'): string[] {
  const json = flannelBenchLab(nodes, 10, mode);
  gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const parsed = parseLab(json);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'));
  const t1 = performance.now();
  const world = compile(parsed.lab, parsed.warnings);
  const t2 = performance.now();
  gc();
  const heap = process.memoryUsage().heapUsed - before;
  const times: number[] = [];
  const n = 400;
  let verdicts = 0;
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
    if (trace.verdict === 'delivered' && trace.reply?.verdict === 'delivered') verdicts++;
  }
  if (verdicts !== n) throw new Error(`only ${verdicts}/${n} traces were delivered both ways`);
  return [
    mode.padEnd(8),
    String(nodes).padStart(6),
    String(nodes * 10).padStart(7),
    `${(t1 - t0).toFixed(1)} ms`.padStart(11),
    `${(t2 - t1).toFixed(1)} ms`.padStart(11),
    `${median(times).toFixed(3)} ms`.padStart(12),
    `${Math.max(...times).toFixed(3)} ms`.padStart(11),
    mb(heap).padStart(10),
  ];
}

if (process.argv[1]?.endsWith('bench.mjs')) {
  const header = [
    'mode    ',
    ' nodes',
    '   pods',
    '      parse',
    '    compile',
    'trace (med)',
    'trace (max)',
    '     heap',
  ];
  console.log(
    'Podpath benchmark — Flannel labs, 10 pods per node; traces: TCP SYN pod → pod on another node, with its reply',
  );
  console.log(header.join('  '));
  for (const mode of ['vxlan', 'host-gw'] as const) {
    for (const nodes of [10, 100, 1000]) console.log(run(nodes, mode).join('  '));
  }
  console.log('targets: 1,000 nodes / 10,000 pods compile < 3 s; one trace < 2 ms (median)');
}
