import { problem, type Problem } from '../../core/problem';
import {
  addOffset,
  cidrContains,
  cidrCovers,
  cidrSize,
  formatCidr,
  formatIpv4,
  networkOf,
  parseCidr,
  parseIpv4,
  type Cidr,
  type Ipv4Addr,
} from '../../dataplane/addr/ipv4';
import type { Lab } from '../../model/lab';
import { isRunning } from './flannel';

/**
 * Calico IPAM (libcalico-go ipam) over the one IPPool a lab has (`cluster.podCIDR`, block size
 * `cluster.cni.blockSize`):
 * - a node claims a block (affinity) when it first needs an address: at calico-node start for its
 *   IPIP/VXLAN tunnel address (handle `ipip-tunnel-addr-<node>` / `vxlan-tunnel-addr-<node>`), or
 *   for its first pod. A node's `podCIDR` in the lab, when given, is its first block.
 * - real Calico picks a free block at random; Podpath takes the free blocks in pool order, so the
 *   same lab always gives the same blocks and they read well (node-1 10.244.0.0/26, node-2 .64/26 …).
 * - addresses are handed out from the node's affine blocks in order, lowest free ordinal first
 *   (the block's first address is usable: Calico reserves no network or broadcast address).
 * - a node whose blocks are full claims another free block (up to maxBlocksPerHost, 20); when the
 *   pool has none left, it borrows a free address from another node's block (strictAffinity off).
 *   A borrowed address is routed as a /32 to the node that uses it.
 */
export interface CalicoBlock {
  readonly cidr: Cidr;
  /** The node the block is affine to. */
  readonly node: string;
}

export interface BorrowedIp {
  readonly ip: Ipv4Addr;
  /** The node the pod runs on. */
  readonly node: string;
  /** The block it came from and that block's node. */
  readonly block: CalicoBlock;
}

export interface CalicoIpam {
  readonly pool?: Cidr;
  readonly blockSize: number;
  /** Every claimed block, in claim order. */
  readonly blocks: readonly CalicoBlock[];
  /** Node → its affine blocks, in claim order. */
  readonly nodeBlocks: ReadonlyMap<string, readonly Cidr[]>;
  /** Node → its IPIP or VXLAN tunnel address (ipip / vxlan modes). */
  readonly tunnelAddrs: ReadonlyMap<string, Ipv4Addr>;
  /** `ns/name` → IP, for pods with a pod network on a node. */
  readonly podIps: ReadonlyMap<string, Ipv4Addr>;
  /** Addresses in use on a node other than the one their block is affine to. */
  readonly borrowed: readonly BorrowedIp[];
  readonly problems: readonly Problem[];
}

export const MAX_BLOCKS_PER_HOST = 20;

