import type { NftRuleset } from '../../dataplane/netfilter/nft';
import type { KubeProxyConfig } from '../../model/lab';
import type { ServiceModel } from '../services/types';
import type { KubeProxyNode } from './iptables';

/** kube-proxy nftables mode on one node: the `ip kube-proxy` table. */
export function kubeProxyNftables(
  model: ServiceModel,
  node: KubeProxyNode,
  cfg: KubeProxyConfig,
): NftRuleset {
  void model;
  void node;
  void cfg;
  return { tables: [] };
}
