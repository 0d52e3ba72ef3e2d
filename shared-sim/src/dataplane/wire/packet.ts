import { formatIpv4, type Ipv4Addr } from '../addr/ipv4';
import type { MacAddr } from '../addr/mac';

/**
 * Packets as parsed representations (smoltcp's `Repr`): what each header says, and the sizes
 * Linux puts on the wire. Byte views exist only at the export edges.
 */

export const IPPROTO = { icmp: 1, ipip: 4, tcp: 6, udp: 17, sctp: 132 } as const;
export type IpProtoName = keyof typeof IPPROTO;

export const ETH_HLEN = 14;
export const IPV4_HLEN = 20;
export const UDP_HLEN = 8;
export const VXLAN_HLEN = 8;
export const ICMP_HLEN = 8;
export const SCTP_HLEN = 12;
/** Linux's SYN and SYN-ACK carry MSS, SACK-permitted, timestamps and window scale: 20 bytes of options. */
export const TCP_SYN_OPTIONS = 20;
export const TCP_HLEN = 20;
/** VXLAN over IPv4 costs 50 bytes of the underlay MTU (outer IPv4 + UDP + VXLAN + inner Ethernet). */
export const VXLAN_OVERHEAD = IPV4_HLEN + UDP_HLEN + VXLAN_HLEN + ETH_HLEN;

export interface TcpRepr {
  readonly proto: 'tcp';
  readonly sport: number;
  readonly dport: number;
  /** tcpdump-style flag letters: S, S., R., P., F. … ("S." is SYN-ACK). */
  readonly flags: string;
  readonly optionsLen: number;
  readonly payloadLen: number;
}
export interface UdpRepr {
  readonly proto: 'udp';
  readonly sport: number;
  readonly dport: number;
  readonly payloadLen: number;
  /** A VXLAN-encapsulated frame carried in this datagram. */
  readonly vxlan?: { readonly vni: number; readonly frame: EthFrame };
}
export interface SctpRepr {
  readonly proto: 'sctp';
  readonly sport: number;
  readonly dport: number;
  /** Chunk type of the first chunk (INIT, INIT_ACK, ABORT, DATA). */
  readonly chunk: string;
  readonly payloadLen: number;
}
export interface IcmpRepr {
  readonly proto: 'icmp';
  readonly icmpType: number;
  readonly code: number;
  /** Echo identifier (used as the "port" of an ICMP flow by conntrack). */
  readonly id: number;
  readonly seq: number;
  readonly payloadLen: number;
  /** ICMP errors quote the offending packet. */
  readonly quoted?: Ipv4Packet;
  /** Next-hop MTU of a "fragmentation needed" error. */
  readonly mtu?: number;
}
export interface IpipRepr {
  readonly proto: 'ipip';
  readonly inner: Ipv4Packet;
}
export type L4Repr = TcpRepr | UdpRepr | SctpRepr | IcmpRepr | IpipRepr;

export interface Ipv4Packet {
  readonly src: Ipv4Addr;
  readonly dst: Ipv4Addr;
  readonly ttl: number;
  readonly df: boolean;
  readonly l4: L4Repr;
  /**
   * Set while the datagram travels as IP fragments: how many, and the total length of the first
   * (the one carrying the transport header, which the walk follows). Reassembly clears it.
   */
  readonly frag?: { readonly count: number; readonly firstLen: number };
}

export interface EthFrame {
  readonly src: MacAddr;
  readonly dst: MacAddr;
  readonly ip: Ipv4Packet;
}

export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMP_NET_UNREACH = 0;
export const ICMP_HOST_UNREACH = 1;
export const ICMP_PORT_UNREACH = 3;
export const ICMP_FRAG_NEEDED = 4;
export const ICMP_PKT_FILTERED = 13;

