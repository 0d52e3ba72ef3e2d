import { formatIpv4, type Ipv4Addr } from '../addr/ipv4';
import { flowPorts, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, type Ipv4Packet } from '../wire/packet';

/**
 * Connection tracking: a connection is remembered by its original-direction tuple and its
 * expected reply tuple. NAT is recorded by making the reply tuple differ from the inverted
 * original (DNAT changes the reply's source, SNAT the reply's destination), exactly as
 * nf_conntrack does; later packets of the connection are translated from the entry without
 * evaluating NAT rules again.
 */

export interface Tuple {
  readonly proto: string; // tcp | udp | icmp | sctp | ipip | number as text
  readonly src: Ipv4Addr;
  readonly dst: Ipv4Addr;
  readonly sport: number;
  readonly dport: number;
}

export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED';

export interface CtEntry {
  readonly orig: Tuple;
  readonly reply: Tuple;
  /** Seen a packet in the reply direction. */
  readonly seenReply: boolean;
  readonly mark: number;
  /** The connection was created in this walk step order (for stable `conntrack -L` output). */
  readonly seq: number;
}

export type CtTable = ReadonlyMap<string, CtEntry>;

export function tupleKey(t: Tuple): string {
  return `${t.proto}|${t.src}|${t.dst}|${t.sport}|${t.dport}`;
}

export function tupleOf(p: Ipv4Packet): Tuple {
  const { sport, dport } = flowPorts(p);
  const proto = p.l4.proto;
  if (proto === 'icmp' && p.l4.icmpType === ICMP_ECHO_REPLY) {
    // an echo reply belongs to the echo request's connection: same id on both sides.
    return { proto, src: p.src, dst: p.dst, sport, dport };
  }
  return { proto, src: p.src, dst: p.dst, sport, dport };
}

export function invert(t: Tuple): Tuple {
  return { proto: t.proto, src: t.dst, dst: t.src, sport: t.dport, dport: t.sport };
}

export type CtLookup =
  | { readonly found: false }
  | { readonly found: true; readonly entry: CtEntry; readonly dir: 'original' | 'reply' };

export function ctLookup(table: CtTable, t: Tuple): CtLookup {
  const e = table.get(tupleKey(t));
  if (e === undefined) return { found: false };
  return { found: true, entry: e, dir: tupleKey(e.orig) === tupleKey(t) ? 'original' : 'reply' };
}

/** Inserts (confirms) an entry under both of its tuples. */
export function ctConfirm(table: Map<string, CtEntry>, e: CtEntry): void {
  table.set(tupleKey(e.orig), e);
  table.set(tupleKey(e.reply), e);
}

export function hasDnat(e: CtEntry): boolean {
  return e.reply.src !== e.orig.dst || e.reply.sport !== e.orig.dport;
}
export function hasSnat(e: CtEntry): boolean {
  return e.reply.dst !== e.orig.src || e.reply.dport !== e.orig.sport;
}

/** Distinct entries in creation order. */
export function ctEntries(table: CtTable): CtEntry[] {
  return [...new Set(table.values())].sort((a, b) => a.seq - b.seq);
}

/** nf_conntrack default timeouts by protocol (TCP by state). */
const TIMEOUTS: Record<string, number> = { udp: 30, icmp: 30, sctp: 10 };
const TCP_TIMEOUTS: Record<string, number> = { SYN_SENT: 120, SYN_RECV: 60, ESTABLISHED: 432000 };
const PROTO_NUM: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, sctp: 132, ipip: 4 };

/** `conntrack -L` line for an entry. */
export function formatCtEntry(e: CtEntry): string {
  const p = e.orig.proto;
  const num = PROTO_NUM[p] ?? Number(p);
  const tuple = (t: Tuple): string =>
    p === 'icmp'
      ? `src=${formatIpv4(t.src)} dst=${formatIpv4(t.dst)} type=${t === e.orig ? ICMP_ECHO_REQUEST : ICMP_ECHO_REPLY} code=0 id=${t.sport}`
      : `src=${formatIpv4(t.src)} dst=${formatIpv4(t.dst)} sport=${t.sport} dport=${t.dport}`;
  const tcpState = e.seenReply ? 'SYN_RECV' : 'SYN_SENT';
  // conntrack -L shows the seconds left, one less than the timeout right after the packet
  const timeout = (p === 'tcp' ? TCP_TIMEOUTS[tcpState] : TIMEOUTS[p]) ?? 600;
  const parts = [p.padEnd(8, ' '), String(num), String(timeout - 1)];
  if (p === 'tcp') parts.push(tcpState);
  parts.push(tuple(e.orig));
  if (!e.seenReply) parts.push('[UNREPLIED]');
  parts.push(tuple(e.reply));
  parts.push(`mark=${e.mark}`, 'use=1');
  return parts.join(' ');
}
