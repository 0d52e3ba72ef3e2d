import type { IpvsRealServer, IpvsVirtualServer } from './ipvs';

/**
 * The IPVS schedulers (net/netfilter/ipvs/ip_vs_*.c), made deterministic. The kernel's rr and wrr
 * keep a moving pointer into the destination list; Podpath derives that position from the flow's
 * hash instead, so one flow always meets the same server and different flows spread the way the
 * pointer would spread them. The connection-counting schedulers (lc, wlc, sed, nq) read the active
 * connections the walker has recorded (none at start, where each takes its first eligible
 * destination, as the kernel does on ties). sh and dh hash the source / destination address into
 * the kernel's 256-bucket table.
 */

export interface IpvsSchedInput {
  readonly vs: IpvsVirtualServer;
  /** Stable hash of the connection's original tuple. */
  readonly flowHash: number;
  readonly src: number;
  readonly dst: number;
  /** Active connections the walker knows per real server (`ip:port`). */
  readonly activeConns: (rs: IpvsRealServer) => number;
}

export interface IpvsSchedResult {
  readonly rs?: IpvsRealServer;
  /** One clause saying how the scheduler chose. */
  readonly how: string;
}

/** IP_VS_SH_TAB_BITS / IP_VS_DH_TAB_BITS (CONFIG default 8): 256 buckets. */
const TAB_BITS = 8;
const TAB_SIZE = 1 << TAB_BITS;
const GOLDEN_RATIO_32 = 0x61c88647;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** hash_32(val, bits): multiplicative hash, top bits. */
function hash32Bits(val: number, bits: number): number {
  return Math.imul(val >>> 0, GOLDEN_RATIO_32) >>> (32 - bits);
}

/** ip_vs_sh_reassign: buckets cycle through the destination list, each taking `weight` buckets. */
function shBuckets(dests: readonly IpvsRealServer[]): (IpvsRealServer | undefined)[] {
  const out: (IpvsRealServer | undefined)[] = [];
  if (dests.length === 0) return new Array<IpvsRealServer | undefined>(TAB_SIZE).fill(undefined);
  let p = 0;
  let count = 0;
  for (let i = 0; i < TAB_SIZE; i++) {
    const d = dests[p] as IpvsRealServer;
    out.push(d);
    if (++count >= d.weight) {
      p = (p + 1) % dests.length;
      count = 0;
    }
  }
  return out;
}

/** ip_vs_dh_reassign: buckets cycle through the destination list, one each, weights ignored. */
function dhBuckets(dests: readonly IpvsRealServer[]): (IpvsRealServer | undefined)[] {
  const out: (IpvsRealServer | undefined)[] = [];
  for (let i = 0; i < TAB_SIZE; i++) out.push(dests.length === 0 ? undefined : dests[i % dests.length]);
  return out;
}

/** One period of ip_vs_wrr's sequence: for cw = mw, mw−g, …, g every destination with weight ≥ cw, in list order. */
export function wrrSequence(dests: readonly IpvsRealServer[]): IpvsRealServer[] {
  const live = dests.filter((d) => d.weight > 0);
  if (live.length === 0) return [];
  const mw = Math.max(...live.map((d) => d.weight));
  const g = live.map((d) => d.weight).reduce(gcd);
  const seq: IpvsRealServer[] = [];
  for (let cw = mw; cw > 0; cw -= g) for (const d of live) if (d.weight >= cw) seq.push(d);
  return seq;
}

/** Picks the destination for a new connection. */
export function ipvsSchedule(inp: IpvsSchedInput): IpvsSchedResult {
  const dests = inp.vs.realServers;
  const live = dests.filter((d) => d.weight > 0);
  if (live.length === 0) return { how: 'the virtual server has no real server with a weight above 0' };
  const sched = inp.vs.scheduler;
  switch (sched) {
    case 'wrr': {
      const seq = wrrSequence(dests);
      const i = inp.flowHash % seq.length;
      return {
        rs: seq[i],
        how: `weighted round robin: the flow's hash takes position ${i + 1} of the ${seq.length}-slot weighted cycle`,
      };
    }
    case 'lc':
    case 'wlc':
    case 'sed':
    case 'nq': {
      // lc/wlc: overhead = activeconns × 256 + inactconns (all recorded connections are active here);
      // sed/nq: activeconns + 1; wlc/sed/nq divide by the weight. The first eligible destination wins ties.
      const overhead = (d: IpvsRealServer): number =>
        sched === 'lc' || sched === 'wlc' ? inp.activeConns(d) * 256 : inp.activeConns(d) + 1;
      if (sched === 'nq') {
        const idle = live.find((d) => inp.activeConns(d) === 0);
        if (idle) return { rs: idle, how: 'never queue: the first real server with no active connection' };
      }
      let least = live[0] as IpvsRealServer;
      for (const d of live.slice(1)) {
        const better =
          sched === 'lc'
            ? overhead(d) < overhead(least)
            : overhead(least) * d.weight > overhead(d) * least.weight;
        if (better) least = d;
      }
      const what =
        sched === 'lc'
          ? 'least connections'
          : sched === 'wlc'
            ? 'weighted least connections'
            : sched === 'sed'
              ? 'shortest expected delay'
              : 'never queue (every real server busy: shortest expected delay)';
      return {
        rs: least,
        how: `${what}: ${inp.activeConns(least)} active connection${inp.activeConns(least) === 1 ? '' : 's'} on the chosen server, the first of the least loaded in the list`,
      };
    }
    case 'sh': {
      const b = hash32Bits(inp.src, TAB_BITS);
      const rs = shBuckets(dests)[b];
      if (!rs || rs.weight <= 0) return { how: `source hashing: bucket ${b} has no available server` };
      return { rs, how: `source hashing: the client address hashes to bucket ${b} of ${TAB_SIZE}` };
    }
    case 'dh': {
      const b = Math.imul(inp.dst >>> 0, 2654435761 | 0) & (TAB_SIZE - 1);
      const rs = dhBuckets(dests)[b];
      if (!rs || rs.weight <= 0) return { how: `destination hashing: bucket ${b} has no available server` };
      return {
        rs,
        how: `destination hashing: the virtual address hashes to bucket ${b} of ${TAB_SIZE} (every client of this address gets the same server)`,
      };
    }
    default: {
      const i = inp.flowHash % live.length;
      const label = sched === 'rr' ? 'round robin' : `${sched} (simulated as round robin)`;
      return {
        rs: live[i],
        how: `${label}: the flow's hash takes position ${i + 1} of ${live.length}`,
      };
    }
  }
}
