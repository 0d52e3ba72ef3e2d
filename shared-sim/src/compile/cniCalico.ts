import { sha1 } from '../core/sha1';
import { sha256, toHex } from '../core/sha256';
import type { CalicoIpam } from '../control/ipam/calico';
import {
  cidrContains,
  formatIpv4,
  parseCidr,
  parseIpv4,
  type Cidr,
  type Ipv4Addr,
} from '../dataplane/addr/ipv4';
import { randomMac, type MacAddr } from '../dataplane/addr/mac';
import type { Route } from '../dataplane/route/fib';
import type { NeighEntry } from '../dataplane/neigh/neighTable';
import type { FdbEntry } from '../dataplane/bridge/fdb';
import type { IpSet } from '../dataplane/netfilter/ipvs';
import type { InstalledRoute } from '../control/bgp';
import { IPV4_HLEN, VXLAN_OVERHEAD } from '../dataplane/wire/packet';
import type { Lab, NodeSpec } from '../model/lab';
import type { HostBuilder } from './hostBuilder';

/**
 * Calico as calico-node (Felix + BIRD) and the calico CNI plugin program a node: the tunnel
 * device of the pool's mode (tunl0 for IPIP, vxlan.calico for VXLAN), one `cali…` veth per pod
 * with proxy ARP answering for the pods' fake gateway 169.254.1.1, a /32 device route per pod,
 * a blackhole route per affine block, the routes to other nodes' blocks (Felix for VXLAN, BIRD
 * for BGP/IPIP) and Felix's NAT and tunnel-filter rules.
 */
export interface CalicoNode {
  readonly spec: NodeSpec;
  readonly host: HostBuilder;
  readonly ip: Ipv4Addr;
  /** The node's subnet (its network's CIDR): CrossSubnet compares these. */
  readonly subnet?: Cidr;
  /** Affine blocks, in claim order. */
  readonly blocks: readonly Cidr[];
  /** IPIP / VXLAN tunnel address. */
  readonly tunnel?: Ipv4Addr;
}

/** The fake next hop every Calico pod routes through, answered by proxy ARP on the host side. */
export const CALICO_GATEWAY = 0xa9fe0101 as Ipv4Addr; // 169.254.1.1
/** The MAC Calico gives every host-side veth (so a pod sees the same gateway MAC wherever it moves). */
export const CALICO_HOST_VETH_MAC = 'ee:ee:ee:ee:ee:ee' as MacAddr;
/** Felix's route protocol (`DefaultRoutingProto`), printed by iproute2 as `proto 80`. */
export const FELIX_PROTO = '80';
export const IPIP_OVERHEAD = IPV4_HLEN;

/** `cali` + the first 11 hex digits of sha1("<namespace>.<pod>") (libcalico-go VethNameForWorkload). */
export function calicoVethName(namespace: string, pod: string): string {
  return `cali${toHex(sha1(`${namespace}.${pod}`)).slice(0, 11)}`;
}

/** Whether BIRD runs (calico_backend bird): BGP and IPIP pools; VXLAN-only clusters run Felix alone. */
export function birdRuns(lab: Lab): boolean {
  return lab.cluster.cni.mode !== 'vxlan';
}

/** The MTU of the pods' interfaces (and of the tunnel device): the underlay's, less the encapsulation. */
export function calicoMtu(lab: Lab, node: NodeSpec): number {
  const mode = lab.cluster.cni.mode;
  return mode === 'vxlan' ? node.mtu - VXLAN_OVERHEAD : mode === 'ipip' ? node.mtu - IPIP_OVERHEAD : node.mtu;
}

/** The fallback IPIP device the ipip module creates in every namespace (`tunl0@NONE`). */
export function addTunl0(h: HostBuilder, mtu: number, up: boolean): void {
  h.addLink({
    name: 'tunl0',
    kind: 'ipip',
    mac: '00:00:00:00:00:00' as MacAddr,
    mtu,
    up,
    addrs: [],
  });
}

/** Felix's tunnel device for the node's mode, with the node's tunnel address as a /32. */
export function calicoTunnelDevice(lab: Lab, n: CalicoNode, mtu: number): void {
  const h = n.host;
  const mode = lab.cluster.cni.mode;
  if (mode === 'ipip') {
    addTunl0(h, mtu, true);
    if (n.tunnel !== undefined) h.addAddr('tunl0', { addr: n.tunnel, len: 32, scope: 'global' });
  } else if (mode === 'vxlan') {
    const { vni, port } = lab.cluster.cni.vxlan;
    h.addLink({
      name: 'vxlan.calico',
      kind: 'vxlan',
      mac: vxlanMac(n.spec.name),
      mtu,
      up: true,
      addrs: [],
      vxlan: { vni, port, local: n.ip, dev: 'eth0', learning: false },
    });
    if (n.tunnel !== undefined) h.addAddr('vxlan.calico', { addr: n.tunnel, len: 32, scope: 'global' });
  }
}

