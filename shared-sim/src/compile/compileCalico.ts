import type { Problem } from '../core/problem';
import { calicoIpam, type CalicoIpam } from '../control/ipam/calico';
import {
  cidrContains,
  cidrCovers,
  formatCidr,
  formatIpv4,
  parseCidr,
  type Cidr,
  type Ipv4Addr,
} from '../dataplane/addr/ipv4';
import { fibLookup } from '../dataplane/route/fib';
import type { Lab, NodeSpec } from '../model/lab';
import { computeBgp, labUnderlay, type BgpState } from '../control/bgp';
import {
  addTunl0,
  birdTranslator,
  CALICO_GATEWAY,
  calicoAddPod,
  calicoBlackholes,
  calicoIpsets,
  calicoIptables,
  calicoJumps,
  calicoMtu,
  calicoTunnelDevice,
  calicoVxlanRoutes,
  type CalicoNode,
} from './cniCalico';
import type { HostBuilder } from './hostBuilder';

/** What the views need of Calico after compiling (IPAM blocks; BGP state once BIRD is modelled). */
export interface CalicoWorld {
  readonly ipam: CalicoIpam;
  /** BIRD's sessions, RIBs, installed routes and events (BGP and IPIP modes). */
  readonly bgp?: BgpState;
}

/**
 * Calico's part of compiling a lab, in the order things happen on a real cluster: IPAM, then
 * calico-node on every node (tunnel device), then the CNI plugin for each pod, then Felix's and
 * BIRD's routes and rules; Felix's jumps go in last so that they stay first in the built-in chains.
 */
export class CalicoCompiler {
  readonly ipam: CalicoIpam;
  private readonly nodes = new Map<string, CalicoNode>();
  private readonly pool: Cidr | undefined;
  private bgp: BgpState | undefined;

  constructor(
    private readonly lab: Lab,
    private readonly faultMtu: (node: string, iface: string) => number | undefined,
  ) {
    this.ipam = calicoIpam(lab);
    const p = parseCidr(lab.cluster.podCIDR);
    this.pool = p.ok ? p.cidr : undefined;
  }

  /** The node's "pod CIDR" for kube-proxy: its first block (the pool when it has none). */
  leaseOf(node: string): Cidr | undefined {
    return this.ipam.nodeBlocks.get(node)?.[0] ?? this.pool;
  }

  /** calico-node starts: the tunnel device of the pool's mode. */
  addNode(spec: NodeSpec, host: HostBuilder, ip: Ipv4Addr): void {
    const net = this.lab.networks.find((x) => x.name === spec.network);
    const c = net ? parseCidr(net.cidr) : undefined;
    const tunnel = this.ipam.tunnelAddrs.get(spec.name);
    const n: CalicoNode = {
      spec,
      host,
      ip,
      ...(c?.ok ? { subnet: c.cidr } : {}),
      blocks: this.ipam.nodeBlocks.get(spec.name) ?? [],
      ...(tunnel !== undefined ? { tunnel } : {}),
    };
    this.nodes.set(spec.name, n);
    calicoTunnelDevice(this.lab, n, this.tunnelMtu(spec));
  }

  private tunnelDev(): string | undefined {
    const mode = this.lab.cluster.cni.mode;
    return mode === 'ipip' ? 'tunl0' : mode === 'vxlan' ? 'vxlan.calico' : undefined;
  }

  private tunnelMtu(spec: NodeSpec): number {
    const dev = this.tunnelDev();
    return (dev !== undefined ? this.faultMtu(spec.name, dev) : undefined) ?? calicoMtu(this.lab, spec);
  }

  /** The MTU the CNI plugin gives the pod's veth pair (the tunnel's, as Calico's auto-detection writes it). */
  podMtu(node: string): number {
    const n = this.nodes.get(node);
    return n ? this.tunnelMtu(n.spec) : 1500;
  }

  hasNode(node: string): boolean {
    return this.nodes.has(node);
  }

  /** The calico CNI plugin's ADD for one pod. */
  addPod(node: string, pod: HostBuilder, ns: string, name: string, ip: Ipv4Addr): void {
    const n = this.nodes.get(node);
    if (!n) return;
    // with the ipip module loaded, every new namespace gets its own (down) tunl0 first
    if (this.lab.cluster.cni.mode === 'ipip') addTunl0(pod, 1480, false);
    calicoAddPod(n, pod, ns, name, ip, this.podMtu(node));
  }

  /** Felix and BIRD program the routes and rules, once every pod exists. */
  program(
    problems: Problem[],
    natOff: (node: string) => boolean,
    hostOf: (ref: string) => HostBuilder | undefined,
  ): void {
    const all = [...this.nodes.values()];
    for (const n of all) calicoBlackholes(this.lab, n);
    const mode = this.lab.cluster.cni.mode;
    if (mode === 'vxlan') calicoVxlanRoutes(this.lab, all, this.ipam);
    else this.bird(all, hostOf, problems);
    for (const n of all) {
      calicoIpsets(this.lab, n, all);
      calicoIptables(this.lab, n, this.lab.cluster.cni.natOutgoing && !natOff(n.spec.name));
    }
    this.checkProxyArp(all, problems);
  }