export function l4Length(l4: L4Repr): number {
  switch (l4.proto) {
    case 'tcp':
      return TCP_HLEN + l4.optionsLen + l4.payloadLen;
    case 'udp':
      return UDP_HLEN + (l4.vxlan ? VXLAN_HLEN + ETH_HLEN + ipLength(l4.vxlan.frame.ip) : l4.payloadLen);
    case 'sctp':
      return SCTP_HLEN + l4.payloadLen;
    case 'icmp':
      return ICMP_HLEN + (l4.quoted ? Math.min(ipLength(l4.quoted), ICMP_QUOTE_MAX) : l4.payloadLen);
    case 'ipip':
      return ipLength(l4.inner);
  }
}

/** Linux quotes as much of the offending packet as fits in 576 bytes (icmp_send). */
export const ICMP_QUOTE_MAX = 576 - IPV4_HLEN - ICMP_HLEN;

/** IPv4 total length (header + payload). */
export function ipLength(p: Ipv4Packet): number {
  return p.frag ? p.frag.firstLen : datagramLength(p);
}

/** IPv4 total length of the whole (unfragmented) datagram. */
export function datagramLength(p: Ipv4Packet): number {
  return IPV4_HLEN + l4Length(p.l4);
}

/**
 * ip_fragment: the first fragment carries as much as fits in the MTU, in multiples of 8 bytes.
 * Returns the fragmented packet, or the packet itself when it fits.
 */
export function fragmentFor(p: Ipv4Packet, mtu: number): Ipv4Packet {
  const whole = datagramLength(p);
  if (whole <= mtu) return p;
  const per = Math.floor((mtu - IPV4_HLEN) / 8) * 8;
  const payload = whole - IPV4_HLEN;
  return { ...p, df: false, frag: { count: Math.ceil(payload / per), firstLen: IPV4_HLEN + per } };
}

export function frameLength(f: EthFrame): number {
  return ETH_HLEN + ipLength(f.ip);
}

/** One header of the stack shown in a trace (CONTRACT.md §3 layer types). */
export type Layer =
  | { readonly type: 'eth'; readonly src: string; readonly dst: string }
  | {
      readonly type: 'ipv4';
      readonly src: string;
      readonly dst: string;
      readonly ttl: number;
      readonly protocol: string;
      readonly df: boolean;
      readonly length: number;
      /** The first of this many fragments (MF set), when the datagram is fragmented. */
      readonly fragments?: number;
    }
  | { readonly type: 'udp'; readonly src: number; readonly dst: number; readonly length: number }
  | { readonly type: 'tcp'; readonly src: number; readonly dst: number; readonly flags: string }
  | { readonly type: 'sctp'; readonly src: number; readonly dst: number; readonly chunk: string }
  | {
      readonly type: 'icmp';
      readonly icmpType: number;
      readonly code: number;
      readonly id?: number;
      readonly seq?: number;
      readonly mtu?: number;
    }
  | { readonly type: 'vxlan'; readonly vni: number }
  | { readonly type: 'payload'; readonly length: number };

export function protocolName(l4: L4Repr): string {
  return l4.proto;
}

/** The header stack of an IP packet, outermost first. */
export function ipLayers(p: Ipv4Packet): Layer[] {
  const out: Layer[] = [
    {
      type: 'ipv4',
      src: formatIpv4(p.src),
      dst: formatIpv4(p.dst),
      ttl: p.ttl,
      protocol: protocolName(p.l4),
      df: p.df,
      length: ipLength(p),
      ...(p.frag ? { fragments: p.frag.count } : {}),
    },
  ];
  const l4 = p.l4;
  switch (l4.proto) {
    case 'tcp':
      out.push({ type: 'tcp', src: l4.sport, dst: l4.dport, flags: l4.flags });
      break;
    case 'udp':
      out.push({ type: 'udp', src: l4.sport, dst: l4.dport, length: l4Length(l4) });
      if (l4.vxlan) out.push({ type: 'vxlan', vni: l4.vxlan.vni }, ...frameLayers(l4.vxlan.frame));
      break;
    case 'sctp':
      out.push({ type: 'sctp', src: l4.sport, dst: l4.dport, chunk: l4.chunk });
      break;
    case 'icmp': {
      const echo = l4.icmpType === ICMP_ECHO_REQUEST || l4.icmpType === ICMP_ECHO_REPLY;
      out.push({
        type: 'icmp',
        icmpType: l4.icmpType,
        code: l4.code,
        ...(echo ? { id: l4.id, seq: l4.seq } : {}),
        ...(l4.mtu !== undefined ? { mtu: l4.mtu } : {}),
      });
      if (l4.quoted) out.push(...ipLayers(l4.quoted).slice(0, 2));
      break;
    }
    case 'ipip':
      out.push(...ipLayers(l4.inner));
      break;
  }
  return out;
}

