import type { CtState } from '../conntrack/table';
import type { Ipv4Packet } from '../wire/packet';

/**
 * Where a CNI enforces NetworkPolicy at workload interfaces (Calico's cali-fw-/cali-tw- chains in
 * filter FORWARD), the walker asks this hook. The kernel side knows no Kubernetes: the hook is
 * built by the control plane and answers in iptables terms.
 */
export interface PolicyHopInfo {
  readonly direction: 'ingress' | 'egress';
  /** The pod whose endpoint chain decided (`ns/name`). */
  readonly pod: string;
  /** `ns/name` of the NetworkPolicy that allowed, when one did. */
  readonly policy?: string;
  /** Index of the rule in the policy's `ingress`/`egress` list. */
  readonly rule?: number;
  /** Policies that isolate the pod in this direction (`ns/name`), empty when none does. */
  readonly isolatedBy: readonly string[];
  readonly verdict: 'accept' | 'drop';
  /** The chains walked, from filter FORWARD on. */
  readonly chains: readonly string[];
}

export interface PolicyStep {
  readonly iface: string;
  readonly detail: string;
  /** The rule that decided, as iptables-save prints it. */
  readonly rule: string;
  readonly verdict: 'accept' | 'drop';
  /** Why it was dropped (the trace's reason), for a drop. */
  readonly reason: string;
  readonly policy: PolicyHopInfo;
}

export interface WorkloadPolicyHook {
  /** filter FORWARD on `host` for a packet coming from `inIface` and leaving by `outIface`. */
  forward(
    host: string,
    inIface: string,
    outIface: string,
    p: Ipv4Packet,
    state: CtState,
  ): readonly PolicyStep[];
  /** filter INPUT on `host` for a packet from `inIface` to the host itself (egress of a workload). */
  input(host: string, inIface: string, p: Ipv4Packet, state: CtState): readonly PolicyStep[];
}