  /**
   * BIRD on the nodes and the BGP-speaking routers (the BGP model: sessions over the underlay,
   * UPDATEs, best paths), then each speaker's kernel protocol writes its routes: blocks learned
   * by BGP, through tunl0 for IPIP pools (krt_tunnel), resolved recursively otherwise.
   */
  private bird(
    all: readonly CalicoNode[],
    hostOf: (ref: string) => HostBuilder | undefined,
    problems: Problem[],
  ): void {
    const under = labUnderlay(this.lab);
    const state = computeBgp({
      lab: this.lab,
      blocks: this.ipam.blocks.map((b) => ({ cidr: formatCidr(b.cidr), node: b.node })),
      borrowed: this.ipam.borrowed.map((b) => ({ ip: formatIpv4(b.ip), node: b.node })),
      reach: under.reach,
      resolve: under.resolve,
    });
    this.bgp = state;
    for (const w of state.warnings)
      problems.push({ severity: 'warning', path: 'cluster.cni.bgp', message: w });
    const byRef = new Map(all.map((n) => [`node/${n.spec.name}`, n]));
    const viaRouter: { ref: string; prefix: string; reason: string; gateway: Ipv4Addr; dst: Cidr }[] = [];
    const translate = birdTranslator(this.lab);
    const dstKey = (c: Cidr): number => c.addr * 64 + c.len;
    for (const [ref, routes] of state.installed) {
      const node = byRef.get(ref);
      const h = node?.host ?? hostOf(ref);
      if (!h) continue;
      const have = new Set<number>();
      for (const x of h.routes) if (x.table === 'main') have.add(dstKey(x.dst));
      for (const r of routes) {
        if (r.type === 'blackhole') continue; // the node's own blocks: programmed with the pod routes
        const k = translate(node, r);
        if (!k) continue;
        // the kernel keeps the route it has (BIRD's add fails with "File exists")
        const dk = dstKey(k.dst);
        if (have.has(dk)) continue;
        have.add(dk);
        h.routes.push(k);
        if (r.reason !== undefined && r.type === 'unicast' && k.via !== undefined && k.dev !== 'tunl0')
          viaRouter.push({ ref, prefix: r.prefix, reason: r.reason, gateway: k.via, dst: k.dst });
        if (r.type === 'unreachable')
          problems.push({
            severity: 'warning',
            path: 'cluster.cni.bgp',
            ref,
            message: `${ref}: ${r.prefix} is installed as an unreachable route: ${r.reason ?? 'its next hop cannot be resolved'}`,
          });
      }
    }
    // a next hop behind a router: fine when that router learned the prefix (BGP peering, a
    // static route), a black hole for pod traffic when it did not
    for (const v of viaRouter) {
      const gw = [...this.routerHosts(hostOf)].find((h) =>
        h.links.some((l) => l.addrs.some((a) => a.addr === v.gateway)),
      );
      const known = gw?.routes.some(
        (x) => x.table === 'main' && x.type === 'unicast' && x.dst.len > 0 && cidrCovers(x.dst, v.dst),
      );
      if (known) continue;
      problems.push({
        severity: 'warning',
        path: 'cluster.cni.bgp',
        ref: v.ref,
        message: `${v.ref}: ${v.prefix} ${v.reason}, and ${gw ? gw.id : formatIpv4(v.gateway)} has no route for ${v.prefix}: pod traffic to it is lost there (peer the router with the nodes, or use IPIP/VXLAN)`,
      });
    }
  }

  private *routerHosts(hostOf: (ref: string) => HostBuilder | undefined): Iterable<HostBuilder> {
    for (const r of this.lab.routers) {
      const h = hostOf(`router/${r.name}`);
      if (h) yield h;
    }
  }

  /**
   * Proxy ARP answers a pod's ARP for 169.254.1.1 only when the node has a route to that address
   * through another device, which a node without a default route lacks (projectcalico/calico#3270):
   * its pods then reach nothing.
   */
  private checkProxyArp(all: readonly CalicoNode[], problems: Problem[]): void {
    for (const n of all) {
      const hasPods = n.host.links.some((l) => l.proxyArp);
      if (!hasPods) continue;
      const r = fibLookup(n.host.routes, CALICO_GATEWAY, 'main');
      if (r && r.type === 'unicast') continue;
      const i = this.lab.nodes.indexOf(n.spec);
      problems.push({
        severity: 'warning',
        path: `nodes[${i}].gateway`,
        ref: `node/${n.spec.name}`,
        message: `node ${n.spec.name} has no default route: with proxy ARP the kernel answers a pod's ARP for 169.254.1.1 only when it has a route to that address, so the pods on ${n.spec.name} get no answer and reach nothing (projectcalico/calico#3270); give the node a gateway`,
      });
    }
  }

  /** Felix's jumps, inserted after kube-proxy's so that they come first. */
  finish(): void {
    for (const n of this.nodes.values()) calicoJumps(n);
  }

  world(): CalicoWorld {
    return { ipam: this.ipam, ...(this.bgp ? { bgp: this.bgp } : {}) };
  }

  /** Whether an address is inside the pool (for messages). */
  inPool(a: Ipv4Addr): boolean {
    return this.pool !== undefined && cidrContains(this.pool, a);
  }

  poolText(): string {
    return this.pool ? formatCidr(this.pool) : this.lab.cluster.podCIDR;
  }
}
