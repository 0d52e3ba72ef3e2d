import { problem, type Problem } from '../../core/problem';
import {
  addOffset,
  broadcastOf,
  cidrContains,
  cidrOverlaps,
  cidrSize,
  formatCidr,
  parseCidr,
  parseIpv4,
  type Cidr,
  type Ipv4Addr,
} from '../../dataplane/addr/ipv4';
import type { Lab } from '../../model/lab';

/**
 * Flannel (kube-subnet-mgr) IPAM: each node's lease is its `spec.podCIDR`, which
 * kube-controller-manager hands out from the cluster CIDR in order (the first node gets the first
 * subnet). Pods get addresses from the host-local IPAM range of their node's lease: the first
 * address is the bridge gateway, so pods start at .2, in the order they are created.
 */
export interface FlannelIpam {
  readonly leases: ReadonlyMap<string, Cidr>;
  /** `ns/name` → IP, for pods with a pod network on a node. */
  readonly podIps: ReadonlyMap<string, Ipv4Addr>;
  readonly problems: readonly Problem[];
}

/** Subnet size flannel uses for a network without `SubnetLen`: /24 if the network is /22 or larger, else prefix + 2. */
export function leaseLength(pool: Cidr): number {
  return pool.len <= 22 ? 24 : pool.len + 2;
}

export function flannelIpam(lab: Lab): FlannelIpam {
  const problems: Problem[] = [];
  const pool = parseCidr(lab.cluster.podCIDR);
  const leases = new Map<string, Cidr>();
  const podIps = new Map<string, Ipv4Addr>();
  if (!pool.ok) return { leases, podIps, problems };
  const len = leaseLength(pool.cidr);
  const given: Cidr[] = [];
  for (const n of lab.nodes) {
    if (n.podCIDR === undefined) continue;
    const c = parseCidr(n.podCIDR);
    if (c.ok) {
      leases.set(n.name, c.cidr);
      given.push(c.cidr);
    }
  }
  const count = cidrSize(pool.cidr) / cidrSize({ addr: pool.cidr.addr, len });
  let next = 0;
  lab.nodes.forEach((n, i) => {
    if (leases.has(n.name)) return;
    while (next < count) {
      const cand: Cidr = {
        addr: addOffset(pool.cidr.addr, next * cidrSize({ addr: pool.cidr.addr, len })),
        len,
      };
      next++;
      if (!given.some((g) => cidrOverlaps(g, cand))) {
        leases.set(n.name, cand);
        return;
      }
    }
    problems.push(
      problem(
        `nodes[${i}].podCIDR`,
        undefined,
        `cannot be allocated: cluster.podCIDR ${lab.cluster.podCIDR} has no free /${len} left`,
        `node/${n.name}`,
      ),
    );
  });

  // host-local: reserve the given pod IPs, then hand out the rest in pod order
  const taken = new Map<string, Set<number>>();
  for (const p of lab.pods) {
    if (p.podIP === undefined || p.hostNetwork || p.nodeName === undefined) continue;
    const a = parseIpv4(p.podIP);
    if (a === undefined) continue;
    podIps.set(`${p.namespace}/${p.name}`, a);
    let s = taken.get(p.nodeName);
    if (!s) taken.set(p.nodeName, (s = new Set()));
    s.add(a);
  }
  const cursor = new Map<string, number>();
  lab.pods.forEach((p) => {
    if (p.podIP !== undefined || p.hostNetwork || p.nodeName === undefined || !isRunning(p.phase)) return;
    const lease = leases.get(p.nodeName);
    if (!lease) return;
    const used = taken.get(p.nodeName) ?? new Set<number>();
    taken.set(p.nodeName, used);
    let off = cursor.get(p.nodeName) ?? 2;
    const last = broadcastOf(lease) - lease.addr - 1;
    while (off <= last && used.has(addOffset(lease.addr, off))) off++;
    if (off > last) {
      problems.push(
        problem(
          `objects[${p.objectIndex}]`,
          `${p.namespace}/${p.name}`,
          `gets no IP: node ${p.nodeName}'s subnet ${formatCidr(lease)} is full`,
          `pod/${p.namespace}/${p.name}`,
        ),
      );
      return;
    }
    const a = addOffset(lease.addr, off);
    used.add(a);
    podIps.set(`${p.namespace}/${p.name}`, a);
    cursor.set(p.nodeName, off + 1);
  });
  // a given pod IP outside its node's lease cannot be routed by flannel
  for (const p of lab.pods) {
    if (p.podIP === undefined || p.hostNetwork || p.nodeName === undefined) continue;
    const lease = leases.get(p.nodeName);
    const a = parseIpv4(p.podIP);
    if (lease && a !== undefined && !cidrContains(lease, a)) {
      problems.push({
        severity: 'warning',
        path: `objects[${p.objectIndex}].status.podIP`,
        ref: `pod/${p.namespace}/${p.name}`,
        message: `objects[${p.objectIndex}].status.podIP ${p.podIP} is not inside node ${p.nodeName}'s pod subnet ${formatCidr(lease)}; other nodes route that address elsewhere`,
      });
    }
  }
  return { leases, podIps, problems };
}

export function isRunning(phase: string): boolean {
  return phase !== 'Succeeded' && phase !== 'Failed';
}
