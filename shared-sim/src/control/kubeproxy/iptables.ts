import type { KubeProxyConfig } from '../../model/lab';
import type { ServiceModel } from '../services/types';

/** What kube-proxy knows about the node it runs on. */
export interface KubeProxyNode {
  readonly name: string;
  /** The node's primary IP (status.addresses InternalIP). */
  readonly ip: string;
  /** Every local IPv4 address (for --nodeport-addresses and localhost NodePorts). */
  readonly addresses: readonly string[];
  /** spec.podCIDR, for detectLocalMode NodeCIDR. */
  readonly podCIDR?: string;
}

/**
 * kube-proxy's iptables programming for one node, as iptables-restore lines in the order kube-proxy
 * writes them. `jumps` are the rules kube-proxy "ensures" in built-in chains (inserted at the top,
 * in this order, so the last one ends up first); `chains` are the chains it declares per table
 * (":KUBE-… - [0:0]"), even when empty; `rules` are the "-A …" lines per table.
 */
export interface KubeProxyIptables {
  readonly jumps: readonly { readonly table: 'filter' | 'nat' | 'mangle'; readonly line: string }[];
  readonly chains: Readonly<Record<'filter' | 'nat' | 'mangle', readonly string[]>>;
  readonly rules: Readonly<Record<'filter' | 'nat' | 'mangle', readonly string[]>>;
}

export function kubeProxyIptables(
  model: ServiceModel,
  node: KubeProxyNode,
  cfg: KubeProxyConfig,
): KubeProxyIptables {
  void model;
  void node;
  void cfg;
  return {
    jumps: [],
    chains: { filter: [], nat: [], mangle: [] },
    rules: { filter: [], nat: [], mangle: [] },
  };
}