/** The node's VXLAN tunnel MAC (Node spec vxlanTunnelMACAddr: random in Calico, derived here). */
function vxlanMac(node: string): MacAddr {
  return randomMac(`node/${node}/vxlan.calico`);
}

/**
 * The calico CNI plugin's ADD: a veth pair made in the pod's namespace (eth0, ifindex after lo
 * and any tunl0), its host end `cali…` moved to the node with MAC ee:ee:ee:ee:ee:ee and proxy
 * ARP on; in the pod the address as a /32, `169.254.1.1 dev eth0 scope link` and the default
 * route through it; on the node (Felix) the /32 device route and a permanent ARP entry.
 */
export function calicoAddPod(
  n: CalicoNode,
  pod: HostBuilder,
  ns: string,
  name: string,
  podIp: Ipv4Addr,
  mtu: number,
): void {
  const h = n.host;
  const hostIfname = calicoVethName(ns, name);
  const podMac = randomMac(`${pod.id}/eth0`);
  const podIndex = pod.takeIndex();
  pod.takeIndex(); // the peer, created here before it moves to the node
  const hostIndex = h.takeIndex();
  if (!h.netnsIds.has(pod.id)) h.netnsIds.set(pod.id, h.netnsIds.size);
  if (!pod.netnsIds.has(h.id)) pod.netnsIds.set(h.id, pod.netnsIds.size);
  pod.addLink({
    ifindex: podIndex,
    name: 'eth0',
    kind: 'veth',
    mac: podMac,
    mtu,
    up: true,
    addrs: [],
    peer: { netns: h.id, ifname: hostIfname, ifindex: hostIndex, netnsid: pod.netnsIds.get(h.id) ?? 0 },
  });
  h.addLink({
    ifindex: hostIndex,
    name: hostIfname,
    kind: 'veth',
    mac: CALICO_HOST_VETH_MAC,
    mtu,
    up: true,
    addrs: [],
    proxyArp: true,
    peer: { netns: pod.id, ifname: 'eth0', ifindex: podIndex, netnsid: h.netnsIds.get(pod.id) ?? 0 },
  });
  pod.addAddr('eth0', { addr: podIp, len: 32, scope: 'global' });
  pod.addRoute({
    type: 'unicast',
    dst: { addr: CALICO_GATEWAY, len: 32 },
    dev: 'eth0',
    proto: 'boot',
    scope: 'link',
  });
  pod.addRoute({
    type: 'unicast',
    dst: { addr: 0 as Ipv4Addr, len: 0 },
    via: CALICO_GATEWAY,
    dev: 'eth0',
    proto: 'boot',
    scope: 'universe',
  });
  h.addRoute({
    type: 'unicast',
    dst: { addr: podIp, len: 32 },
    dev: hostIfname,
    proto: 'boot',
    scope: 'link',
  });
  h.neigh.push({ ip: podIp, dev: hostIfname, lladdr: podMac, state: 'PERMANENT' });
}

/** A route another speaker gave this node (BGP) or that Felix computed (VXLAN): a prefix and the node behind it. */
export interface RemoteRoute {
  readonly prefix: Cidr;
  /** The node that hosts the prefix. */
  readonly node: CalicoNode;
}

/** Every other node's blocks and borrowed addresses, as routes to that node. */
export function remoteRoutes(ipam: CalicoIpam, all: readonly CalicoNode[]): Map<string, RemoteRoute[]> {
  const byName = new Map(all.map((n) => [n.spec.name, n]));
  const prefixes: RemoteRoute[] = [];
  for (const b of ipam.blocks) {
    const n = byName.get(b.node);
    if (n) prefixes.push({ prefix: b.cidr, node: n });
  }
  for (const br of ipam.borrowed) {
    const n = byName.get(br.node);
    if (n) prefixes.push({ prefix: { addr: br.ip, len: 32 }, node: n });
  }
  const out = new Map<string, RemoteRoute[]>();
  for (const self of all)
    out.set(
      self.spec.name,
      prefixes.filter((r) => r.node !== self),
    );
  return out;
}

function sameSubnet(a: CalicoNode, b: CalicoNode): boolean {
  return a.subnet !== undefined && cidrContains(a.subnet, b.ip);
}

