import type { Layer } from '../wire/packet';
import type { PolicyHopInfo } from './policyHook';

export type Verdict =
  'delivered' | 'dropped' | 'rejected' | 'unreachable' | 'ttl-exceeded' | 'fragmentation-needed' | 'no-route';

export type Stage =
  | 'route'
  | 'arp'
  | 'bridge'
  | 'netfilter'
  | 'ipvs'
  | 'conntrack'
  | 'encap'
  | 'decap'
  | 'tx'
  | 'rx'
  | 'deliver'
  | 'drop'
  | 'dns';

/** One decision in a packet's walk (CONTRACT.md §3). */
export interface Hop {
  readonly host: string;
  readonly iface?: string;
  readonly stage: Stage;
  readonly detail: string;
  /** The table entry that decided, as the real tool prints it. */
  readonly rule?: string;
  /** NetworkPolicy enforcement at a workload interface: which policy and rule decided. */
  readonly policy?: PolicyHopInfo;
  readonly layers: readonly Layer[];
}

/** The packet as a capture on a lab network shows it. */
export interface WireCapture {
  readonly network: string;
  readonly from: string;
  readonly to: string;
  readonly layers: readonly Layer[];
}

export interface PacketTrace {
  readonly verdict: Verdict;
  readonly reason: string;
  readonly deliveredTo: string | null;
  readonly hops: readonly Hop[];
  readonly wire: readonly WireCapture[];
}

export interface Trace extends PacketTrace {
  /** The reply (or the error the destination sent back), when there was one. */
  readonly reply?: PacketTrace;
}

const VERDICTS: readonly Verdict[] = [
  'delivered',
  'dropped',
  'rejected',
  'unreachable',
  'ttl-exceeded',
  'fragmentation-needed',
  'no-route',
];

/** Invariants every trace holds (Batfish's validateTrace): checked in tests. */
export function validateTrace(t: PacketTrace): string[] {
  const errs: string[] = [];
  if (!VERDICTS.includes(t.verdict)) errs.push(`unknown verdict ${t.verdict}`);
  if ((t.verdict === 'delivered') !== (t.deliveredTo !== null))
    errs.push('deliveredTo must be set exactly when delivered');
  if (t.hops.length === 0) errs.push('a trace has at least one hop');
  if (t.reason.trim() === '') errs.push('a trace has a reason');
  for (const h of t.hops) if (h.layers.length === 0) errs.push(`hop ${h.stage} on ${h.host} has no layers`);
  for (const w of t.wire) {
    if (w.layers[0]?.type !== 'eth') errs.push(`wire capture on ${w.network} must start with eth`);
  }
  return errs;
}
