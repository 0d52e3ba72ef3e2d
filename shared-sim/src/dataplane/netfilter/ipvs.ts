import { formatIpv4 } from '../addr/ipv4';

/**
 * IP Virtual Server (kube-proxy IPVS mode): virtual services with their real servers, and the
 * ipsets IPVS mode matches in iptables. The kernel knows no Kubernetes: kube-proxy fills these in.
 */

export interface IpvsRealServer {
  readonly addr: number;
  readonly port: number;
  readonly weight: number;
}

export type IpvsProto = 'TCP' | 'UDP' | 'SCTP';

export interface IpvsVirtualServer {
  readonly proto: IpvsProto;
  readonly addr: number;
  readonly port: number;
  readonly scheduler: string;
  /** Session affinity (ClientIP): persistence timeout in seconds. */
  readonly persistent?: number;
  /**
   * Real servers in the order of the kernel's destination list (the order the schedulers walk).
   * kube-proxy adds them in Go map order; Podpath keeps them sorted by `ip:port`.
   */
  readonly realServers: readonly IpvsRealServer[];
}

export interface IpvsTable {
  readonly virtualServers: readonly IpvsVirtualServer[];
}

export interface IpSet {
  readonly name: string;
  /** e.g. hash:ip,port  bitmap:port  hash:ip,port,ip  hash:ip,port,net  hash:ip */
  readonly type: string;
  readonly comment?: string;
  /** Entries as kube-proxy writes them: `10.96.0.10,udp:53`, `30080`, `10.244.1.5,tcp:80,10.244.1.5`. */
  readonly members: readonly string[];
}

/** `ip_vs_fwd_name`: kube-proxy only creates NAT ("Masq") destinations. */
export const IPVS_FORWARD = 'Masq';

/** `ip:port` of a real server (the key the walker's IPVS state uses). */
export function rsKey(rs: IpvsRealServer): string {
  return `${formatIpv4(rs.addr)}:${rs.port}`;
}

/** `PROTO ip:port` of a virtual server. */
export function vsKey(vs: IpvsVirtualServer): string {
  return `${vs.proto} ${formatIpv4(vs.addr)}:${vs.port}`;
}

/** The virtual-server line of `ipvsadm -Ln` (print_service_entry: `"%s  %s"` then `" %s"` scheduler). */
export function formatVirtualServer(vs: IpvsVirtualServer): string {
  const head = `${vs.proto}  ${formatIpv4(vs.addr)}:${vs.port}`.slice(0, 33);
  return `${head} ${vs.scheduler}${vs.persistent !== undefined ? ` persistent ${vs.persistent}` : ''}`;
}

/** A real-server line of `ipvsadm -Ln`: `"  -> %-28s %-7s %-6d %-10u %-10u"` (trailing blanks included). */
export function formatRealServer(rs: IpvsRealServer, activeConns = 0, inactConns = 0): string {
  const name = rsKey(rs).slice(0, 28);
  return `  -> ${name.padEnd(28)} ${IPVS_FORWARD.padEnd(7)} ${String(rs.weight).padEnd(6)} ${String(activeConns).padEnd(10)} ${String(inactConns).padEnd(10)}`;
}

/** `(int)(a - b)` on two u32 values, as libipvs' comparators compute it (so it wraps). */
function cmpU32(a: number, b: number): number {
  return (a - b) | 0;
}

const PROTO_NUM: Readonly<Record<IpvsProto, number>> = { TCP: 6, UDP: 17, SCTP: 132 };

/** ipvs_cmp_services: protocol number, then address, then port. */
export function compareVirtualServers(a: IpvsVirtualServer, b: IpvsVirtualServer): number {
  return PROTO_NUM[a.proto] - PROTO_NUM[b.proto] || cmpU32(a.addr, b.addr) || a.port - b.port;
}

/** ipvs_cmp_dests: address, then port. */
export function compareRealServers(a: IpvsRealServer, b: IpvsRealServer): number {
  return cmpU32(a.addr, b.addr) || a.port - b.port;
}
