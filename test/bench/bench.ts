/**
 * `npm run bench`: Flannel labs of growing size (10, 100, 1,000 nodes with 10 pods each) —
 * parse + compile time, the median of many cross-node traces, and heap used by the compiled world.
 * Targets (issue 2): 1,000 nodes / 10,000 pods compile under 3 s; one trace under 2 ms median.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { compile, parseLab, resolveTarget, walk } from '../../shared-sim/src/index';
import { runBgpBench } from './bgpBench';
import { runCalicoBench } from './calicoBench';
import { canvasBench } from './canvasBench';
import { runNetpolBench } from './netpolBench';
import { stepperBench } from './stepperBench';
import { storageBench } from './storageBench';
import { yamlBench } from './yamlBench';

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

/**
 * A lab with `services` ClusterIP Services of 10 endpoints each: 100 backend pods in 10 groups of
 * 10 (Service i selects group i mod 10), plus one client pod, on `nodes` nodes.
 */
export function servicesBenchLab(
  nodes: number,
  services: number,
  proxyMode: 'iptables' | 'ipvs' | 'nftables',
): unknown {
  const lab = flannelBenchLab(nodes, 0, 'vxlan') as {
    cluster: Record<string, unknown>;
    objects: unknown[];
  };
  lab.cluster['kubeProxy'] = { mode: proxyMode };
  lab.cluster['serviceCIDR'] = '10.96.0.0/12';
  for (let g = 0; g < 10; g++) {
    for (let k = 0; k < 10; k++) {
      lab.objects.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `be-${g}-${k}`, namespace: 'bench', labels: { group: `g${g}` } },
        spec: {
          nodeName: `node-${((g * 10 + k) % nodes) + 1}`,
          containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }],
        },
      });
    }
  }
  lab.objects.push({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'client', namespace: 'bench', labels: { app: 'client' } },
    spec: { nodeName: 'node-1', containers: [{ name: 'c' }] },
  });
  for (let i = 0; i < services; i++) {
    lab.objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `svc-${i}`, namespace: 'bench' },
      spec: { selector: { group: `g${i % 10}` }, ports: [{ port: 80, targetPort: 8080 }] },
    });
  }
  return lab;
}

/** 1,000 nodes × 10 pods; 2,000 Services of 5 pods each: 10,000 endpoints. */
export function bigServicesLab(): unknown {
  const lab = flannelBenchLab(1000, 10, 'vxlan') as {
    objects: { kind: string; metadata: { labels?: Record<string, string> } }[];
  };
  let n = 0;
  for (const o of lab.objects) {
    if (o.kind !== 'Pod') continue;
    o.metadata.labels = { ...(o.metadata.labels ?? {}), grp: `g${Math.floor(n++ / 5)}` };
  }
  for (let i = 0; i < 2000; i++) {
    lab.objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `svc-${i}`, namespace: 'bench' },
      spec: { selector: { grp: `g${i}` }, ports: [{ port: 80, targetPort: 8080 }] },
    } as never);
  }
  lab.objects.push({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'client', namespace: 'bench' },
    spec: { nodeName: 'node-1', containers: [{ name: 'c' }] },
  } as never);
  return lab;
}

interface ScaleRow {
  readonly rules: number;
  readonly evaluated: string;
  readonly trace: number;
  readonly compile: number;
}

/** Rules on node-1 and what one SYN from the client pod to the last Service costs. */
function scale(
  nodes: number,
  services: number,
  proxyMode: 'iptables' | 'ipvs' | 'nftables',
  lab?: unknown,
): ScaleRow {
  const parsed = parseLab(lab ?? servicesBenchLab(nodes, services, proxyMode));
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'));
  const t0 = performance.now();
  const world = compile(parsed.lab, parsed.warnings);
  const compileMs = performance.now() - t0;
  const host = world.fabric.hosts.get('node/node-1');
  if (!host) throw new Error('no node-1');
  const nf = host.netfilter;
  let rules = (['raw', 'mangle', 'nat', 'filter'] as const).reduce(
    (n, t) => n + nf[t].chains.reduce((m, c) => m + c.rules.length, 0),
    0,
  );
  for (const t of host.nftables?.tables ?? []) rules += t.chains.reduce((m, c) => m + c.rules.length, 0);
  const probe = resolveTarget(world, {
    from: 'bench/client',
    to: `svc/bench/svc-${services - 1}`,
    port: 80,
    proto: 'tcp',
  });
  if (!probe.ok) throw new Error(probe.error);
  const times: number[] = [];
  let evaluated = 0;
  for (let k = 0; k < 50; k++) {
    const s = performance.now();
    const { trace } = walk(world.fabric, probe.probe);
    times.push(performance.now() - s);
    if (trace.verdict !== 'delivered')
      throw new Error(`svc-${services - 1}: ${trace.verdict} ${trace.reason}`);
    if (k === 0) {
      for (const h of trace.hops) {
        if (h.host !== 'node/node-1') continue;
        const m = /\((\d+) rules? evaluated\)/.exec(h.detail);
        if (m) evaluated += Number(m[1]);
      }
    }
  }
  return {
    rules,
    evaluated: evaluated > 0 ? String(evaluated) : '—',
    trace: median(times),
    compile: compileMs,
  };
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

  console.log('');
  console.log(
    'Services at scale — 10 endpoints each; rules on one node, and the rules one SYN to the last Service walks through on its way (nat and filter, every hook)',
  );
  console.log(['kube-proxy', 'services', '   rules', 'evaluated', 'trace (med)'].join('  '));
  for (const proxyMode of ['iptables', 'ipvs', 'nftables'] as const) {
    for (const services of [10, 100, 1000, 5000]) {
      try {
        const r = scale(3, services, proxyMode);
        console.log(
          [
            proxyMode.padEnd(10),
            String(services).padStart(8),
            String(r.rules).padStart(8),
            r.evaluated.padStart(9),
            `${r.trace.toFixed(3)} ms`.padStart(11),
          ].join('  '),
        );
      } catch (e) {
        console.log(
          [proxyMode.padEnd(10), String(services).padStart(8), `not available: ${(e as Error).message}`].join(
            '  ',
          ),
        );
      }
    }
  }
  console.log('');
  console.log('1,000 nodes, 10,000 pods, 2,000 Services / 10,000 endpoints (iptables mode):');
  const big = scale(1000, 2000, 'iptables', bigServicesLab());
  console.log(
    `  compile ${big.compile.toFixed(0)} ms, trace ${big.trace.toFixed(3)} ms (median), ${big.rules} rules on node-1, ${big.evaluated} evaluated for one SYN`,
  );
  console.log('targets: compile < 3 s; trace < 2 ms (median)');
  for (const line of runBgpBench(gc)) console.log(line);
  runCalicoBench(gc);
  runNetpolBench();
  console.log('');
  for (const line of storageBench()) console.log(line);
  console.log('');
  for (const line of yamlBench()) console.log(line);
  console.log('');
  for (const line of stepperBench(flannelBenchLab(100, 10, 'vxlan'))) console.log(line);
  console.log('');
  for (const line of await canvasBench()) console.log(line);
}
