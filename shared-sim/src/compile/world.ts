import type { Problem } from '../core/problem';
import type { Cidr, Ipv4Addr } from '../dataplane/addr/ipv4';
import type { Fabric } from '../dataplane/walker/host';
import type { Lab, PodSpec } from '../model/lab';
import type { ServiceModel } from '../control/services/types';
import type { CalicoWorld } from './compileCalico';
import type { PolicyEngine } from '../control/policy/engine';

export interface PodInfo {
  readonly ref: string;
  readonly spec: PodSpec;
  /** The pod's IP (the node's IP for hostNetwork pods); undefined when the pod has no sandbox. */
  readonly ip?: Ipv4Addr;
  /** The namespace that holds its network stack (the node's for hostNetwork pods). */
  readonly hostId?: string;
  /** Why the pod has no network, when it has none. */
  readonly why?: string;
}

/** Everything derived from a lab: the hosts the walker walks, and what the views print. Immutable. */
export interface World {
  readonly lab: Lab;
  readonly fabric: Fabric;
  /** Validation warnings and compile warnings (a route the kernel refused, a fault not modelled …). */
  readonly problems: readonly Problem[];
  readonly pods: readonly PodInfo[];
  /** Node name → its pod subnet (flannel lease). */
  readonly podSubnets: ReadonlyMap<string, Cidr>;
  /** Element reference → the host (namespace) it runs in. */
  readonly hostOf: ReadonlyMap<string, string>;
  /** Services with their allocated addresses and endpoints (the API server's state). */
  readonly services: ServiceModel;
  /** Calico's IPAM (and control-plane state) when the lab's CNI is Calico. */
  readonly calico?: CalicoWorld;
  /** NetworkPolicy selections and rules, for the reachability matrix and explanations. */
  readonly policy: PolicyEngine;
}
