import { hash32, hashBytes } from '../core/hash';
import type { Problem } from '../core/problem';
import {
  addOffset,
  cidrContains,
  formatCidr,
  formatIpv4,
  parseCidr,
  type Cidr,
  type Ipv4Addr,
} from '../dataplane/addr/ipv4';
import { randomMac } from '../dataplane/addr/mac';
import { VXLAN_OVERHEAD } from '../dataplane/wire/packet';
import type { NeighEntry } from '../dataplane/neigh/neighTable';
import type { FdbEntry } from '../dataplane/bridge/fdb';
import type { Route } from '../dataplane/route/fib';
import type { Lab, NodeSpec } from '../model/lab';
import { ifAddr, type HostBuilder } from './hostBuilder';

/** flannel's kube-proxy mark guard (`KubeProxyMark`). */
const KUBE_PROXY_MARK = '0x4000/0x4000';

export interface FlannelNode {
  readonly spec: NodeSpec;
  readonly host: HostBuilder;
  readonly lease: Cidr;
  readonly ip: Ipv4Addr;
}

/** The MTU flanneld reports to the CNI (FLANNEL_MTU): the external interface's, less the backend's overhead. */
export function flannelMtu(lab: Lab, node: NodeSpec): number {
  return lab.cluster.cni.mode === 'vxlan' ? node.mtu - VXLAN_OVERHEAD : node.mtu;
}

/** flanneld's VXLAN device: `flannel.<VNI>` with the lease's network address as a /32. */
export function flannelVxlanDevice(lab: Lab, n: FlannelNode): void {
  const { vni, port } = lab.cluster.cni.vxlan;
  const h = n.host;
  const name = `flannel.${vni}`;
  h.addLink({
    name,
    kind: 'vxlan',
    mac: randomMac(`${h.id}/${name}`),
    mtu: n.spec.mtu - VXLAN_OVERHEAD,
    up: true,
    addrs: [],
    vxlan: { vni, port, local: n.ip, dev: 'eth0', learning: false },
  });
  h.addAddr(name, { addr: n.lease.addr, len: 32, scope: 'global' });
}

/** What flanneld programs for one remote node's lease; identical on every other node, so the objects are shared. */
interface RemoteLease {
  readonly node: FlannelNode;
  readonly neigh?: NeighEntry;
  readonly fdb?: FdbEntry;
  readonly route: Route;
}

function remoteLeases(lab: Lab, all: readonly FlannelNode[]): RemoteLease[] {
  const vni = lab.cluster.cni.vxlan.vni;
  const dev = `flannel.${vni}`;
  return all.map((other) => {
    if (lab.cluster.cni.mode === 'vxlan') {
      const mac = randomMac(`${other.host.id}/${dev}`);
      return {
        node: other,
        neigh: { ip: other.lease.addr, dev, lladdr: mac, state: 'PERMANENT' },
        fdb: { mac, dev, dst: other.ip, self: true, permanent: true },
        route: {
          table: 'main',
          type: 'unicast',
          dst: other.lease,
          via: other.lease.addr,
          dev,
          onlink: true,
          proto: 'boot',
          scope: 'universe',
        },
      };
    }
    return {
      node: other,
      route: {
        table: 'main',
        type: 'unicast',
        dst: other.lease,
        via: other.ip,
        dev: 'eth0',
        proto: 'boot',
        scope: 'universe',
      },
    };
  });
}

/**
 * What flanneld programs on every node for every other node's lease: VXLAN (neighbour, FDB,
 * onlink route) or host-gw (a plain route via the node, which the kernel refuses when that node
 * is not on a directly connected network).
 */
export function flannelRoutes(lab: Lab, all: readonly FlannelNode[], problems: Problem[]): void {
  const remotes = remoteLeases(lab, all);
  for (const self of all) {
    const h = self.host;
    const connected = h.routes.filter(
      (r) => r.table === 'main' && r.type === 'unicast' && r.via === undefined && r.dev === 'eth0',
    );
    for (const rl of remotes) {
      const other = rl.node;
      if (other === self) continue;
      if (rl.neigh && rl.fdb) {
        h.neigh.push(rl.neigh);
        h.fdb.push(rl.fdb);
        h.routes.push(rl.route);
        continue;
      }
      if (!connected.some((r) => cidrContains(r.dst, other.ip))) {
        problems.push({
          severity: 'warning',
          path: 'nodes',
          ref: `node/${self.spec.name}`,
          message:
            `host-gw: node ${self.spec.name} cannot route ${formatCidr(other.lease)} (node ${other.spec.name}) via ${formatIpv4(other.ip)}: ` +
            `${formatIpv4(other.ip)} is not on a directly connected network, and the kernel refuses the route ("Error: Nexthop has invalid gateway."; ` +
            `flanneld logs "Error adding route to ${formatCidr(other.lease)} via ${formatIpv4(other.ip)} dev eth0: network is unreachable"). ` +
            `host-gw needs the nodes on one layer-2 network; use vxlan across subnets`,
        });
        continue;
      }
      h.routes.push(rl.route);
    }
  }
}