export function frameLayers(f: EthFrame): Layer[] {
  return [{ type: 'eth', src: f.src, dst: f.dst }, ...ipLayers(f.ip)];
}

/** A one-line tcpdump-like summary of a packet. */
export function summary(p: Ipv4Packet): string {
  const s = formatIpv4(p.src);
  const d = formatIpv4(p.dst);
  const l4 = p.l4;
  switch (l4.proto) {
    case 'tcp':
      return `${s}.${l4.sport} > ${d}.${l4.dport}: Flags [${l4.flags}], length ${l4.payloadLen}`;
    case 'udp':
      return l4.vxlan
        ? `${s}.${l4.sport} > ${d}.${l4.dport}: VXLAN, flags [I] (0x08), vni ${l4.vxlan.vni}: ${summary(l4.vxlan.frame.ip)}`
        : `${s}.${l4.sport} > ${d}.${l4.dport}: UDP, length ${l4.payloadLen}`;
    case 'sctp':
      return `${s}.${l4.sport} > ${d}.${l4.dport}: sctp [${l4.chunk}]`;
    case 'icmp':
      return `${s} > ${d}: ${icmpText(l4, p)}`;
    case 'ipip':
      return `${s} > ${d}: ${summary(l4.inner)}`;
  }
}

export function icmpText(l4: IcmpRepr, p?: Ipv4Packet): string {
  if (l4.icmpType === ICMP_ECHO_REQUEST)
    return `ICMP echo request, id ${l4.id}, seq ${l4.seq}, length ${ICMP_HLEN + l4.payloadLen}`;
  if (l4.icmpType === ICMP_ECHO_REPLY)
    return `ICMP echo reply, id ${l4.id}, seq ${l4.seq}, length ${ICMP_HLEN + l4.payloadLen}`;
  if (l4.icmpType === ICMP_TIME_EXCEEDED) return 'ICMP time exceeded in-transit';
  if (l4.icmpType === ICMP_DEST_UNREACH) {
    const q = l4.quoted;
    const qd = q ? formatIpv4(q.dst) : p ? formatIpv4(p.dst) : '';
    switch (l4.code) {
      case ICMP_NET_UNREACH:
        return `ICMP net ${qd} unreachable`;
      case ICMP_HOST_UNREACH:
        return `ICMP host ${qd} unreachable`;
      case ICMP_PORT_UNREACH:
        return q && q.l4.proto !== 'ipip' && q.l4.proto !== 'icmp'
          ? `ICMP ${qd} ${q.l4.proto} port ${q.l4.dport} unreachable`
          : `ICMP ${qd} port unreachable`;
      case ICMP_FRAG_NEEDED:
        return `ICMP ${qd} unreachable - need to frag (mtu ${l4.mtu ?? 0})`;
      case ICMP_PKT_FILTERED:
        return `ICMP host ${qd} unreachable - admin prohibited filter`;
      default:
        return `ICMP ${qd} unreachable, code ${l4.code}`;
    }
  }
  return `ICMP type ${l4.icmpType}, code ${l4.code}`;
}

/** Source and destination ports of a flow (ICMP echo uses its id for both, like conntrack). */
export function flowPorts(p: Ipv4Packet): { sport: number; dport: number } {
  const l4 = p.l4;
  if (l4.proto === 'tcp' || l4.proto === 'udp' || l4.proto === 'sctp')
    return { sport: l4.sport, dport: l4.dport };
  if (l4.proto === 'icmp') return { sport: l4.id, dport: l4.id };
  return { sport: 0, dport: 0 };
}
