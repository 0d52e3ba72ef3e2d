import type { Problem } from '../../core/problem';
import type { Host } from '../../dataplane/walker/host';
import type { WorkloadPolicyHook } from '../../dataplane/walker/policyHook';
import type { Lab } from '../../model/lab';
import { calicoPolicyHook } from './calico';
import type { PolicyEngine } from './engine';

/**
 * Which CNI enforces the lab's NetworkPolicies, and how: Calico at the workload interfaces (a hook
 * for the walker); Flannel not at all — every policy gets a warning saying so, and traffic flows.
 */
export function policyEnforcement(
  lab: Lab,
  engine: PolicyEngine,
  hosts: ReadonlyMap<string, Host>,
): { readonly hook?: WorkloadPolicyHook; readonly problems: readonly Problem[] } {
  if (lab.networkPolicies.length === 0) return { problems: [] };
  if (lab.cluster.cni.plugin === 'flannel') {
    return {
      problems: lab.networkPolicies.map((p) => ({
        severity: 'warning' as const,
        path: p.source,
        message: `NetworkPolicy ${p.namespace}/${p.name} is not enforced: Flannel does not implement NetworkPolicy, so traffic flows as if the policy did not exist (enforcing needs a policy engine beside it, e.g. Calico as Canal, or kube-network-policies)`,
      })),
    };
  }
  return { hook: calicoPolicyHook(engine, workloadEndpoints(hosts, engine)), problems: [] };
}

/** `node|ifname` → pod index for the host side of every pod's veth (the workload interface). */
export function workloadEndpoints(
  hosts: ReadonlyMap<string, Host>,
  engine: PolicyEngine,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const h of hosts.values()) {
    if (h.kind !== 'node') continue;
    for (const l of h.links) {
      const peer = l.peer?.netns;
      if (l.kind !== 'veth' || peer === undefined || !peer.startsWith('pod/')) continue;
      const idx = engine.podIndex.get(peer.slice(4));
      if (idx !== undefined) out.set(`${h.id}|${l.name}`, idx);
    }
  }
  return out;
}