/** The blackhole route for each affine block (BIRD's `protocol static` in BGP/IPIP, Felix in VXLAN). */
export function calicoBlackholes(lab: Lab, n: CalicoNode): void {
  const proto = birdRuns(lab) ? 'bird' : FELIX_PROTO;
  for (const b of n.blocks) n.host.addRoute({ type: 'blackhole', dst: b, proto, scope: 'universe' });
}

/**
 * VXLAN mode (Felix's vxlan manager, no BIRD): per remote VTEP a permanent neighbour entry
 * (tunnel IP → tunnel MAC) and an FDB entry (tunnel MAC → node IP) on vxlan.calico, and per
 * remote block `via <tunnel IP> dev vxlan.calico onlink`; with CrossSubnet, nodes in this node's
 * subnet get a plain route via their IP instead.
 */
export function calicoVxlanRoutes(lab: Lab, all: readonly CalicoNode[], ipam: CalicoIpam): void {
  const cross = lab.cluster.cni.crossSubnet;
  const remotes = remoteRoutes(ipam, all);
  // what Felix programs for one remote node is the same on every other node: build it once
  const vteps = new Map<CalicoNode, { neigh: NeighEntry; fdb: FdbEntry }>();
  for (const other of all) {
    if (other.tunnel === undefined) continue;
    const mac = vxlanMac(other.spec.name);
    vteps.set(other, {
      neigh: { ip: other.tunnel, dev: 'vxlan.calico', lladdr: mac, state: 'PERMANENT' },
      fdb: { mac, dev: 'vxlan.calico', dst: other.ip, self: true, permanent: true },
    });
  }
  const encap = new Map<RemoteRoute, Route>();
  const plain = new Map<RemoteRoute, Route>();
  const routeOf = (r: RemoteRoute, direct: boolean): Route | undefined => {
    const cache = direct ? plain : encap;
    let x = cache.get(r);
    if (!x) {
      if (direct)
        x = {
          table: 'main',
          type: 'unicast',
          dst: r.prefix,
          via: r.node.ip,
          dev: 'eth0',
          proto: FELIX_PROTO,
          scope: 'universe',
        };
      else if (r.node.tunnel !== undefined)
        x = {
          table: 'main',
          type: 'unicast',
          dst: r.prefix,
          via: r.node.tunnel,
          dev: 'vxlan.calico',
          onlink: true,
          proto: FELIX_PROTO,
          scope: 'universe',
        };
      if (x) cache.set(r, x);
    }
    return x;
  };
  for (const self of all) {
    const h = self.host;
    for (const [other, v] of vteps) {
      if (other === self) continue;
      h.neigh.push(v.neigh);
      h.fdb.push(v.fdb);
    }
    for (const r of remotes.get(self.spec.name) ?? []) {
      const x = routeOf(r, cross && sameSubnet(self, r.node));
      if (x) h.routes.push(x);
    }
  }
}

/**
 * What BIRD's kernel protocol (filter calico_kernel_programming) writes for a route the BGP model
 * installed on a node (a router gets the plain resolved route): IPIP pools get `via <node> dev
 * tunl0 onlink` (krt_tunnel), unless CrossSubnet and the next hop is in this node's subnet;
 * otherwise the recursively resolved gateway (`via <node> dev eth0` when connected, `via
 * <router>` when not); an unresolvable next hop gives an unreachable route.
 */
