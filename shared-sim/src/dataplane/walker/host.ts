import { cidrContains, type Ipv4Addr } from '../addr/ipv4';
import type { FdbEntry } from '../bridge/fdb';
import type { NeighEntry } from '../neigh/neighTable';
import type { Link, Listener, NetnsKind } from '../netns/netns';
import type { Netfilter } from '../netfilter/tables';
import type { IpSet, IpvsTable } from '../netfilter/ipvs';
import type { NftRuleset } from '../netfilter/nft';
import type { Route } from '../route/fib';
import type { WorkloadPolicyHook } from './policyHook';

/**
 * One network namespace with everything the kernel holds for it. The walker reads these; it
 * knows nothing of Kubernetes. A node, a pod, a router and a client are all a `Host`.
 */
export interface Host {
  /** Element reference: `node/node-1`, `pod/shop/web-1`, `router/tor-a`, `client/laptop`. */
  readonly id: string;
  readonly kind: NetnsKind;
  readonly hostname: string;
  readonly links: readonly Link[];
  readonly routes: readonly Route[];
  readonly neigh: readonly NeighEntry[];
  readonly fdb: readonly FdbEntry[];
  readonly netfilter: Netfilter;
  /** net.ipv4.ip_forward */
  readonly ipForward: boolean;
  /** net.bridge.bridge-nf-call-iptables (br_netfilter loaded) */
  readonly brNfCallIptables: boolean;
  readonly listeners: readonly Listener[];
  /** /etc/resolv.conf, when the host has one worth showing. */
  readonly resolvConf?: string;
  /** netnsids this namespace assigned to peers' namespaces (`link-netnsid`). */
  readonly netnsIds: ReadonlyMap<string, number>;
  /** IPVS virtual servers (kube-proxy IPVS mode). */
  readonly ipvs?: IpvsTable;
  /** ipsets by name (kube-proxy IPVS mode). */
  readonly ipsets?: ReadonlyMap<string, IpSet>;
  /** nftables tables (kube-proxy nftables mode). */
  readonly nftables?: NftRuleset;
}

/** A lab network: one layer-2 segment (a switch) with the NICs plugged into it. */
export interface Segment {
  readonly name: string;
  readonly mtu: number;
  readonly ports: readonly { readonly host: string; readonly ifname: string }[];
}

export interface Fabric {
  readonly hosts: ReadonlyMap<string, Host>;
  /** NetworkPolicy enforced at workload interfaces (Calico), when the CNI enforces it. */
  readonly policy?: WorkloadPolicyHook;
  readonly segments: ReadonlyMap<string, Segment>;
  /**
   * Addresses a host answers ARP for on a segment without owning them (a load balancer's L2
   * announcement, as MetalLB's speaker does): network → address → the announcing NIC.
   */
  readonly announced?: ReadonlyMap<
    string,
    ReadonlyMap<number, { readonly host: string; readonly ifname: string }>
  >;
}

export function linkByName(h: Host, name: string): Link | undefined {
  return h.links.find((l) => l.name === name);
}

export function hostOwns(h: Host, a: Ipv4Addr): boolean {
  if (a >>> 24 === 127) return true;
  return h.links.some((l) => l.addrs.some((x) => x.addr === a));
}

/** Address types for `-m addrtype`. */
export function addrTypeOn(h: Host, a: Ipv4Addr): string {
  if (a >>> 28 === 14) return 'MULTICAST';
  if (a === 0xffffffff) return 'BROADCAST';
  if (hostOwns(h, a)) return 'LOCAL';
  for (const l of h.links) for (const x of l.addrs) if (x.broadcast === a) return 'BROADCAST';
  return 'UNICAST';
}

/** inet_select_addr: the primary address of `dev` (in the same subnet as `near` when possible). */
export function selectSrc(h: Host, dev: string, near?: Ipv4Addr): Ipv4Addr | undefined {
  const l = linkByName(h, dev);
  const globals = (l?.addrs ?? []).filter((a) => a.scope !== 'host');
  if (near !== undefined) {
    const same = globals.find((a) =>
      cidrContains(
        { addr: (a.addr & (a.len === 0 ? 0 : (0xffffffff << (32 - a.len)) >>> 0)) as Ipv4Addr, len: a.len },
        near,
      ),
    );
    if (same) return same.addr;
  }
  if (globals[0]) return globals[0].addr;
  // no address on the device: the kernel takes one of the host's other global addresses
  for (const x of h.links) for (const a of x.addrs) if (a.scope === 'global') return a.addr;
  return undefined;
}

export interface SegmentPort {
  readonly host: Host;
  readonly link: Link;
}

interface SegmentIndex {
  /** Who answers ARP for an address on the segment (arp_ignore=0: a host answers for any of its addresses). */
  readonly byIp: ReadonlyMap<number, SegmentPort>;
  readonly byMac: ReadonlyMap<string, SegmentPort>;
}

const segmentIndexCache = new WeakMap<Fabric, Map<string, SegmentIndex>>();

/** Per-segment lookup tables, built once per fabric (the fabric is immutable). */
export function segmentIndex(fabric: Fabric, segment: string): SegmentIndex | undefined {
  let all = segmentIndexCache.get(fabric);
  if (!all) {
    all = new Map();
    for (const seg of fabric.segments.values()) {
      const byIp = new Map<number, SegmentPort>();
      const byMac = new Map<string, SegmentPort>();
      for (const pt of seg.ports) {
        const host = fabric.hosts.get(pt.host);
        const link = host ? linkByName(host, pt.ifname) : undefined;
        if (!host || !link) continue;
        byMac.set(link.mac, { host, link });
        // the address on the port itself wins over the host's other addresses
        for (const a of link.addrs) byIp.set(a.addr, { host, link });
      }
      for (const pt of seg.ports) {
        const host = fabric.hosts.get(pt.host);
        const link = host ? linkByName(host, pt.ifname) : undefined;
        if (!host || !link) continue;
        for (const l of host.links)
          for (const a of l.addrs)
            if (a.scope !== 'host' && !byIp.has(a.addr)) byIp.set(a.addr, { host, link });
      }
      for (const [ip, who] of fabric.announced?.get(seg.name) ?? []) {
        const host = fabric.hosts.get(who.host);
        const link = host ? linkByName(host, who.ifname) : undefined;
        if (host && link) byIp.set(ip, { host, link });
      }
      all.set(seg.name, { byIp, byMac });
    }
    segmentIndexCache.set(fabric, all);
  }
  return all.get(segment);
}
