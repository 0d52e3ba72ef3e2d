import { formatIpv4, parseIpv4, type Ipv4Addr } from '../dataplane/addr/ipv4';
import type { Probe } from '../dataplane/walker/walk';
import type { World } from '../compile/world';
import { parseRef } from '../model/refs';
import { resolveByDns, type DnsResolution } from './dns';

export interface TraceRequest {
  readonly from: string;
  readonly to: string;
  readonly port?: number;
  readonly proto?: 'tcp' | 'udp' | 'sctp' | 'icmp';
  readonly size?: number;
  readonly df?: boolean;
  readonly ttl?: number;
  readonly sport?: number;
}

export type ResolvedProbe =
  | { readonly ok: true; readonly probe: Probe; readonly target: string; readonly dns?: DnsResolution }
  | { readonly ok: false; readonly error: string; readonly dns?: DnsResolution };

/** The namespace a REF sends from. */
export function resolveSource(
  world: World,
  text: string,
): { ok: true; host: string } | { ok: false; error: string } {
  const r = parseRef(text);
  if (!r.ok) return { ok: false, error: `--from ${text} ${r.reason}` };
  const ref = r.ref;
  if (ref.kind === 'network' || ref.kind === 'svc')
    return {
      ok: false,
      error: `--from ${text} is a ${ref.kind === 'svc' ? 'Service' : 'network'}; a packet starts at a pod, node, router or client`,
    };
  const id = ref.kind === 'pod' ? `pod/${ref.namespace ?? ''}/${ref.name}` : `${ref.kind}/${ref.name}`;
  if (ref.kind === 'pod') {
    const pod = world.pods.find((p) => p.ref === id);
    if (!pod)
      return {
        ok: false,
        error: `--from ${text}: there is no pod ${ref.namespace ?? ''}/${ref.name} in this lab`,
      };
    if (!pod.hostId) return { ok: false, error: `--from ${text}: ${pod.why ?? 'the pod has no network'}` };
    return { ok: true, host: pod.hostId };
  }
  if (!world.fabric.hosts.has(id))
    return { ok: false, error: `--from ${text}: there is no ${ref.kind} named ${ref.name} in this lab` };
  return { ok: true, host: id };
}

/** The primary IPv4 address of an element: a pod's IP, a node's or client's IP, a router's first interface. */
function refAddress(world: World, text: string): { ok: true; ip: Ipv4Addr } | { ok: false; error: string } {
  const r = parseRef(text);
  if (!r.ok) return { ok: false, error: `--to ${text} ${r.reason}` };
  const ref = r.ref;
  const lab = world.lab;
  switch (ref.kind) {
    case 'pod': {
      const id = `pod/${ref.namespace ?? ''}/${ref.name}`;
      const pod = world.pods.find((p) => p.ref === id);
      if (!pod)
        return {
          ok: false,
          error: `--to ${text}: there is no pod ${ref.namespace ?? ''}/${ref.name} in this lab`,
        };
      if (pod.ip === undefined)
        return { ok: false, error: `--to ${text}: ${pod.why ?? 'the pod has no IP'}` };
      return { ok: true, ip: pod.ip };
    }
    case 'node':
    case 'client': {
      const e = (ref.kind === 'node' ? lab.nodes : lab.clients).find((n) => n.name === ref.name);
      const ip = e ? parseIpv4(e.ip) : undefined;
      return ip === undefined
        ? { ok: false, error: `--to ${text}: there is no ${ref.kind} named ${ref.name} in this lab` }
        : { ok: true, ip };
    }
    case 'router': {
      const e = lab.routers.find((n) => n.name === ref.name);
      const ip = e?.interfaces[0] ? parseIpv4(e.interfaces[0].ip) : undefined;
      return ip === undefined
        ? { ok: false, error: `--to ${text}: there is no router named ${ref.name} in this lab` }
        : { ok: true, ip };
    }
    case 'svc': {
      const svc = world.services.services.find((s) => s.name === ref.name && s.namespace === ref.namespace);
      if (!svc)
        return {
          ok: false,
          error: `--to ${text}: there is no Service ${ref.namespace ?? ''}/${ref.name} in this lab`,
        };
      const ip = parseIpv4(svc.clusterIP);
      if (ip === undefined) {
        const why = svc.headless
          ? 'it is headless: send to one of its pods, or to its DNS name'
          : `type ${svc.type}`;
        return {
          ok: false,
          error: `--to ${text}: Service ${svc.namespace}/${svc.name} has no ClusterIP (${why})`,
        };
      }
      return { ok: true, ip };
    }
    case 'network':
      return {
        ok: false,
        error: `--to ${text} is a network; send to a pod, node, router, client, Service or an IP address`,
      };
  }
}

/**
 * Turns `--from/--to/--port/--proto/--size/--df` into a probe. TARGET is an IP, a REF, or a DNS name
 * resolved with the source's search list (Services named in the lab with a ClusterIP).
 */
export function resolveTarget(world: World, req: TraceRequest): ResolvedProbe {
  const src = resolveSource(world, req.from);
  if (!src.ok) return src;
  const proto = req.proto ?? (req.port !== undefined ? 'tcp' : 'icmp');
  if (proto !== 'icmp' && req.port === undefined)
    return { ok: false, error: `--port is needed with --proto ${proto}` };
  if (req.port !== undefined && (!Number.isInteger(req.port) || req.port < 1 || req.port > 65535))
    return { ok: false, error: `--port ${req.port} is out of range (1-65535)` };
  let dst = parseIpv4(req.to);
  let dns: DnsResolution | undefined;
  if (dst === undefined) {
    if (/^(pod|svc|node|router|client|network)\//.test(req.to) || /^[a-z0-9-]+\/[a-z0-9.-]+$/.test(req.to)) {
      const a = refAddress(world, req.to);
      if (!a.ok) return a;
      dst = a.ip;
    } else {
      dns = resolveByDns(world, src.host, req.to);
      const a = dns.address !== undefined ? parseIpv4(dns.address) : undefined;
      if (a === undefined)
        return { ok: false, error: `--to ${req.to}: ${dns.error ?? 'the name does not resolve'}`, dns };
      dst = a;
    }
  }
  const size = req.size ?? (proto === 'icmp' ? 56 : 0);
  if (!Number.isInteger(size) || size < 0 || size > 65507)
    return { ok: false, error: `--size ${size} is out of range (0-65507)` };
  const probe: Probe = {
    from: src.host,
    dst,
    proto,
    dport: req.port ?? 0,
    size,
    pmtudisc: req.df === undefined ? 'want' : req.df ? 'do' : 'dont',
    ...(req.ttl !== undefined ? { ttl: req.ttl } : {}),
    ...(req.sport !== undefined ? { sport: req.sport } : {}),
  };
  return { ok: true, probe, target: formatIpv4(dst), ...(dns ? { dns } : {}) };
}
