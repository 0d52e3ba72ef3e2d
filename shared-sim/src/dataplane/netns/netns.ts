import type { Ipv4Addr } from '../addr/ipv4';
import type { MacAddr } from '../addr/mac';

export type LinkKind = 'loopback' | 'ether' | 'veth' | 'bridge' | 'vxlan' | 'dummy' | 'ipip';

export interface IfAddr {
  readonly addr: Ipv4Addr;
  readonly len: number;
  readonly scope: 'host' | 'link' | 'global';
  readonly broadcast?: Ipv4Addr;
}

export interface VxlanInfo {
  readonly vni: number;
  readonly port: number;
  readonly local: Ipv4Addr;
  /** The underlay device (`dev eth0`). */
  readonly dev: string;
  readonly learning: boolean;
}

/** A network device inside one namespace. */
export interface Link {
  readonly ifindex: number;
  readonly name: string;
  readonly kind: LinkKind;
  readonly mac: MacAddr;
  readonly mtu: number;
  readonly up: boolean;
  readonly addrs: readonly IfAddr[];
  /** The bridge this device is a port of. */
  readonly master?: string;
  /** Bridge port flag: frames may leave by the port they came in on. */
  readonly hairpin?: boolean;
  /** veth: the other end. `netnsid` is the id this namespace knows the peer's namespace by. */
  readonly peer?: {
    readonly netns: string;
    readonly ifname: string;
    readonly ifindex: number;
    readonly netnsid: number;
  };
  /** ether: the lab network (layer-2 segment) the NIC is plugged into. */
  readonly network?: string;
  readonly vxlan?: VxlanInfo;
  /** net.ipv4.conf.<dev>.proxy_arp: answer ARP for addresses routed out of another device (Calico's cali…). */
  readonly proxyArp?: boolean;
}

export type NetnsKind = 'node' | 'pod' | 'router' | 'client';

/** A socket waiting for connections: what a pod's container ports (or a host service) give. */
export interface Listener {
  readonly proto: 'tcp' | 'udp' | 'sctp';
  readonly port: number;
  readonly process: string;
}