export function birdTranslator(
  lab: Lab,
): (self: CalicoNode | undefined, r: InstalledRoute) => Route | undefined {
  const ipip = lab.cluster.cni.mode === 'ipip';
  const cross = lab.cluster.cni.crossSubnet;
  const cidrs = new Map<string, Cidr | null>();
  const ips = new Map<string, Ipv4Addr | null>();
  const cidrOf = (t: string): Cidr | undefined => {
    let c = cidrs.get(t);
    if (c === undefined) {
      const p = parseCidr(t);
      cidrs.set(t, (c = p.ok ? p.cidr : null));
    }
    return c ?? undefined;
  };
  const ipOf = (t: string): Ipv4Addr | undefined => {
    let a = ips.get(t);
    if (a === undefined) ips.set(t, (a = parseIpv4(t) ?? null));
    return a ?? undefined;
  };
  // one kernel route object per distinct translation: the same route sits on many nodes
  const memo = new Map<string, Map<string, Route | null>>();
  return (self, r) => {
    const nh = r.nextHop !== undefined ? ipOf(r.nextHop) : undefined;
    // a node in an IPIP pool tunnels, unless CrossSubnet and the next hop is in its own subnet
    const tunnel =
      self !== undefined &&
      ipip &&
      nh !== undefined &&
      !(cross && self.subnet !== undefined && cidrContains(self.subnet, nh));
    let byPrefix = memo.get(r.prefix);
    if (!byPrefix) memo.set(r.prefix, (byPrefix = new Map<string, Route | null>()));
    const key = `${tunnel ? 'T' : 'K'}|${r.type}|${r.via}|${r.dev ?? ''}|${r.nextHop ?? ''}`;
    let x = byPrefix.get(key);
    if (x === undefined) {
      const dst = cidrOf(r.prefix);
      x = null;
      if (dst && tunnel && nh !== undefined)
        x = {
          table: 'main',
          type: 'unicast',
          dst,
          via: nh,
          dev: 'tunl0',
          onlink: true,
          proto: 'bird',
          scope: 'universe',
        };
      else if (dst) x = kernelRouteOf(dst, r, ipOf) ?? null;
      byPrefix.set(key, x);
    }
    return x ?? undefined;
  };
}

function kernelRouteOf(
  dst: Cidr,
  r: InstalledRoute,
  ipOf: (t: string) => Ipv4Addr | undefined,
): Route | undefined {
  if (r.type === 'unreachable')
    return { table: 'main', type: 'unreachable', dst, proto: 'bird', scope: 'universe' };
  const via = ipOf(r.via);
  if (via === undefined || r.dev === undefined) return undefined;
  return {
    table: 'main',
    type: 'unicast',
    dst,
    via,
    dev: r.dev,
    proto: 'bird',
    scope: 'universe',
    ...(r.nextHop !== undefined && r.nextHop !== r.via
      ? {
          note: `BIRD learned ${r.prefix} with BGP next hop ${r.nextHop}, not directly connected; gateway recursive resolved it through ${r.via}`,
        }
      : {}),
  };
}

/** The ipsets Felix keeps for the pool and the other hosts (hash:net). */
export function calicoIpsets(lab: Lab, n: CalicoNode, all: readonly CalicoNode[]): void {
  const h = n.host;
  for (const set of sharedIpsets(lab, all)) h.ipsets.set(set.name, set);
}

const ipsetCache = new WeakMap<readonly CalicoNode[], readonly IpSet[]>();
/** The pool sets and the set of Calico hosts (IPIP, VXLAN): the same on every node, so one object each. */
function sharedIpsets(lab: Lab, all: readonly CalicoNode[]): readonly IpSet[] {
  let sets = ipsetCache.get(all);
  if (!sets) {
    const pool = lab.cluster.podCIDR;
    const hosts = all.map((o) => `${formatIpv4(o.ip)}/32`);
    sets = [
      { name: 'cali40all-ipam-pools', type: 'hash:net', members: [pool] },
      { name: 'cali40masq-ipam-pools', type: 'hash:net', members: lab.cluster.cni.natOutgoing ? [pool] : [] },
      ...(lab.cluster.cni.mode === 'ipip'
        ? [{ name: 'cali40all-hosts-net', type: 'hash:net', members: hosts }]
        : []),
      // the VXLAN sources Felix accepts: the parent devices of the cluster's VTEPs (this node's
      // own address included; a node never receives VXLAN from itself anyway)
      ...(lab.cluster.cni.mode === 'vxlan'
        ? [{ name: 'cali40all-vxlan-net', type: 'hash:net', members: hosts }]
        : []),
    ];
    ipsetCache.set(all, sets);
  }
  return sets;
}

/**
 * Felix's iptables rules that decide forwarding on a node (the NAT for natOutgoing and for
 * host traffic into the tunnel, and the filter rules that accept tunnel packets only from other
 * Calico hosts). Policy chains (cali-tw-/cali-fw-…) are NetworkPolicy's business.
 * Felix keeps its jumps first in the built-in chains, so they are inserted last.
 */
