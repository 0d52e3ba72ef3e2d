import type { World } from '../compile/world';
import { parseIpv4 } from '../dataplane/addr/ipv4';
import type { Trace } from '../dataplane/walker/trace';
import { walk } from '../dataplane/walker/walk';
import { runCommand, type CommandResult } from './commands';
import type { DnsResolution } from './dns';
import { resolveSource, resolveTarget, type TraceRequest } from './resolve';
import { conntrackAfter } from './traceText';

/**
 * The glue between a probe as a user states it (`--from/--to/--port …`) and the walk, shared by
 * `podpath trace`, `podpath show` and the app's simulation worker, so both print the same thing.
 */
export type TraceRun =
  | {
      readonly ok: true;
      readonly trace: Trace;
      /** The resolution of a DNS name target, with the walk of the query that got the answer. */
      readonly dns?: DnsResolution;
      /** `conntrack -L` on every host the packet and its reply left entries on. */
      readonly conntrack: Record<string, string[]>;
    }
  | { readonly ok: false; readonly error: string; readonly dns?: DnsResolution };

/** Resolves the request's source and target (DNS included) and walks the packet and its reply. */
export function runTrace(world: World, req: TraceRequest): TraceRun {
  const probe = resolveTarget(world, req);
  if (!probe.ok) return probe;
  const walked = walk(world.fabric, probe.probe);
  return {
    ok: true,
    trace: walked.trace,
    ...(probe.dns ? { dns: probe.dns } : {}),
    conntrack: conntrackAfter(walked.conntrack),
  };
}

/**
 * What `command` prints on the host named by `on` (a REF). `usage` marks a bad REF (the command
 * line reports it as an argument error), as opposed to a command the host cannot run.
 */
export function runShow(
  world: World,
  on: string,
  command: string,
  now: number,
): CommandResult | { readonly ok: false; readonly error: string; readonly usage: true } {
  const src = resolveSource(world, on);
  if (!src.ok) return { ok: false, error: src.error.replace(/^--from/, '--on'), usage: true };
  const host = world.fabric.hosts.get(src.host);
  if (!host) return { ok: false, error: `--on ${on}: no such host`, usage: true };
  return runCommand(world, host, command, { now });
}

/** The MTU of `iface` on the host `hostId` (a REF), as `ip link` shows it; undefined when unknown. */
export function interfaceMtu(world: World, hostId: string, iface: string): number | undefined {
  return world.fabric.hosts.get(hostId)?.links.find((l) => l.name === iface)?.mtu;
}

/** The elements a probe can start at and go to, for pickers: REFs, sorted as the lab lists them. */
export interface ProbeEndpoints {
  /** Pods with a network, nodes, clients and routers. */
  readonly sources: readonly string[];
  /** The same, plus Services with a ClusterIP (`svc/NS/NAME`). */
  readonly targets: readonly string[];
  /** DNS names of the Services (`NAME.NS.svc.DOMAIN`). */
  readonly dnsNames: readonly string[];
  /** The ports a target listens on (a pod's container ports, a Service's ports), first as declared. */
  readonly ports: Readonly<Record<string, readonly { readonly port: number; readonly protocol: string }[]>>;
  /** The node each pod runs on (`pod/NS/NAME` → `node/NAME`). */
  readonly nodeOf: Readonly<Record<string, string>>;
}

export function probeEndpoints(world: World): ProbeEndpoints {
  const lab = world.lab;
  const pods = world.pods.filter((p) => p.hostId !== undefined).map((p) => p.ref);
  const hosts = [
    ...lab.nodes.map((n) => `node/${n.name}`),
    ...lab.clients.map((c) => `client/${c.name}`),
    ...lab.routers.map((r) => `router/${r.name}`),
  ];
  const svcs = world.services.services;
  const ports: Record<string, { port: number; protocol: string }[]> = {};
  const nodeOf: Record<string, string> = {};
  for (const p of world.pods) {
    if (p.hostId === undefined) continue;
    ports[p.ref] = p.spec.ports.map((c) => ({ port: c.containerPort, protocol: c.protocol.toLowerCase() }));
    if (p.spec.nodeName !== undefined) nodeOf[p.ref] = `node/${p.spec.nodeName}`;
  }
  for (const s of svcs)
    ports[`svc/${s.namespace}/${s.name}`] = s.ports.map((x) => ({
      port: x.port,
      protocol: x.protocol.toLowerCase(),
    }));
  return {
    ports,
    nodeOf,
    sources: [...pods, ...hosts],
    targets: [
      ...pods,
      ...svcs.filter((s) => parseIpv4(s.clusterIP) !== undefined).map((s) => `svc/${s.namespace}/${s.name}`),
      ...hosts,
    ],
    dnsNames: svcs.map((s) => `${s.name}.${s.namespace}.svc.${lab.cluster.clusterDomain}`),
  };
}