/** flanneld's iptables rules (trafficmngr/iptables): masquerade for traffic leaving the pod network, forward accept. */
export function flannelIptables(lab: Lab, n: FlannelNode, masquerade: boolean): void {
  const nf = n.host.nf;
  const cluster = lab.cluster.podCIDR;
  const lease = formatCidr(n.lease);
  const c = '-m comment --comment "flanneld masq"';
  if (masquerade) {
    nf.add('nat', `-A POSTROUTING ${c} -j FLANNEL-POSTRTG`);
    nf.add('nat', `-A FLANNEL-POSTRTG -m mark --mark ${KUBE_PROXY_MARK} ${c} -j RETURN`);
    nf.add('nat', `-A FLANNEL-POSTRTG -s ${lease} -d ${cluster} ${c} -j RETURN`);
    nf.add('nat', `-A FLANNEL-POSTRTG -s ${cluster} -d ${lease} ${c} -j RETURN`);
    nf.add('nat', `-A FLANNEL-POSTRTG ! -s ${cluster} -d ${lease} ${c} -j RETURN`);
    nf.add('nat', `-A FLANNEL-POSTRTG -s ${cluster} ! -d 224.0.0.0/4 ${c} -j MASQUERADE --random-fully`);
    nf.add('nat', `-A FLANNEL-POSTRTG ! -s ${cluster} -d ${cluster} ${c} -j MASQUERADE --random-fully`);
  }
  const f = '-m comment --comment "flanneld forward"';
  nf.add('filter', `-A FORWARD ${f} -j FLANNEL-FWD`);
  nf.add('filter', `-A FLANNEL-FWD -s ${cluster} ${f} -j ACCEPT`);
  nf.add('filter', `-A FLANNEL-FWD -d ${cluster} ${f} -j ACCEPT`);
}

/** The bridge CNI plugin's `cni0`, created with the first pod: the lease's first address is the gateway. */
export function cniBridge(lab: Lab, n: FlannelNode, mtu: number): void {
  const h = n.host;
  if (h.links.some((l) => l.name === 'cni0')) return;
  h.addLink({ name: 'cni0', kind: 'bridge', mac: randomMac(`${h.id}/cni0`), mtu, up: true, addrs: [] });
  h.addAddr('cni0', ifAddr(addOffset(n.lease.addr, 1), n.lease.len));
  h.fdb.push({ mac: randomMac(`${h.id}/cni0`), dev: 'cni0', master: 'cni0', self: false, permanent: true });
}

/** A name like the CNI's netns (`cni-` + a UUID), derived from the pod. */
export function cniNetnsName(podRef: string): string {
  const b = hashBytes(`netns:${podRef}`, 16)
    .map((x) => x.toString(16).padStart(2, '0'))
    .join('');
  return `cni-${b.slice(0, 8)}-${b.slice(8, 12)}-${b.slice(12, 16)}-${b.slice(16, 20)}-${b.slice(20, 32)}`;
}

/** `veth` + 8 hex characters, as ip.RandomVethName makes them. */
export function vethName(podRef: string): string {
  return `veth${hash32(`veth:${podRef}`).toString(16).padStart(8, '0')}`;
}

/**
 * The bridge plugin's ADD for one pod: a veth pair created in the pod's namespace (eth0 gets
 * ifindex 2), its host end moved to the node and attached to cni0 with hairpin mode on; the
 * host-local address, the default route and the flannel network route via the gateway.
 */
export function cniAddPod(
  lab: Lab,
  n: FlannelNode,
  pod: HostBuilder,
  podIp: Ipv4Addr,
  mtu: number,
  hairpin: boolean,
): void {
  const h = n.host;
  const gw = addOffset(n.lease.addr, 1);
  const hostIfname = vethName(pod.id);
  const podMac = randomMac(`${pod.id}/eth0`);
  const hostMac = randomMac(`${h.id}/${hostIfname}`);
  const podIndex = pod.takeIndex(); // eth0
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
    mac: hostMac,
    mtu,
    up: true,
    addrs: [],
    master: 'cni0',
    hairpin,
    peer: { netns: pod.id, ifname: 'eth0', ifindex: podIndex, netnsid: h.netnsIds.get(pod.id) ?? 0 },
  });
  // bridge FDB: the port's own MAC (permanent) and the pod's MAC, learned from its traffic
  h.fdb.push({ mac: podMac, dev: hostIfname, master: 'cni0', self: false, permanent: false });
  h.fdb.push({ mac: hostMac, dev: hostIfname, master: 'cni0', self: false, permanent: true });
  pod.addAddr('eth0', ifAddr(podIp, n.lease.len));
  pod.addRoute({
    type: 'unicast',
    dst: { addr: 0 as Ipv4Addr, len: 0 },
    via: gw,
    dev: 'eth0',
    proto: 'boot',
    scope: 'universe',
  });
  const cluster = parseCidr(lab.cluster.podCIDR);
  if (cluster.ok)
    pod.addRoute({
      type: 'unicast',
      dst: cluster.cidr,
      via: gw,
      dev: 'eth0',
      proto: 'boot',
      scope: 'universe',
    });
}

/** /run/flannel/subnet.env as flanneld writes it. */
export function subnetEnv(lab: Lab, node: NodeSpec, lease: Cidr): string {
  return [
    `FLANNEL_NETWORK=${lab.cluster.podCIDR}`,
    `FLANNEL_SUBNET=${formatIpv4(addOffset(lease.addr, 1))}/${lease.len}`,
    `FLANNEL_MTU=${flannelMtu(lab, node)}`,
    `FLANNEL_IPMASQ=${lab.cluster.cni.natOutgoing ? 'true' : 'false'}`,
    '',
  ].join('\n');
}
