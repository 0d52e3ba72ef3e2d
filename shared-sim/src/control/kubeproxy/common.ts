import { formatIpv4, networkOf, parseIpv4Sloppy, type Cidr } from '../../dataplane/addr/ipv4';

/** Kubernetes' ParseIPSloppy + String(): canonical dotted quad, or undefined for non-IPv4 text. */
export function canonIp(text: string): string | undefined {
  const a = parseIpv4Sloppy(text.trim());
  return a === undefined ? undefined : formatIpv4(a);
}

/** ParseCIDRSloppy (leading zeros allowed, surrounding blanks trimmed), masked to the network. */
export function parseCidrSloppy(text: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const a = parseIpv4Sloppy(m[1] ?? '');
  const len = Number(m[2]);
  if (a === undefined || len > 32) return undefined;
  return { addr: networkOf(a, len), len };
}

/** What every kube-proxy mode knows of an endpoint when it categorizes them. */
export interface CategorizableEndpoint {
  /** `ip:port`, the endpoint's String(). */
  readonly key: string;
  /** On this node. */
  readonly local: boolean;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
}

export interface Categorized<E> {
  /** Endpoints for Cluster traffic policy: ready ones, else serving-and-terminating ones. */
  readonly cluster: E[];
  /** Endpoints for Local traffic policy: this node's ready ones, else its serving-and-terminating ones. */
  readonly local: E[];
  /** Every endpoint some rule of this service can reach from this node. */
  readonly reachable: E[];
  /** Any usable endpoint anywhere. */
  readonly hasAny: boolean;
}

const byKey = (a: CategorizableEndpoint, b: CategorizableEndpoint): number =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

/**
 * proxy.CategorizeEndpoints without topology hints (Podpath's EndpointSlices carry none), shared
 * by the iptables, IPVS and nftables modes.
 */
export function categorizeEndpoints<E extends CategorizableEndpoint>(
  eps: readonly E[],
  usesCluster: boolean,
  usesLocal: boolean,
): Categorized<E> {
  let cluster: E[] = [];
  let hasAny = false;
  if (usesCluster) {
    cluster = eps.filter((e) => e.ready);
    if (cluster.length === 0) cluster = eps.filter((e) => e.serving && e.terminating);
    if (cluster.length > 0) hasAny = true;
  }
  if (!usesLocal) return { cluster, local: [], reachable: cluster, hasAny };
  let localReady = false;
  let localServingTerminating = false;
  for (const e of eps) {
    if (e.ready) {
      hasAny = true;
      if (e.local) localReady = true;
    } else if (e.serving && e.terminating) {
      hasAny = true;
      if (e.local) localServingTerminating = true;
    }
  }
  let local: E[] = [];
  if (localReady) local = eps.filter((e) => e.local && e.ready);
  else if (localServingTerminating) local = eps.filter((e) => e.local && e.serving && e.terminating);
  if (!usesCluster) return { cluster, local, reachable: local, hasAny };
  if (localReady || !localServingTerminating) return { cluster, local, reachable: cluster, hasAny };
  // the union (kube-proxy builds it through a map; Podpath keeps the ip:port order)
  const merged = new Map<string, E>();
  for (const e of [...cluster, ...local]) merged.set(e.key, e);
  return { cluster, local, reachable: [...merged.values()].sort(byKey), hasAny };
}