export function calicoIpam(lab: Lab): CalicoIpam {
  const problems: Problem[] = [];
  const blockSize = lab.cluster.cni.blockSize;
  const parsed = parseCidr(lab.cluster.podCIDR);
  const blocks: CalicoBlock[] = [];
  const nodeBlocks = new Map<string, Cidr[]>();
  const tunnelAddrs = new Map<string, Ipv4Addr>();
  const podIps = new Map<string, Ipv4Addr>();
  const borrowed: BorrowedIp[] = [];
  const empty = { blockSize, blocks, nodeBlocks, tunnelAddrs, podIps, borrowed, problems };
  if (!parsed.ok) return empty;
  const pool = parsed.cidr;
  if (blockSize < pool.len) {
    problems.push(
      problem(
        'cluster.cni.blockSize',
        blockSize,
        `is larger than the IP pool cluster.podCIDR ${lab.cluster.podCIDR}: a block must fit in the pool`,
      ),
    );
    return { ...empty, pool };
  }
  const blockLen = cidrSize({ addr: pool.addr, len: blockSize });
  const blockCount = cidrSize(pool) / blockLen;
  /** block index → block, for claimed blocks */
  const claimed = new Map<number, CalicoBlock>();
  /** used addresses (as numbers) */
  const used = new Set<number>();
  const indexOf = (a: number): number => Math.floor((a - pool.addr) / blockLen);
  const blockAt = (i: number): Cidr => ({ addr: addOffset(pool.addr, i * blockLen), len: blockSize });
  const claim = (node: string, i: number): CalicoBlock => {
    const b: CalicoBlock = { cidr: blockAt(i), node };
    claimed.set(i, b);
    blocks.push(b);
    let list = nodeBlocks.get(node);
    if (!list) nodeBlocks.set(node, (list = []));
    list.push(b.cidr);
    return b;
  };
  let nextFree = 0;
  const claimFree = (node: string): CalicoBlock | undefined => {
    if ((nodeBlocks.get(node)?.length ?? 0) >= MAX_BLOCKS_PER_HOST) return undefined;
    while (nextFree < blockCount && claimed.has(nextFree)) nextFree++;
    if (nextFree >= blockCount) return undefined;
    return claim(node, nextFree);
  };
  const firstFree = (c: Cidr): Ipv4Addr | undefined => {
    for (let o = 0; o < blockLen; o++) {
      const a = addOffset(c.addr, o);
      if (!used.has(a)) return a;
    }
    return undefined;
  };

  // 1. blocks given in the lab (a node's podCIDR is its first block)
  lab.nodes.forEach((n, i) => {
    if (n.podCIDR === undefined) return;
    const c = parseCidr(n.podCIDR);
    if (!c.ok) return;
    const path = `nodes[${i}].podCIDR`;
    if (!cidrCovers(pool, c.cidr)) {
      problems.push({
        severity: 'warning',
        path,
        ref: `node/${n.name}`,
        message: `${path} ${n.podCIDR} is not inside the IP pool ${formatCidr(pool)} (cluster.podCIDR); Calico IPAM ignores it and gives node ${n.name} a block from the pool`,
      });
      return;
    }
    if (c.cidr.len !== blockSize)
      problems.push({
        severity: 'warning',
        path,
        ref: `node/${n.name}`,
        message: `${path} ${n.podCIDR} is not a /${blockSize} (cluster.cni.blockSize): Calico hands out whole blocks, so node ${n.name} gets the block ${formatCidr({ addr: networkOf(c.cidr.addr, blockSize), len: blockSize })}`,
      });
    const idx = indexOf(c.cidr.addr);
    const taken = claimed.get(idx);
    if (taken) {
      problems.push({
        severity: 'warning',
        path,
        ref: `node/${n.name}`,
        message: `${path} ${n.podCIDR}: that block is already affine to node ${taken.node}; node ${n.name} gets another block`,
      });
      return;
    }
    claim(n.name, idx);
  });

  // 2. addresses given in the lab are in use (the pods exist already)
  const running = lab.pods.filter((p) => p.nodeName !== undefined && !p.hostNetwork && isRunning(p.phase));
  for (const p of running) {
    if (p.podIP === undefined) continue;
    const a = parseIpv4(p.podIP);
    if (a === undefined) continue;
    podIps.set(`${p.namespace}/${p.name}`, a);
    used.add(a);
    if (!cidrContains(pool, a)) {
      problems.push({
        severity: 'warning',
        path: `objects[${p.objectIndex}].status.podIP`,
        ref: `pod/${p.namespace}/${p.name}`,
        message: `objects[${p.objectIndex}].status.podIP ${p.podIP} is outside the IP pool ${formatCidr(pool)}; no other node has a route to it`,
      });
      continue;
    }
    const node = p.nodeName ?? '';
    const idx = indexOf(a);
    const b = claimed.get(idx) ?? claim(node, idx);
    if (b.node !== node) borrowed.push({ ip: a, node, block: b });
  }

  // 3. calico-node starts on every node: the tunnel address, from the node's first block
  const tunnel = lab.cluster.cni.mode === 'ipip' || lab.cluster.cni.mode === 'vxlan';
  const allocate = (node: string, what: string, path: string, ref: string): Ipv4Addr | undefined => {
    for (const c of nodeBlocks.get(node) ?? []) {
      const a = firstFree(c);
      if (a !== undefined) {
        used.add(a);
        return a;
      }
    }
    const fresh = claimFree(node);
    if (fresh) {
      const a = firstFree(fresh.cidr);
      if (a !== undefined) {
        used.add(a);
        return a;
      }
    }
    // no free block: borrow from another node's block
    for (const b of blocks) {
      if (b.node === node) continue;
      const a = firstFree(b.cidr);
      if (a !== undefined) {
        used.add(a);
        borrowed.push({ ip: a, node, block: b });
        return a;
      }
    }
    problems.push(
      problem(path, undefined, `gets no IP for ${what}: the IP pool ${formatCidr(pool)} is exhausted`, ref),
    );
    return undefined;
  };
  if (tunnel)
    lab.nodes.forEach((n, i) => {
      const a = allocate(
        n.name,
        `its ${lab.cluster.cni.mode === 'ipip' ? 'tunl0' : 'vxlan.calico'} tunnel address`,
        `nodes[${i}]`,
        `node/${n.name}`,
      );
      if (a !== undefined) tunnelAddrs.set(n.name, a);
    });

  // 4. pods, in lab order
  for (const p of running) {
    if (p.podIP !== undefined) continue;
    const node = p.nodeName ?? '';
    if (!lab.nodes.some((n) => n.name === node)) continue;
    const a = allocate(
      node,
      `pod ${p.namespace}/${p.name}`,
      `objects[${p.objectIndex}]`,
      `pod/${p.namespace}/${p.name}`,
    );
    if (a !== undefined) podIps.set(`${p.namespace}/${p.name}`, a);
  }
  return { pool, blockSize, blocks, nodeBlocks, tunnelAddrs, podIps, borrowed, problems };
}

/** `ip`/`calicoctl ipam show --show-blocks`-style one-liner for a block, used in messages. */
export function describeBlock(b: CalicoBlock): string {
  return `${formatCidr(b.cidr)} (affine to ${b.node})`;
}

/** The block (of any node) an address belongs to. */
export function blockOf(ipam: CalicoIpam, a: Ipv4Addr): CalicoBlock | undefined {
  return ipam.blocks.find((b) => cidrContains(b.cidr, a));
}

export { formatIpv4 as _formatIpv4ForTests };
