/**
 * What BGP needs from the underlay, derived from the lab alone: how a speaker's kernel reaches an
 * address with its connected and static routes (for BIRD's `gateway recursive`), and whether a TCP
 * connection to port 179 gets through (routers' forwarding tables and firewalls, node firewall
 * faults). The packet walker is the authority for data-plane questions; this is the control
 * plane's quick, cacheable version of the same routing rules, so that a 1,000-node mesh does not
 * walk 499,500 packets.
 */
import {
  cidrContains,
  formatCidr,
  formatIpv4,
  parseCidr,
  parseIpv4,
  type Cidr,
  type Ipv4Addr,
} from '../../dataplane/addr/ipv4';
import type { FirewallRule, Lab } from '../../model/lab';
import type { BgpReach, NextHopResolution } from './types';

interface RouteEntry {
  readonly dst: Cidr;
  /** Gateway, or undefined for a connected network. */
  readonly via?: Ipv4Addr;
  readonly dev: string;
}

interface UnderlayHost {
  readonly ref: string;
  readonly routes: readonly RouteEntry[];
  readonly addrs: readonly Ipv4Addr[];
  /** Rules on forwarded traffic (routers) and on incoming traffic (node INPUT). */
  readonly forward: readonly { rule: FirewallRule; text: string }[];
  readonly input: readonly { rule: FirewallRule; text: string }[];
}

export interface Underlay {
  readonly resolve: (ref: string, ip: string) => NextHopResolution;
  readonly reach: (fromRef: string, toIp: string) => BgpReach;
}

const DEFAULT: Cidr = { addr: 0 as Ipv4Addr, len: 0 };

function lookup(h: UnderlayHost, a: Ipv4Addr): RouteEntry | undefined {
  let best: RouteEntry | undefined;
  for (const r of h.routes) if (cidrContains(r.dst, a) && (!best || r.dst.len > best.dst.len)) best = r;
  return best;
}

function ruleText(chain: string, r: FirewallRule): string {
  const proto = typeof r.proto === 'number' ? String(r.proto) : r.proto === 'ipip' ? 'ipencap' : r.proto;
  const parts = [`-A ${chain}`];
  if (r.src) parts.push(`-s ${r.src}`);
  if (r.dst) parts.push(`-d ${r.dst}`);
  if (proto !== 'all') parts.push(`-p ${proto}`);
  if (r.dport !== undefined) parts.push(`-m ${proto} --dport ${r.dport}`);
  parts.push(
    r.action === 'drop'
      ? '-j DROP'
      : `-j REJECT --reject-with ${proto === 'tcp' ? 'tcp-reset' : 'icmp-port-unreachable'}`,
  );
  return parts.join(' ');
}

/** Does the rule match a TCP segment src → dst with this destination port? */
function matchesTcp(r: FirewallRule, src: Ipv4Addr, dst: Ipv4Addr, dport: number): boolean {
  if (r.proto !== 'tcp' && r.proto !== 'all' && r.proto !== 6) return false;
  if (r.dport !== undefined && r.dport !== dport) return false;
  if (r.src) {
    const c = parseCidr(r.src);
    if (c.ok && !cidrContains(c.cidr, src)) return false;
  }
  if (r.dst) {
    const c = parseCidr(r.dst);
    if (c.ok && !cidrContains(c.cidr, dst)) return false;
  }
  return true;
}

function asRule(f: Record<string, unknown>): FirewallRule {
  return {
    action: f['action'] === 'reject' ? 'reject' : 'drop',
    proto: (f['proto'] as string | number | undefined) ?? 'all',
    ...(typeof f['dport'] === 'number' ? { dport: f['dport'] } : {}),
    ...(typeof f['src'] === 'string' ? { src: f['src'] } : {}),
    ...(typeof f['dst'] === 'string' ? { dst: f['dst'] } : {}),
  };
}

