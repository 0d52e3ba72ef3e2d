import { cidrContains, parseCidr, parseIpv4, type Cidr } from '../addr/ipv4';
import type { Ipv4Packet } from '../wire/packet';
import type { IpSet } from './ipvs';

/**
 * `-m set --match-set NAME dirs` (xt_set): does the packet, read in the directions given
 * (`src`/`dst` per dimension of the set type), belong to the set? Implements the set types
 * kube-proxy uses: hash:ip, hash:ip,port, hash:ip,port,ip, hash:ip,port,net, bitmap:port.
 */

export type SetDir = 'src' | 'dst';

interface Compiled {
  readonly keys: ReadonlySet<string>;
  /** hash:ip,port,net: the nets per `ip,proto:port`. */
  readonly nets: ReadonlyMap<string, readonly Cidr[]>;
}

const compiled = new WeakMap<IpSet, Compiled>();

/** Canonical member text: addresses as parsed, protocol lower case. */
function compile(set: IpSet): Compiled {
  let c = compiled.get(set);
  if (c) return c;
  const keys = new Set<string>();
  const nets = new Map<string, Cidr[]>();
  for (const m of set.members) {
    const parts = m.split(',');
    if (set.type === 'hash:ip,port,net' && parts.length === 3) {
      const head = `${canonIp(parts[0] ?? '')},${(parts[1] ?? '').toLowerCase()}`;
      const text = parts[2] ?? '';
      const r = parseCidr(text.includes('/') ? text : `${text}/32`);
      if (!r.ok) continue;
      const list = nets.get(head) ?? [];
      list.push(r.cidr);
      nets.set(head, list);
      continue;
    }
    keys.add(
      parts
        .map((p, i) => (set.type === 'bitmap:port' ? p : i === 1 ? p.toLowerCase() : canonIp(p)))
        .join(','),
    );
  }
  c = { keys, nets };
  compiled.set(set, c);
  return c;
}

function canonIp(text: string): string {
  const a = parseIpv4(text.trim());
  return a === undefined ? text.trim() : String(a);
}

function portsOf(p: Ipv4Packet): { sport: number; dport: number } | undefined {
  const l4 = p.l4;
  if (l4.proto === 'tcp' || l4.proto === 'udp' || l4.proto === 'sctp')
    return { sport: l4.sport, dport: l4.dport };
  return undefined;
}

interface NetSet {
  /** /32 members, as addresses. */
  readonly hosts: ReadonlySet<number>;
  readonly nets: readonly Cidr[];
}
const netCache = new WeakMap<IpSet, NetSet>();
/** hash:net members: host (/32) entries in a hash set, shorter prefixes in a list (a bare address is a /32). */
function netsOf(set: IpSet): NetSet {
  let n = netCache.get(set);
  if (!n) {
    const hosts = new Set<number>();
    const nets: Cidr[] = [];
    for (const m of set.members) {
      const r = parseCidr(m.includes('/') ? m : `${m}/32`);
      if (!r.ok) continue;
      const c = r.cidr;
      if (c.len === 32) hosts.add(c.addr);
      else nets.push(c);
    }
    n = { hosts, nets };
    netCache.set(set, n);
  }
  return n;
}

/** ip_set_test for the packet: true when the element built from the packet is in the set. */
export function ipsetMatch(set: IpSet, p: Ipv4Packet, dirs: readonly SetDir[]): boolean {
  if (set.type === 'hash:net') {
    const a = dirs[0] === 'src' ? p.src : p.dst;
    const n = netsOf(set);
    return n.hosts.has(a) || n.nets.some((c) => cidrContains(c, a));
  }
  const c = compile(set);
  const addr = (d: SetDir | undefined): string => String(d === 'src' ? p.src : p.dst);
  const port = (d: SetDir | undefined): number | undefined => {
    const ps = portsOf(p);
    return ps === undefined ? undefined : d === 'src' ? ps.sport : ps.dport;
  };
  switch (set.type) {
    case 'hash:ip':
      return c.keys.has(addr(dirs[0]));
    case 'bitmap:port': {
      // bitmap:port only looks at TCP and UDP ports
      if (p.l4.proto !== 'tcp' && p.l4.proto !== 'udp') return false;
      const pt = port(dirs[0]);
      return pt !== undefined && c.keys.has(String(pt));
    }
    case 'hash:ip,port':
    case 'hash:ip,port,ip':
    case 'hash:ip,port,net': {
      const pt = port(dirs[1]);
      if (pt === undefined || dirs.length < 2) return false;
      const head = `${addr(dirs[0])},${p.l4.proto}:${pt}`;
      if (set.type === 'hash:ip,port') return c.keys.has(head);
      if (dirs.length < 3) return false;
      const third = dirs[2] === 'src' ? p.src : p.dst;
      if (set.type === 'hash:ip,port,ip') return c.keys.has(`${head},${third}`);
      return (c.nets.get(head) ?? []).some((n) => cidrContains(n, third));
    }
    default:
      return false;
  }
}
