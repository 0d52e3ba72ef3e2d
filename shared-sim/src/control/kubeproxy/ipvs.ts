import type { IpSet, IpvsTable } from '../../dataplane/netfilter/ipvs';
import type { KubeProxyConfig } from '../../model/lab';
import type { ServiceModel } from '../services/types';
import type { KubeProxyIptables, KubeProxyNode } from './iptables';

/** kube-proxy IPVS mode on one node: the addresses on kube-ipvs0, the virtual servers, the ipsets and the iptables rules IPVS mode still needs. */
export interface KubeProxyIpvs {
  /** /32 addresses bound to the kube-ipvs0 dummy device. */
  readonly dummyAddrs: readonly string[];
  readonly ipvs: IpvsTable;
  readonly ipsets: readonly IpSet[];
  readonly iptables: KubeProxyIptables;
}

export function kubeProxyIpvs(model: ServiceModel, node: KubeProxyNode, cfg: KubeProxyConfig): KubeProxyIpvs {
  void model;
  void node;
  void cfg;
  return {
    dummyAddrs: [],
    ipvs: { virtualServers: [] },
    ipsets: [],
    iptables: {
      jumps: [],
      chains: { filter: [], nat: [], mangle: [] },
      rules: { filter: [], nat: [], mangle: [] },
    },
  };
}