/** The underlay of a lab: nodes, routers and their routes and firewalls, without any BGP route. */
export function labUnderlay(lab: Lab): Underlay {
  const hosts = new Map<string, UnderlayHost>();
  const netCidr = new Map<string, Cidr>();
  for (const n of lab.networks) {
    const c = parseCidr(n.cidr);
    if (c.ok) netCidr.set(n.name, c.cidr);
  }
  const faults = lab.faults as readonly Record<string, unknown>[];
  const fw = (key: 'router' | 'node', name: string): FirewallRule[] =>
    faults.filter((f) => f['type'] === 'firewall' && f[key] === name).map(asRule);
  const missing = (node: string): string[] =>
    faults.filter((f) => f['type'] === 'missing-route' && f['node'] === node).map((f) => String(f['route']));
  for (const r of lab.routers) {
    const routes: RouteEntry[] = [];
    const addrs: Ipv4Addr[] = [];
    r.interfaces.forEach((f, i) => {
      const c = netCidr.get(f.network);
      const a = parseIpv4(f.ip);
      if (a !== undefined) addrs.push(a);
      if (c) routes.push({ dst: c, dev: `eth${i}` });
    });
    for (const s of r.routes) {
      const via = parseIpv4(s.via);
      let to: Cidr | undefined = DEFAULT;
      if (s.to !== 'default') {
        const p = parseCidr(s.to);
        to = p.ok ? p.cidr : undefined;
      }
      if (via === undefined || to === undefined) continue;
      const conn = routes.find((x) => x.via === undefined && cidrContains(x.dst, via));
      if (conn) routes.push({ dst: to, via, dev: conn.dev });
    }
    const rules = [...r.firewall, ...fw('router', r.name)];
    hosts.set(`router/${r.name}`, {
      ref: `router/${r.name}`,
      routes,
      addrs,
      forward: rules.map((rule) => ({ rule, text: ruleText('FORWARD', rule) })),
      input: [],
    });
  }
  for (const n of lab.nodes) {
    const routes: RouteEntry[] = [];
    const c = netCidr.get(n.network);
    const a = parseIpv4(n.ip);
    const gone = missing(n.name);
    if (c && !gone.some((g) => g === `${formatC(c)}`)) routes.push({ dst: c, dev: 'eth0' });
    const gw = n.gateway === undefined ? undefined : parseIpv4(n.gateway);
    if (gw !== undefined && !gone.includes('default')) routes.push({ dst: DEFAULT, via: gw, dev: 'eth0' });
    const rules = fw('node', n.name);
    hosts.set(`node/${n.name}`, {
      ref: `node/${n.name}`,
      routes,
      addrs: a === undefined ? [] : [a],
      forward: [],
      input: rules.map((rule) => ({ rule, text: ruleText('INPUT', rule) })),
    });
  }
  const owner = new Map<Ipv4Addr, UnderlayHost>();
  for (const h of hosts.values()) for (const a of h.addrs) if (!owner.has(a)) owner.set(a, h);

  // hosts with the same routes resolve alike, and (when no firewall rule looks at the source
  // address) reach alike: results are cached per routing table, not per host
  const classOf = new Map<string, number>();
  const sigs = new Map<string, number>();
  for (const h of hosts.values()) {
    const sig = h.routes.map((r) => `${r.dst.addr}/${r.dst.len}>${r.via ?? ''}@${r.dev}`).join(',');
    let id = sigs.get(sig);
    if (id === undefined) sigs.set(sig, (id = sigs.size));
    classOf.set(h.ref, id);
  }
  const srcMatters = [...hosts.values()].some((h) => [...h.forward, ...h.input].some((f) => f.rule.src));
  const resolveCache = new Map<number, Map<string, NextHopResolution>>();
  const NONE: NextHopResolution = { kind: 'none' };
  const resolve = (ref: string, ip: string): NextHopResolution => {
    const cls = classOf.get(ref) ?? -1;
    let m = resolveCache.get(cls);
    if (!m) resolveCache.set(cls, (m = new Map<string, NextHopResolution>()));
    let out = m.get(ip);
    if (out) return out;
    const h = hosts.get(ref);
    const a = parseIpv4(ip);
    const r = h && a !== undefined ? lookup(h, a) : undefined;
    out = !r
      ? NONE
      : r.via === undefined
        ? { kind: 'connected', dev: r.dev }
        : { kind: 'gateway', gateway: fmt(r.via), dev: r.dev };
    if (cls >= 0) m.set(ip, out);
    return out;
  };

  /** One direction of a TCP segment: hop by hop through the routers. */
  const oneWay = (
    fromRef: string,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    dport: number,
  ): { ok: true; at: UnderlayHost } | { ok: false; reason: string; failure: BgpReach['failure'] } => {
    let h = hosts.get(fromRef);
    for (let hop = 0; h && hop < 32; hop++) {
      if (h.addrs.includes(dst)) {
        for (const f of h.input)
          if (matchesTcp(f.rule, src, dst, dport))
            return {
              ok: false,
              reason: `${f.rule.action === 'drop' ? 'dropped' : 'rejected'} by the firewall of ${h.ref}: ${f.text}`,
              failure: f.rule.action === 'drop' ? 'timeout' : 'refused',
            };
        return { ok: true, at: h };
      }
      if (hop > 0) {
        for (const f of h.forward)
          if (matchesTcp(f.rule, src, dst, dport))
            return {
              ok: false,
              reason: `${f.rule.action === 'drop' ? 'dropped' : 'rejected'} by the firewall of ${h.ref}: ${f.text}`,
              failure: f.rule.action === 'drop' ? 'timeout' : 'refused',
            };
      }
      const r = lookup(h, dst);
      if (!r)
        return {
          ok: false,
          reason:
            hop === 0
              ? `${h.ref} has no route to ${fmt(dst)}`
              : `${h.ref} has no route to ${fmt(dst)} (ICMP net unreachable)`,
          failure: 'unreachable',
        };
      const next = r.via ?? dst;
      const nh = owner.get(next);
      if (!nh || !nh.routes.some((x) => x.via === undefined && cidrContains(x.dst, next)))
        return {
          ok: false,
          reason: `${h.ref}: ${fmt(next)} does not answer ARP (no host with that address on its network)`,
          failure: 'unreachable',
        };
      if (nh.ref.startsWith('node/') && !nh.addrs.includes(dst))
        return {
          ok: false,
          reason: `${nh.ref} is not a router for ${fmt(dst)}`,
          failure: 'unreachable',
        };
      h = nh;
    }
    return { ok: false, reason: `routing loop towards ${fmt(dst)}`, failure: 'unreachable' };
  };

  const cache = new Map<string, BgpReach>();
  const reach = (fromRef: string, toIp: string): BgpReach => {
    const key = `${srcMatters ? fromRef : (classOf.get(fromRef) ?? fromRef)}>${toIp}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const from = hosts.get(fromRef);
    const dst = parseIpv4(toIp);
    let out: BgpReach;
    if (!from || dst === undefined)
      out = { ok: false, reason: `${fromRef} is not in the underlay`, failure: 'unreachable' };
    else {
      const r = lookup(from, dst);
      const src =
        from.addrs.find((a) => r && (r.via === undefined ? cidrContains(r.dst, a) : true)) ?? from.addrs[0];
      if (src === undefined) out = { ok: false, reason: `${fromRef} has no address`, failure: 'unreachable' };
      else {
        const there = oneWay(fromRef, src, dst, 179);
        if (!there.ok) out = { ok: false, reason: there.reason, failure: there.failure };
        else {
          // the SYN-ACK comes back from port 179 (a rule on --dport 179 does not match it)
          const back = oneWay(there.at.ref, dst, src, 0);
          out = back.ok
            ? { ok: true, reason: `TCP ${fmt(src)} → ${toIp}:179 is routed` }
            : {
                ok: false,
                reason: `the reply ${toIp} → ${fmt(src)} is lost: ${back.reason}`,
                failure: 'timeout',
              };
        }
      }
    }
    cache.set(key, out);
    return out;
  };
  return { resolve, reach };
}

const fmt = formatIpv4;
const formatC = formatCidr;