export function calicoIptables(lab: Lab, n: CalicoNode, natOutgoing: boolean): void {
  const nf = n.host.nf;
  const mode = lab.cluster.cni.mode;
  const tunnelDev = mode === 'ipip' ? 'tunl0' : mode === 'vxlan' ? 'vxlan.calico' : undefined;
  nf.ensureChain('nat', 'cali-fip-dnat');
  nf.ensureChain('nat', 'cali-fip-snat');
  nf.ensureChain('nat', 'cali-nat-outgoing');
  nf.add('nat', '-A cali-OUTPUT -m comment --comment "cali:GBTAv2p5CwevEyJm" -j cali-fip-dnat');
  nf.add('nat', '-A cali-PREROUTING -m comment --comment "cali:r6XmIziWUJsdOK6Z" -j cali-fip-dnat');
  nf.add('nat', '-A cali-POSTROUTING -m comment --comment "cali:Z-c7XtVd2Bq7s_hA" -j cali-fip-snat');
  nf.add('nat', '-A cali-POSTROUTING -m comment --comment "cali:nYKhEzDlr11Jccal" -j cali-nat-outgoing');
  if (tunnelDev !== undefined)
    nf.add(
      'nat',
      `-A cali-POSTROUTING -o ${tunnelDev} -m comment --comment "cali:${tunnelDev === 'tunl0' ? 'SXWvdsbh4Mw7wOln' : ruleId('cali-POSTROUTING', `vxlan masquerade ${tunnelDev}`)}" -m addrtype ! --src-type LOCAL --limit-iface-out -m addrtype --src-type LOCAL -j MASQUERADE --random-fully`,
    );
  if (natOutgoing)
    nf.add(
      'nat',
      '-A cali-nat-outgoing -m comment --comment "cali:flqWnvo8yq4ULQLa" -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst -j MASQUERADE --random-fully',
    );
  nf.ensureChain('filter', 'cali-INPUT');
  if (mode === 'ipip') {
    nf.add(
      'filter',
      `-A cali-INPUT -p ipencap -m comment --comment "cali:${ruleId('cali-INPUT', 'allow ipip')}" -m comment --comment "Allow IPIP packets from Calico hosts" -m set --match-set cali40all-hosts-net src -m addrtype --dst-type LOCAL -j ACCEPT`,
    );
    nf.add(
      'filter',
      `-A cali-INPUT -p ipencap -m comment --comment "cali:${ruleId('cali-INPUT', 'drop ipip')}" -m comment --comment "Drop IPIP packets from non-Calico hosts" -j DROP`,
    );
  }
  if (mode === 'vxlan') {
    const port = lab.cluster.cni.vxlan.port;
    nf.add(
      'filter',
      `-A cali-INPUT -p udp -m comment --comment "cali:${ruleId('cali-INPUT', 'allow vxlan')}" -m comment --comment "Allow IPv4 VXLAN packets from allowed hosts" -m multiport --dports ${port} -m set --match-set cali40all-vxlan-net src -m addrtype --dst-type LOCAL -j ACCEPT`,
    );
    nf.add(
      'filter',
      `-A cali-INPUT -p udp -m comment --comment "cali:${ruleId('cali-INPUT', 'drop vxlan')}" -m comment --comment "Drop IPv4 VXLAN packets from non-allowed hosts" -m multiport --dports ${port} -m addrtype --dst-type LOCAL -j DROP`,
    );
  }
}

/**
 * Felix tags every rule with `cali:<id>`, 16 characters of a hash chained over the chain name
 * and the rules before it, in Felix's own rendering. The ids of the jumps and NAT rules above are
 * the ones real nodes show; for the tunnel-filter rules Podpath derives a stable id of the same
 * shape from the chain and the rule (it is not the id a real node would print).
 */
function ruleId(chain: string, rule: string): string {
  const b = sha256(`${chain}|${rule}`);
  let s = '';
  for (let i = 0; i < 12; i += 3) {
    const x = ((b[i] ?? 0) << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    for (let k = 18; k >= 0; k -= 6) s += B64URL[(x >> k) & 63] ?? '';
  }
  return s;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Felix's jumps from the built-in chains, kept first (inserted after kube-proxy's). */
export function calicoJumps(n: CalicoNode): void {
  const nf = n.host.nf;
  nf.add('nat', '-A PREROUTING -m comment --comment "cali:6gwbT8clXdHdC1b1" -j cali-PREROUTING', true);
  nf.add('nat', '-A OUTPUT -m comment --comment "cali:tVnHkvAo15HuiPy0" -j cali-OUTPUT', true);
  nf.add('nat', '-A POSTROUTING -m comment --comment "cali:O3lYWMrLQYEMJtB5" -j cali-POSTROUTING', true);
  nf.add('filter', '-A INPUT -m comment --comment "cali:Cz_u1IQiXIMmKD4c" -j cali-INPUT', true);
}

/** The pool as a CIDR (for callers that need it parsed). */
export function poolOf(lab: Lab): Cidr | undefined {
  const c = parseCidr(lab.cluster.podCIDR);
  return c.ok ? c.cidr : undefined;
}
