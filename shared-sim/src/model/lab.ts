/**
 * The lab document (CONTRACT.md §1) after parsing and defaulting. This is what the rest of the
 * simulator reads; the raw JSON is kept beside it so that unknown fields survive a save.
 */

export type CniPlugin = 'flannel' | 'calico';
export type FlannelMode = 'vxlan' | 'host-gw';
export type CalicoMode = 'bgp' | 'ipip' | 'vxlan';
export type KubeProxyMode = 'iptables' | 'ipvs' | 'nftables';
export type IpvsScheduler = 'rr' | 'wrr' | 'lc' | 'wlc' | 'sh' | 'dh' | 'sed' | 'nq';

export interface BgpPeer {
  readonly router: string;
  readonly asNumber: number;
  readonly nodes: readonly string[];
}

export interface BgpConfig {
  readonly asNumber: number;
  readonly topology: 'full-mesh' | 'route-reflector';
  readonly routeReflectors: readonly string[];
  readonly clusterID?: string;
  readonly peers: readonly BgpPeer[];
}

export interface CniConfig {
  readonly plugin: CniPlugin;
  readonly mode: FlannelMode | CalicoMode;
  readonly crossSubnet: boolean;
  readonly natOutgoing: boolean;
  readonly vxlan: { readonly vni: number; readonly port: number };
  readonly blockSize: number;
  readonly bgp: BgpConfig;
}

export interface KubeProxyConfig {
  readonly mode: KubeProxyMode;
  readonly ipvsScheduler: IpvsScheduler;
  readonly masqueradeAll: boolean;
  readonly masqueradeBit: number;
  readonly clusterCIDR: string;
  readonly detectLocalMode: string;
  readonly nodePortAddresses: readonly string[];
  readonly localhostNodePorts: boolean;
}

export interface ClusterConfig {
  readonly podCIDR: string;
  readonly serviceCIDR: string;
  readonly clusterDomain: string;
  readonly dnsServiceIP: string;
  readonly cni: CniConfig;
  readonly kubeProxy: KubeProxyConfig;
}

export interface NetworkSpec {
  readonly name: string;
  readonly cidr: string;
  readonly mtu: number;
}

export interface InterfaceSpec {
  readonly network: string;
  readonly ip: string;
}

export interface StaticRoute {
  readonly to: string; // CIDR or "default"
  readonly via: string;
}

export interface FirewallRule {
  readonly action: 'drop' | 'reject';
  /** "tcp" | "udp" | "icmp" | "sctp" | "ipip" | "all", or an IP protocol number. */
  readonly proto: string | number;
  readonly dport?: number;
  readonly src?: string;
  readonly dst?: string;
}

export interface RouterSpec {
  readonly name: string;
  readonly interfaces: readonly InterfaceSpec[];
  readonly routes: readonly StaticRoute[];
  readonly bgp?: { readonly asNumber: number };
  readonly firewall: readonly FirewallRule[];
}

export interface NodeSpec {
  readonly name: string;
  readonly network: string;
  readonly ip: string;
  readonly gateway?: string;
  /** Given in the lab, or undefined when IPAM allocates it. */
  readonly podCIDR?: string;
  /** Defaults to the network's MTU. */
  readonly mtu: number;
}

export interface ClientSpec {
  readonly name: string;
  readonly network: string;
  readonly ip: string;
  readonly gateway?: string;
  readonly mtu: number;
}

/** A Kubernetes object as found in the lab (API shape, JSON). Only kind/name/namespace are checked here. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly [k: string]: unknown;
  };
  readonly spec?: Readonly<Record<string, unknown>>;
  readonly status?: Readonly<Record<string, unknown>>;
  readonly [k: string]: unknown;
}

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

/** A pod after parsing (from a Pod object or expanded from a Deployment). */
export interface PodSpec {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Undefined until scheduling places it (Deployment pods without nodeName). */
  readonly nodeName?: string;
  readonly ports: readonly ContainerPort[];
  readonly podIP?: string;
  readonly hostNetwork: boolean;
  readonly ready: boolean;
  readonly phase: string;
  readonly dnsPolicy: string;
  /** Index into `objects` of the object this pod comes from. */
  readonly objectIndex: number;
  readonly fromDeployment?: string;
}

export type { NetworkPolicy } from './networkPolicy';
import type { NetworkPolicy } from './networkPolicy';

export interface Fault {
  readonly type: string;
  readonly [k: string]: unknown;
}

export interface Lab {
  readonly podpath: 1;
  readonly name: string;
  readonly description: string;
  readonly cluster: ClusterConfig;
  readonly networks: readonly NetworkSpec[];
  readonly routers: readonly RouterSpec[];
  readonly nodes: readonly NodeSpec[];
  readonly clients: readonly ClientSpec[];
  readonly objects: readonly KubeObject[];
  readonly pods: readonly PodSpec[];
  /** NetworkPolicies from `objects` and from `network-policy` faults, validated and defaulted. */
  readonly networkPolicies: readonly NetworkPolicy[];
  readonly faults: readonly Fault[];
  readonly layout: Readonly<Record<string, { readonly x: number; readonly y: number }>>;
}

/** The newest lab format version this build reads. */
export const LAB_FORMAT_VERSION = 1;
