/**
 * IP Virtual Server (kube-proxy IPVS mode): virtual services with their real servers, and the
 * ipsets IPVS mode matches in iptables. Filled in by the IPVS implementation.
 */

export interface IpvsRealServer {
  readonly addr: number;
  readonly port: number;
  readonly weight: number;
}

export interface IpvsVirtualServer {
  readonly proto: 'TCP' | 'UDP' | 'SCTP';
  readonly addr: number;
  readonly port: number;
  readonly scheduler: string;
  /** Session affinity (ClientIP): persistence timeout in seconds. */
  readonly persistent?: number;
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
  /** Entries as `ipset list` prints them: `10.96.0.10,udp:53`, `30080`, `10.244.1.5,tcp:80,10.244.1.5`. */
  readonly members: readonly string[];
}
