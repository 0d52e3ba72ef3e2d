import { hash32 } from '../../core/hash';
import { formatIpv4, type Ipv4Addr } from '../addr/ipv4';
import { BROADCAST_MAC, type MacAddr } from '../addr/mac';
import { brFdbLookup, formatFdb, vxlanFdbLookup } from '../bridge/fdb';
import {
  ctConfirm,
  ctLookup,
  formatCtEntry,
  hasDnat,
  hasSnat,
  invert,
  tupleKey,
  tupleOf,
  type CtEntry,
  type CtState,
  type CtTable,
} from '../conntrack/table';
import { formatNeigh, neighLookup } from '../neigh/neighTable';
import type { Link } from '../netns/netns';
import {
  formatRealServer,
  formatVirtualServer,
  rsKey,
  vsKey,
  type IpvsRealServer,
  type IpvsVirtualServer,
} from '../netfilter/ipvs';
import { ipvsSchedule } from '../netfilter/ipvsSched';
import { formatRule, type Rule, type Table } from '../netfilter/rule';
import {
  chainOf,
  HOOK_TABLES,
  nfRunChain,
  type Hook,
  type NfContext,
  type NfVerdict,
} from '../netfilter/tables';
import { nftBaseChains, nftRunBaseChain, type NftBaseChainRef } from '../netfilter/nftEval';
import type { NftHook } from '../netfilter/nft';
import { fibLookup, formatRoute, type Route } from '../route/fib';
import {
  frameLayers,
  ICMP_DEST_UNREACH,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  ICMP_FRAG_NEEDED,
  ICMP_NET_UNREACH,
  ICMP_PORT_UNREACH,
  ICMP_TIME_EXCEEDED,
  icmpText,
  ipLayers,
  datagramLength,
  fragmentFor,
  ipLength,
  TCP_SYN_OPTIONS,
  type EthFrame,
  type Ipv4Packet,
  type Layer,
} from '../wire/packet';
import { addrTypeOn, hostOwns, linkByName, segmentIndex, selectSrc, type Fabric, type Host } from './host';
import type { Hop, PacketTrace, Stage, Trace, Verdict, WireCapture } from './trace';
import type { PolicyHopInfo } from './policyHook';

/** What to send: CONTRACT.md §3 `podpath trace` after its arguments are resolved. */
export interface Probe {
  readonly from: string;
  readonly dst: Ipv4Addr;
  readonly proto: 'icmp' | 'tcp' | 'udp' | 'sctp';
  /** Destination port (ignored for ICMP). */
  readonly dport: number;
  /** Payload bytes after the transport header (`ping -s`). */
  readonly size: number;
  /** `ping -M`: want (Linux default: DF set, fragment locally if too big), do, dont. */
  readonly pmtudisc: 'want' | 'do' | 'dont';
  readonly ttl?: number;
  /** Source port (TCP/UDP/SCTP) or ICMP id; by default derived from the flow, as an ephemeral port. */
  readonly sport?: number;
}

export type ConntrackState = ReadonlyMap<string, CtTable>;
/** xt_recent lists per host: list name → addresses recorded with `--set` (session affinity). */
export type RecentState = ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<number>>>;

/**
 * IPVS state per host: `conn|<virtual server>|<flow>` → real server `ip:port` (the IPVS connection
 * table) and `persist|<virtual server>|<client ip>` → real server (persistence templates).
 */
export type IpvsState = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** What the kernels remember between packets: conntrack tables, xt_recent lists and IPVS connections, per host. */
export interface KernelState {
  readonly conntrack?: ConntrackState;
  readonly recent?: RecentState;
  readonly ipvs?: IpvsState;
}

export interface WalkResult {
  readonly trace: Trace;
  readonly conntrack: ConntrackState;
  readonly recent: RecentState;
  readonly ipvs: IpvsState;
}

/** Ephemeral ports Linux hands out (net.ipv4.ip_local_port_range = 32768 60999). */
export const LOCAL_PORT_MIN = 32768;
export const LOCAL_PORT_MAX = 60999;

/** A port in [min, max) from a hash, the way udp_flow_src_port and the port allocator spread them. */
export function portFromHash(h: number, min = LOCAL_PORT_MIN, max = LOCAL_PORT_MAX): number {
  const x = (h ^ (h << 16)) >>> 0;
  return Math.floor((x * (max - min)) / 4294967296) + min;
}

const MAX_STEPS = 400;

class WalkError extends Error {
  constructor(
    readonly verdict: Verdict,
    readonly reason: string,
  ) {
    super(reason);
  }
}

type Delivery = {
  readonly host: Host;
  readonly pkt: Ipv4Packet;
  readonly kind: 'socket' | 'echo' | 'reply' | 'refused';
};

/** The state of one packet's journey: what it recorded and the conntrack tables it changed. */
class Journey {
  readonly hops: Hop[] = [];
  readonly wire: WireCapture[] = [];
  steps = 0;
  verdict: Verdict = 'dropped';
  reason = '';
  deliveredTo: string | null = null;
  /** What the final host does with a delivered packet. */
  delivery?: Delivery;

  constructor(
    readonly fabric: Fabric,
    readonly ct: Map<string, Map<string, CtEntry>>,
    /** Return true when a packet delivered to this host is the one we were waiting for. */
    readonly isAwaited: (h: Host, p: Ipv4Packet) => boolean,
    private seq: { n: number },
    readonly recent: Map<string, Map<string, Set<number>>>,
    readonly ipvs: Map<string, Map<string, string>> = new Map(),
  ) {}

  ipvsOf(h: Host): Map<string, string> {
    let m = this.ipvs.get(h.id);
    if (!m) this.ipvs.set(h.id, (m = new Map<string, string>()));
    return m;
  }

  recentOf(h: Host): { has(list: string, addr: number): boolean; set(list: string, addr: number): void } {
    const lists = this.recent;
    return {
      has: (list, addr) => lists.get(h.id)?.get(list)?.has(addr) ?? false,
      set: (list, addr) => {
        let byList = lists.get(h.id);
        if (!byList) lists.set(h.id, (byList = new Map<string, Set<number>>()));
        let set = byList.get(list);
        if (!set) byList.set(list, (set = new Set<number>()));
        set.add(addr);
      },
    };
  }

  nextSeq(): number {
    return ++this.seq.n;
  }

  hop(
    host: Host,
    stage: Stage,
    detail: string,
    layers: readonly Layer[],
    iface?: string,
    rule?: string,
    policy?: PolicyHopInfo,
  ): void {
    if (++this.steps > MAX_STEPS)
      throw new WalkError(
        'dropped',
        `the packet was still moving after ${MAX_STEPS} steps: a forwarding loop`,
      );
    this.hops.push({
      host: host.id,
      ...(iface !== undefined ? { iface } : {}),
      stage,
      detail,
      ...(rule !== undefined ? { rule } : {}),
      ...(policy !== undefined ? { policy } : {}),
      layers,
    });
  }

  table(h: Host): Map<string, CtEntry> {
    let t = this.ct.get(h.id);
    if (!t) {
      t = new Map();
      this.ct.set(h.id, t);
    }
    return t;
  }

  host(id: string): Host {
    const h = this.fabric.hosts.get(id);
    if (!h) throw new Error(`no host ${id}`);
    return h;
  }

  result(): PacketTrace {
    return {
      verdict: this.verdict,
      reason: this.reason,
      deliveredTo: this.deliveredTo,
      hops: this.hops,
      wire: this.wire,
    };
  }
}

/** Per-host traversal state: the packet's mark and its conntrack entry while it crosses one host. */
interface Pass {
  mark: number;
  /** IPVS already rewrote the destination on this host (its NAT binding is set: no nat OUTPUT rules). */
  ipvsDnat?: boolean;
  /** The connection this packet belongs to, as seen at this host. */
  ct?: { entry: CtEntry; dir: 'original' | 'reply'; state: CtState; confirmed: boolean };
}

// ---------------------------------------------------------------------------------------------
// entry points
// ---------------------------------------------------------------------------------------------

/** Builds the first packet of a probe as the source host's socket layer would. */
export function probePacket(src: Ipv4Addr, probe: Probe, host: string): Ipv4Packet {
  const flow = hash32(`${host}|${formatIpv4(probe.dst)}|${probe.proto}|${probe.dport}`);
  const sport = probe.sport ?? portFromHash(flow);
  const ttl = probe.ttl ?? 64;
  const df = probe.pmtudisc !== 'dont';
  switch (probe.proto) {
    case 'icmp':
      return {
        src,
        dst: probe.dst,
        ttl,
        df,
        l4: {
          proto: 'icmp',
          icmpType: ICMP_ECHO_REQUEST,
          code: 0,
          id: probe.sport ?? (flow >>> 16) & 0xffff,
          seq: 1,
          payloadLen: probe.size,
        },
      };
    case 'tcp':
      return {
        src,
        dst: probe.dst,
        ttl,
        df,
        l4: {
          proto: 'tcp',
          sport,
          dport: probe.dport,
          flags: 'S',
          optionsLen: TCP_SYN_OPTIONS,
          payloadLen: probe.size,
        },
      };
    case 'udp':
      return {
        src,
        dst: probe.dst,
        ttl,
        df,
        l4: { proto: 'udp', sport, dport: probe.dport, payloadLen: probe.size },
      };
    case 'sctp':
      return {
        src,
        dst: probe.dst,
        ttl,
        df,
        l4: { proto: 'sctp', sport, dport: probe.dport, chunk: 'INIT', payloadLen: 20 + probe.size },
      };
  }
}

/**
 * Walks one probe from its source host to wherever it ends, and — when the destination answers —
 * walks the answer back. Pure: the fabric is not changed; conntrack state goes in and comes out.
 */
export function walk(fabric: Fabric, probe: Probe, state: KernelState = {}): WalkResult {
  const conntrack = state.conntrack ?? new Map<string, CtTable>();
  const recent = new Map<string, Map<string, Set<number>>>();
  for (const [h, lists] of state.recent ?? [])
    recent.set(h, new Map([...lists].map(([k, v]) => [k, new Set(v)])));
  const ct = new Map<string, Map<string, CtEntry>>();
  for (const [k, v] of conntrack) ct.set(k, new Map(v));
  const ipvs = new Map<string, Map<string, string>>();
  for (const [k, v] of state.ipvs ?? []) ipvs.set(k, new Map(v));
  const seq = {
    n: Math.max(0, ...[...conntrack.values()].flatMap((t) => [...t.values()].map((e) => e.seq))),
  };
  const src = fabric.hosts.get(probe.from);
  if (!src) throw new Error(`no host ${probe.from}`);

  const req = new Journey(fabric, ct, () => false, seq, recent, ipvs);
  let first: Ipv4Packet | undefined;
  run(req, () => {
    const r = outputRoute(req, src, probe.dst, undefined);
    const srcAddr = r.src;
    first = probePacket(srcAddr, probe, src.id);
    localOut(req, src, first, probe.pmtudisc, r);
  });
  const trace: { -readonly [K in keyof Trace]: Trace[K] } = req.result();

  const d = req.delivery;
  if (d && first && d.kind !== 'reply') {
    const answer = answerOf(d);
    if (answer) {
      const origin = first;
      const back = new Journey(
        fabric,
        ct,
        (h, p) => h.id === src.id && answers(p, origin),
        seq,
        recent,
        ipvs,
      );
      run(back, () => {
        back.hop(d.host, 'tx', `${d.host.id} answers: ${describe(answer)}`, ipLayers(answer));
        const r = outputRoute(back, d.host, answer.dst, answer.src);
        localOut(back, d.host, answer, 'want', r);
      });
      trace.reply = back.result();
    }
  }
  const out = new Map<string, CtTable>();
  for (const [k, v] of ct) if (v.size) out.set(k, v);
  return { trace, conntrack: out, recent, ipvs };
}

function run(j: Journey, f: () => void): void {
  try {
    f();
    if (j.reason === '') {
      j.verdict = 'dropped';
      j.reason = 'the packet went nowhere';
    }
  } catch (e) {
    if (e instanceof WalkError) {
      j.verdict = e.verdict;
      j.reason = e.reason;
      j.deliveredTo = null;
    } else throw e;
  }
}

function describe(p: Ipv4Packet): string {
  const l4 = p.l4;
  const s = formatIpv4(p.src);
  const d = formatIpv4(p.dst);
  switch (l4.proto) {
    case 'icmp':
      return `${icmpText(l4, p)} ${s} → ${d}`;
    case 'tcp':
      return `TCP [${l4.flags}] ${s}:${l4.sport} → ${d}:${l4.dport}`;
    case 'udp':
      return `UDP ${s}:${l4.sport} → ${d}:${l4.dport}`;
    case 'sctp':
      return `SCTP ${l4.chunk} ${s}:${l4.sport} → ${d}:${l4.dport}`;
    case 'ipip':
      return `IPIP ${s} → ${d}`;
  }
}

/**
 * Whether `p` is the answer the sending socket waits for: from the address and port it sent to
 * (so an un-NATed reply counts, and a reply that skipped the translation does not), or an ICMP
 * error quoting what it sent.
 */
function answers(p: Ipv4Packet, sent: Ipv4Packet): boolean {
  if (p.dst !== sent.src) return false;
  const l4 = p.l4;
  if (l4.proto === 'icmp' && l4.quoted) {
    const q = l4.quoted;
    return q.src === sent.src && q.dst === sent.dst && portsOf(q).sport === portsOf(sent).sport;
  }
  if (p.src !== sent.dst) return false;
  const a = portsOf(p);
  const b = portsOf(sent);
  return l4.proto === 'icmp' ? a.sport === b.sport : a.sport === b.dport && a.dport === b.sport;
}

/** What the destination sends back for a delivered packet. */
function answerOf(d: Delivery): Ipv4Packet | undefined {
  const p = d.pkt;
  const l4 = p.l4;
  const base = { src: p.dst, dst: p.src, ttl: 64, df: true };
  if (d.kind === 'echo' && l4.proto === 'icmp') {
    return { ...base, df: false, l4: { ...l4, icmpType: ICMP_ECHO_REPLY } };
  }
  if (d.kind === 'socket') {
    if (l4.proto === 'tcp')
      return {
        ...base,
        l4: {
          proto: 'tcp',
          sport: l4.dport,
          dport: l4.sport,
          flags: 'S.',
          optionsLen: TCP_SYN_OPTIONS,
          payloadLen: 0,
        },
      };
    if (l4.proto === 'udp')
      return { ...base, l4: { proto: 'udp', sport: l4.dport, dport: l4.sport, payloadLen: l4.payloadLen } };
    if (l4.proto === 'sctp')
      return {
        ...base,
        l4: { proto: 'sctp', sport: l4.dport, dport: l4.sport, chunk: 'INIT_ACK', payloadLen: l4.payloadLen },
      };
  }
  if (d.kind === 'refused') {
    if (l4.proto === 'tcp')
      return {
        ...base,
        l4: { proto: 'tcp', sport: l4.dport, dport: l4.sport, flags: 'R.', optionsLen: 0, payloadLen: 0 },
      };
    if (l4.proto === 'sctp')
      return {
        ...base,
        l4: { proto: 'sctp', sport: l4.dport, dport: l4.sport, chunk: 'ABORT', payloadLen: 4 },
      };
    return icmpError(p, p.dst, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH);
  }
  return undefined;
}

function icmpError(orig: Ipv4Packet, from: Ipv4Addr, type: number, code: number, mtu?: number): Ipv4Packet {
  return {
    src: from,
    dst: orig.src,
    ttl: 64,
    df: false,
    l4: {
      proto: 'icmp',
      icmpType: type,
      code,
      id: 0,
      seq: 0,
      payloadLen: 0,
      quoted: orig,
      ...(mtu !== undefined ? { mtu } : {}),
    },
  };
}

/**
 * The inner packet's flow hash, as the VXLAN driver's udp_flow_src_port sees it: the flow
 * dissector hashes addresses (and ports) in a canonical order, so ICMP and unconnected UDP get
 * the same value in both directions; a TCP socket's packets carry the socket's own random txhash,
 * different per connection and per direction. Linux seeds these per boot; Podpath derives them.
 */
export function skbFlowHash(p: Ipv4Packet): number {
  const { sport, dport } = portsOf(p);
  if (p.l4.proto === 'tcp') return hash32(`txhash|${tupleKey(tupleOf(p))}`);
  const a = `${p.src}:${p.l4.proto === 'icmp' ? 0 : sport}`;
  const b = `${p.dst}:${p.l4.proto === 'icmp' ? 0 : dport}`;
  return hash32(`flow|${p.l4.proto}|${a < b ? `${a}|${b}` : `${b}|${a}`}`);
}

// ---------------------------------------------------------------------------------------------
// routing
// ---------------------------------------------------------------------------------------------

interface RouteDecision {
  readonly route: Route;
  /** Where the packet leaves: a device, or local delivery. */
  readonly local: boolean;
  readonly dev: string;
  readonly nexthop: Ipv4Addr;
  readonly src: Ipv4Addr;
}

function routeLookup(h: Host, dst: Ipv4Addr): Route | undefined {
  if (hostOwns(h, dst)) {
    const local = fibLookup(h.routes, dst, 'local');
    return (
      local ?? {
        table: 'local',
        type: 'local',
        dst: { addr: dst, len: 32 },
        dev: 'lo',
        proto: 'kernel',
        scope: 'host',
        src: dst,
      }
    );
  }
  return fibLookup(h.routes, dst, 'main');
}

/** ip_route_output: the route, device, next hop and source address for a locally generated packet. */
function outputRoute(j: Journey, h: Host, dst: Ipv4Addr, src: Ipv4Addr | undefined): RouteDecision {
  const r = routeLookup(h, dst);
  const layers: Layer[] = [{ type: 'payload', length: 0 }];
  if (!r) {
    j.hop(
      h,
      'route',
      `output route lookup for ${formatIpv4(dst)}: no route (connect: Network is unreachable)`,
      layers,
    );
    throw new WalkError(
      'no-route',
      `${h.id} has no route to ${formatIpv4(dst)}: connect: Network is unreachable`,
    );
  }
  if (r.type === 'blackhole' || r.type === 'unreachable' || r.type === 'prohibit') {
    j.hop(
      h,
      'route',
      `output route lookup for ${formatIpv4(dst)} hits a ${r.type} route`,
      layers,
      undefined,
      formatRoute(r),
    );
    throw new WalkError(
      'no-route',
      `${h.id} routes ${formatIpv4(dst)} to a ${r.type} route (${formatRoute(r)})`,
    );
  }
  const local = r.type === 'local';
  const dev = local ? 'lo' : (r.dev ?? '');
  const nexthop = r.via ?? dst;
  const s = src ?? r.src ?? (local ? dst : selectSrc(h, dev, nexthop));
  if (s === undefined) throw new WalkError('no-route', `${h.id} has no address to send from on ${dev}`);
  return { route: r, local, dev, nexthop, src: s };
}

// ---------------------------------------------------------------------------------------------
// netfilter + conntrack around one hook
// ---------------------------------------------------------------------------------------------

interface HookArgs {
  readonly inIface?: string;
  readonly outIface?: string;
  readonly physIn?: string;
  readonly physOut?: string;
  readonly bridged?: boolean;
}

/** nf_conntrack_in: find or create the packet's connection at the first hook a host runs. */
function ctIn(j: Journey, h: Host, p: Ipv4Packet, pass: Pass): void {
  if (pass.ct || !tracksConnections(h)) return;
  const table = j.table(h);
  const t = tupleOf(p);
  const look = ctLookup(table, t);
  if (look.found) {
    // resolve_normal_ct: NEW in the original direction until a reply has been seen
    const state: CtState = look.dir === 'original' && !look.entry.seenReply ? 'NEW' : 'ESTABLISHED';
    pass.ct = { entry: look.entry, dir: look.dir, state, confirmed: true };
    if (look.dir === 'reply' && !look.entry.seenReply) {
      const e = { ...look.entry, seenReply: true };
      ctConfirm(table, e);
      pass.ct.entry = e;
    }
    return;
  }
  // ICMP errors about a tracked connection are RELATED to it.
  if (p.l4.proto === 'icmp' && p.l4.quoted) {
    // icmp_error_message: the quoted packet, inverted, is a tuple of the connection; the error
    // travels in that tuple's direction (IP_CT_RELATED or IP_CT_RELATED_REPLY)
    const hit = ctLookup(table, invert(tupleOf(p.l4.quoted)));
    if (hit.found) {
      pass.ct = { entry: hit.entry, dir: hit.dir, state: 'RELATED', confirmed: true };
      return;
    }
  }
  const replyTuple = invert(t);
  pass.ct = {
    entry: { orig: t, reply: replyTuple, seenReply: false, mark: 0, seq: j.nextSeq() },
    dir: 'original',
    state: 'NEW',
    confirmed: false,
  };
}

const tracking = new WeakMap<Host, boolean>();
/** A namespace tracks connections once a rule set (or br_netfilter on a bridge) hooks conntrack in; a bare pod does not. */
function tracksConnections(h: Host): boolean {
  let t = tracking.get(h);
  if (t === undefined) {
    t =
      (['raw', 'mangle', 'nat', 'filter'] as const).some((name) =>
        h.netfilter[name].chains.some((c) => c.rules.length > 0 || c.policy === 'DROP'),
      ) ||
      (h.nftables?.tables.length ?? 0) > 0 ||
      h.ipvs !== undefined;
    tracking.set(h, t);
  }
  return t;
}

function ctxOf(j: Journey, h: Host, p: Ipv4Packet, pass: Pass, a: HookArgs): NfContext {
  const e = pass.ct?.entry;
  return {
    pkt: p,
    ...(a.inIface !== undefined ? { inIface: a.inIface } : {}),
    ...(a.outIface !== undefined ? { outIface: a.outIface } : {}),
    ...(a.physIn !== undefined ? { physIn: a.physIn } : {}),
    ...(a.physOut !== undefined ? { physOut: a.physOut } : {}),
    mark: pass.mark,
    ctstate: pass.ct?.state ?? 'NEW',
    ctDnat: e ? hasDnat(e) : false,
    ctSnat: e ? hasSnat(e) : false,
    addrType: (x) => addrTypeOn(h, x),
    flowKey: e ? tupleKey(e.orig) : tupleKey(tupleOf(p)),
    recent: j.recentOf(h),
    ...(h.ipsets !== undefined ? { ipsets: (name: string) => h.ipsets?.get(name) } : {}),
  };
}

/**
 * Runs every table registered at `hook` over the packet (in priority order), applying NAT — from
 * the rules for a NEW connection, from the conntrack entry otherwise — and returns the packet as
 * it leaves the hook. Throws a WalkError when a rule drops or rejects it.
 */
/** iptables' tables at their hook priorities (NF_IP_PRI_*): raw -300, mangle -150, DNAT -100, filter 0, SNAT 100. */
function iptablesPriority(table: Table, hook: Hook): number {
  if (table === 'raw') return -300;
  if (table === 'mangle') return -150;
  if (table === 'filter') return 0;
  return hook === 'PREROUTING' || hook === 'OUTPUT' ? -100 : 100;
}

type HookStep =
  { readonly kind: 'ipt'; readonly table: Table } | { readonly kind: 'nft'; readonly ref: NftBaseChainRef };

/** Everything registered at a hook — iptables tables and nftables base chains — in priority order (iptables first on a tie). */
function hookSteps(h: Host, hook: Hook, only?: readonly Table[]): HookStep[] {
  const steps: { prio: number; step: HookStep }[] = HOOK_TABLES[hook]
    .filter((t) => only === undefined || only.includes(t))
    .map((table) => ({ prio: iptablesPriority(table, hook), step: { kind: 'ipt', table } }));
  if (h.nftables && only === undefined) {
    for (const ref of nftBaseChains(h.nftables, hook.toLowerCase() as NftHook))
      steps.push({ prio: ref.priority, step: { kind: 'nft', ref } });
  }
  return steps
    .map((s, i) => ({ ...s, i }))
    .sort((x, y) => x.prio - y.prio || x.i - y.i)
    .map((s) => s.step);
}

/** One nftables base chain over the packet: verdicts, marks and NAT as the kernel applies them. */
function nftStep(
  j: Journey,
  h: Host,
  hook: Hook,
  ref: NftBaseChainRef,
  p: Ipv4Packet,
  pass: Pass,
  a: HookArgs,
  prefix: string,
  iface?: string,
): Ipv4Packet {
  const c = pass.ct;
  // a nat chain sees only the first packet of a connection; later packets are translated by conntrack
  if (ref.type === 'nat' && (!c || c.state !== 'NEW' || c.confirmed)) return p;
  const res = nftRunBaseChain(ref, ctxOf(j, h, p, pass, a));
  pass.mark = res.mark;
  const path = `${res.table} ${res.chains.join(' → ')}`;
  const rule =
    res.rule ?? `chain ${res.chain} { policy ${res.verdict.kind === 'DROP' ? 'drop' : 'accept'}; }`;
  const v = res.verdict;
  const ng = res.numgen[0];
  const alts =
    ng && ng.alternatives.length > 1
      ? `; numgen picked ${ng.chosen} of ${ng.modulus}: ${ng.alternatives.map((x) => `${x.target ?? x.verdict}${x.dnat ? ` ${x.dnat}` : ''} ${(x.probability * 100).toFixed(1)}%${x.chosen ? ' (chosen)' : ''}`).join(', ')}`
      : '';
  const cost = ` (${res.evaluated} rule${res.evaluated === 1 ? '' : 's'} evaluated)`;
  if (v.kind === 'DROP' || v.kind === 'REJECT') {
    j.hop(
      h,
      'netfilter',
      `${prefix}nft ${path}: ${v.kind === 'DROP' ? 'drop' : 'reject'}${cost}`,
      ipLayers(p),
      iface,
      rule,
    );
    throw new WalkError(
      v.kind === 'DROP' ? 'dropped' : 'rejected',
      `${v.kind === 'DROP' ? 'dropped' : 'rejected'} by nftables on ${h.id} (${res.table} ${res.chain}: ${rule})`,
    );
  }
  const natted = applyNat(j, h, p, pass, a, v, `${prefix}nft ${path}`, `${alts}${cost}`, rule, true, iface);
  if (natted) return natted;
  if (res.matched.length > 0 || v.kind !== 'ACCEPT') {
    j.hop(
      h,
      'netfilter',
      `${prefix}nft ${path}: ${res.byPolicy ? 'policy accept' : 'accept'}${alts}${cost}`,
      ipLayers(p),
      iface,
      rule,
    );
  }
  return p;
}

function nfHook(
  j: Journey,
  h: Host,
  hook: Hook,
  p0: Ipv4Packet,
  pass: Pass,
  a: HookArgs,
  iface?: string,
  /** Only these tables (IPVS takes the packet at LOCAL_IN between filter and nat INPUT), and no confirm. */
  only?: readonly Table[],
): Ipv4Packet {
  let p = p0;
  const prefix = a.bridged ? 'bridge ' : '';
  if (hook === 'PREROUTING' || hook === 'OUTPUT') ctIn(j, h, p, pass);
  for (const step of hookSteps(h, hook, only)) {
    if (step.kind === 'nft') {
      p = nftStep(j, h, hook, step.ref, p, pass, a, prefix, iface);
      continue;
    }
    const table = step.table;
    if (table === 'nat') {
      p = natHook(j, h, hook, p, pass, a, prefix, iface);
      continue;
    }
    const chain = chainOf(h.netfilter[table], hook);
    if (!chain || (chain.rules.length === 0 && chain.policy !== 'DROP')) continue;
    const res = nfRunChain(h.netfilter, table, hook, ctxOf(j, h, p, pass, a));
    pass.mark = res.mark;
    const path = res.chains.join(' → ');
    const rule = res.rule ? formatRule(res.rule) : `-P ${hook} ${chain.policy ?? 'ACCEPT'}`;
    const v = res.verdict;
    if (v.kind === 'DROP') {
      j.hop(h, 'netfilter', `${prefix}${table} ${path}: DROP`, ipLayers(p), iface, rule);
      throw new WalkError('dropped', `dropped by iptables on ${h.id} (${table} ${hook}: ${rule})`);
    }
    if (v.kind === 'REJECT') {
      j.hop(
        h,
        'netfilter',
        `${prefix}${table} ${path}: REJECT with ${v.rejectWith}`,
        ipLayers(p),
        iface,
        rule,
      );
      throw new WalkError(
        'rejected',
        `rejected by iptables on ${h.id} (${table} ${hook}: ${rule}), which answers ${v.rejectWith === 'tcp-reset' ? 'with a TCP reset' : `ICMP ${v.rejectWith}`}`,
      );
    }
    if (res.matched.length > 0 || chain.policy === 'DROP') {
      j.hop(
        h,
        'netfilter',
        `${prefix}${table} ${path}: ${res.rule ? 'ACCEPT' : `policy ${chain.policy ?? 'ACCEPT'}`}`,
        ipLayers(p),
        iface,
        rule,
      );
    }
  }
  if ((hook === 'POSTROUTING' || hook === 'INPUT') && only === undefined) ctConfirmPass(j, h, p, pass, iface);
  return p;
}

/**
 * Applies a DNAT/SNAT/MASQUERADE verdict to the first packet of a NEW connection, records the
 * binding in its conntrack entry (the reply tuple), and says so in the trace. Undefined when the
 * verdict is no NAT.
 */
function applyNat(
  j: Journey,
  h: Host,
  p: Ipv4Packet,
  pass: Pass,
  a: HookArgs,
  v: NfVerdict,
  label: string,
  tail: string,
  rule: string | undefined,
  nft: boolean,
  iface?: string,
): Ipv4Packet | undefined {
  const c = pass.ct;
  if (!c) return undefined;
  let np: Ipv4Packet;
  let what: string;
  if (v.kind === 'DNAT') {
    const port = v.toPort ?? portsOf(p).dport;
    what = `${nft ? 'dnat' : 'DNAT'} to ${formatIpv4(v.toAddr)}:${port}`;
    np = setAddr(p, 'dst', v.toAddr as Ipv4Addr, port);
  } else if (v.kind === 'SNAT' || v.kind === 'MASQUERADE') {
    const out = a.outIface ?? '';
    const to = v.kind === 'SNAT' ? (v.toAddr as Ipv4Addr) : selectSrc(h, out, p.dst);
    if (to === undefined) return p;
    what =
      v.kind === 'SNAT'
        ? `${nft ? 'snat' : 'SNAT'} to ${formatIpv4(to)}`
        : `${nft ? 'masquerade' : 'MASQUERADE'} to ${formatIpv4(to)} (primary address of ${out})`;
    np = setAddr(p, 'src', to, snatPort(j, h, p, to, pass, v.randomFully));
  } else return undefined;
  j.hop(h, 'netfilter', `${label}: ${what}${tail}`, ipLayers(p), iface, rule);
  c.entry = { ...c.entry, reply: invert(tupleOf(np)) };
  return np;
}

/** The nat table at one hook: rules for a NEW connection, the conntrack entry's translation otherwise. */
function natHook(
  j: Journey,
  h: Host,
  hook: Hook,
  p: Ipv4Packet,
  pass: Pass,
  a: HookArgs,
  prefix: string,
  iface?: string,
): Ipv4Packet {
  const c = pass.ct;
  if (!c) return p;
  const dstManip = hook === 'PREROUTING' || hook === 'OUTPUT';
  if (dstManip && pass.ipvsDnat) return p;
  // a connection already confirmed keeps its NAT binding (nf_nat_initialized): rules run once
  if (c.state !== 'NEW' || c.confirmed) {
    // translate from the entry: original direction gets the connection's NAT, reply direction its inverse
    const e = c.entry;
    // original direction: the connection's own NAT; reply direction: its inverse
    const t = c.dir === 'original' ? e.reply : e.orig;
    const nat =
      c.dir === 'original' ? (dstManip ? hasDnat(e) : hasSnat(e)) : dstManip ? hasSnat(e) : hasDnat(e);
    if (nat) {
      const which = dstManip ? 'dst' : 'src';
      // DNAT of the original / un-SNAT of the reply rewrite the destination from the other tuple's source
      const addr = dstManip ? t.src : t.dst;
      const port = dstManip ? t.sport : t.dport;
      const detail =
        c.dir === 'original'
          ? `conntrack: ${prefix}${hook} ${dstManip ? 'DNAT' : 'SNAT'} of an established connection`
          : dstManip
            ? `conntrack: reply to a masqueraded connection, ${prefix}${hook} restores the destination`
            : `conntrack: reply of a DNATed connection, ${prefix}${hook} restores the source`;
      return rewrite(j, h, p, which, addr, port, detail, formatCtEntry(e), iface);
    }
    return p;
  }
  const chain = chainOf(h.netfilter.nat, hook);
  if (!chain || chain.rules.length === 0) return p;
  const res = nfRunChain(h.netfilter, 'nat', hook, ctxOf(j, h, p, pass, a));
  pass.mark = res.mark;
  const path = res.chains.join(' → ');
  const v = res.verdict;
  const rule = res.rule ? formatRule(res.rule) : undefined;
  const choices = res.statistics[0] ? endpointChoices(h, res.statistics[0].rule.chain, res.chains) : '';
  const alts = `${choices ? `; the flow's hash picked it among ${choices}` : ''} (${res.evaluated} rule${res.evaluated === 1 ? '' : 's'} evaluated)`;
  const natted = applyNat(j, h, p, pass, a, v, `${prefix}nat ${path}`, alts, rule, false, iface);
  if (natted) return natted;
  if (res.matched.length > 0) {
    j.hop(
      h,
      'netfilter',
      `${prefix}nat ${path}: no translation${alts}`,
      ipLayers(p),
      iface,
      rule ?? formatRule(res.matched[res.matched.length - 1] as Rule),
    );
  }
  return p;
}

/**
 * The endpoint choice a `-m statistic` chain (KUBE-SVC-…) makes: each jump with its effective
 * probability (rule i of n fires with 1/(n−i) of what is left), and the DNAT target it leads to.
 */
function endpointChoices(h: Host, chainName: string, taken: readonly string[]): string {
  const nat = h.netfilter.nat;
  const chain = chainOf(nat, chainName);
  if (!chain) return '';
  let left = 1;
  const out: string[] = [];
  for (const r of chain.rules) {
    if (r.target.j !== 'jump' && r.target.j !== 'goto') continue;
    if (r.matches.some((m) => m.m === 'recent')) continue; // affinity rules only catch returning clients
    const target = r.target.chain;
    const dnat = chainOf(nat, target)?.rules.find((x) => x.target.j === 'DNAT');
    if (!dnat) continue; // KUBE-MARK-MASQ and the like: not an endpoint
    const stat = r.matches.find((m) => m.m === 'statistic');
    const p = stat?.m === 'statistic' ? stat.probability : 1;
    const eff = left * p;
    left -= eff;
    const to =
      dnat?.target.j === 'DNAT'
        ? ` ${formatIpv4(dnat.target.toAddr)}${dnat.target.toPort !== undefined ? `:${dnat.target.toPort}` : ''}`
        : '';
    out.push(`${target}${to} ${(eff * 100).toFixed(1)}%${taken.includes(target) ? ' (chosen)' : ''}`);
    if (!stat) break;
  }
  return out.length > 1 ? out.join(', ') : '';
}

/** The source port MASQUERADE/SNAT keeps (it only changes a port that would clash). */
function snatPort(
  j: Journey,
  h: Host,
  p: Ipv4Packet,
  to: Ipv4Addr,
  pass: Pass,
  randomFully: boolean,
): number {
  const { sport } = portsOf(p);
  if (randomFully) {
    // --random-fully: a fresh port (ICMP id) for every connection, from the whole range (prandom in Linux)
    const x = hash32(`random-fully|${h.id}|${tupleKey(tupleOf(p))}`);
    return p.l4.proto === 'icmp' ? x & 0xffff : portFromHash(x, 1024, 65536);
  }
  if (p.l4.proto === 'icmp') return sport;
  const table = j.table(h);
  const clash = (port: number): boolean => {
    const t = invert(tupleOf(setAddr(p, 'src', to, port)));
    const e = table.get(tupleKey(t));
    return e !== undefined && e !== pass.ct?.entry;
  };
  if (!clash(sport)) return sport;
  for (let i = 1; i < 1000; i++) {
    const cand = portFromHash(hash32(`${tupleKey(tupleOf(p))}|${i}`));
    if (!clash(cand)) return cand;
  }
  return sport;
}

function ctConfirmPass(j: Journey, h: Host, p: Ipv4Packet, pass: Pass, iface?: string): void {
  const c = pass.ct;
  if (!c || c.confirmed) return;
  c.confirmed = true;
  const e = { ...c.entry, mark: pass.mark };
  ctConfirm(j.table(h), e);
  if (hasDnat(e) || hasSnat(e)) {
    j.hop(
      h,
      'conntrack',
      `conntrack records the connection with its NAT, so the reply is translated back`,
      ipLayers(p),
      iface,
      formatCtEntry(e),
    );
  }
}

function portsOf(p: Ipv4Packet): { sport: number; dport: number } {
  const l4 = p.l4;
  if (l4.proto === 'tcp' || l4.proto === 'udp' || l4.proto === 'sctp')
    return { sport: l4.sport, dport: l4.dport };
  if (l4.proto === 'icmp') return { sport: l4.id, dport: l4.id };
  return { sport: 0, dport: 0 };
}

function setAddr(p: Ipv4Packet, which: 'src' | 'dst', addr: Ipv4Addr, port: number): Ipv4Packet {
  const l4 = p.l4;
  let nl4 = l4;
  if (l4.proto === 'tcp' || l4.proto === 'udp' || l4.proto === 'sctp')
    nl4 = which === 'src' ? { ...l4, sport: port } : { ...l4, dport: port };
  else if (l4.proto === 'icmp' && l4.icmpType !== ICMP_DEST_UNREACH && l4.icmpType !== ICMP_TIME_EXCEEDED)
    nl4 = { ...l4, id: port };
  else if (l4.proto === 'icmp' && l4.quoted) {
    // nf_nat_icmp_reply_translation: the quoted packet gets the opposite rewrite, port included
    const q = l4.quoted;
    nl4 = { ...l4, quoted: setAddr(q, which === 'dst' ? 'src' : 'dst', addr, port) };
  }
  return which === 'src' ? { ...p, src: addr, l4: nl4 } : { ...p, dst: addr, l4: nl4 };
}

function rewrite(
  j: Journey,
  h: Host,
  p: Ipv4Packet,
  which: 'src' | 'dst',
  addr: Ipv4Addr,
  port: number,
  detail: string,
  rule: string,
  iface?: string,
): Ipv4Packet {
  const np = setAddr(p, which, addr, port);
  const what =
    p.l4.proto === 'tcp' || p.l4.proto === 'udp' || p.l4.proto === 'sctp'
      ? `${formatIpv4(addr)}:${port}`
      : formatIpv4(addr);
  j.hop(h, 'conntrack', `${detail}: ${which} becomes ${what}`, ipLayers(np), iface, rule);
  return np;
}

// ---------------------------------------------------------------------------------------------
// the paths through a host
// ---------------------------------------------------------------------------------------------

/** __ip_local_out → OUTPUT → (reroute) → POSTROUTING → ip_finish_output. */
function localOut(j: Journey, h: Host, p0: Ipv4Packet, pmtudisc: Probe['pmtudisc'], r0: RouteDecision): void {
  let r = r0;
  j.hop(
    h,
    'route',
    `output route lookup for ${formatIpv4(p0.dst)}: ${r.local ? 'local address' : `dev ${r.dev}${r.route.via !== undefined ? ` via ${formatIpv4(r.route.via)}` : ''}`}, source ${formatIpv4(r.src)}${r.route.note !== undefined ? ` (${r.route.note})` : ''}`,
    ipLayers(p0),
    r.dev,
    formatRoute(r.route, r.local),
  );
  const pass: Pass = { mark: 0 };
  let p = nfHook(j, h, 'OUTPUT', p0, pass, { outIface: r.dev }, r.dev);
  // IPVS at LOCAL_OUT (ip_vs_local_request4, after nat OUTPUT): a local process reaching a virtual server
  const lvs = r.local && p.dst === p0.dst ? ipvsLookup(h, p, pass) : undefined;
  if (lvs) return ipvsXmit(j, h, r.dev, p, pass, lvs, false);
  if (p.dst !== p0.dst) {
    r = outputRoute(j, h, p.dst, p.src);
    j.hop(
      h,
      'route',
      `re-route after DNAT: ${formatIpv4(p.dst)} ${r.local ? 'is local' : `leaves by ${r.dev}`}`,
      ipLayers(p),
      r.dev,
      formatRoute(r.route, r.local),
    );
  }
  if (r.local) {
    p = nfHook(j, h, 'POSTROUTING', p, pass, { outIface: 'lo' }, 'lo');
    localIn(j, h, 'lo', p, pass);
    return;
  }
  p = nfHook(j, h, 'POSTROUTING', p, pass, { outIface: r.dev }, r.dev);
  const link = linkByName(h, r.dev);
  if (!link)
    throw new WalkError('no-route', `${h.id}: the route names device ${r.dev}, which does not exist`);
  if (datagramLength(p) > link.mtu) {
    if (pmtudisc === 'do' || (p.df && pmtudisc !== 'want')) {
      j.hop(
        h,
        'drop',
        `the packet (${ipLength(p)} bytes) is larger than the MTU of ${link.name} (${link.mtu}) and may not be fragmented`,
        ipLayers(p),
        link.name,
      );
      throw new WalkError(
        'fragmentation-needed',
        `message too long: ${ipLength(p)}-byte packet, mtu=${link.mtu} on ${h.id} ${link.name} (ping: local error: message too long, mtu=${link.mtu})`,
      );
    }
    p = fragment(j, h, p, link);
  }
  xmit(j, h, link, p, r.nexthop);
}

/** IP fragmentation on output: the walk follows the first fragment (the one with the transport header). */
function fragment(j: Journey, h: Host, p: Ipv4Packet, link: Link): Ipv4Packet {
  const f = fragmentFor(p, link.mtu);
  j.hop(
    h,
    'tx',
    `${datagramLength(p)} bytes exceed the MTU of ${link.name} (${link.mtu}) and DF is clear: the kernel sends ${f.frag?.count ?? 1} fragments, the first ${ipLength(f)} bytes (the walk follows the first; the rest take the same path)`,
    ipLayers(f),
    link.name,
  );
  return f;
}

/** Sends a packet out of a device towards a next hop. */
function xmit(j: Journey, h: Host, link: Link, p: Ipv4Packet, nexthop: Ipv4Addr): void {
  if (link.kind === 'vxlan') return vxlanXmit(j, h, link, p, nexthop);
  if (link.kind === 'ipip') return ipipXmit(j, h, link, p, nexthop);
  if (link.kind === 'loopback') return localIn(j, h, 'lo', p, { mark: 0 });
  const mac = neighResolve(j, h, link, nexthop, p);
  const frame: EthFrame = { src: link.mac, dst: mac, ip: p };
  devXmit(j, h, link, frame);
}

/** Puts a frame on a device: a bridge forwards it to a port, a veth hands it to its peer, a NIC puts it on the wire. */
function devXmit(j: Journey, h: Host, link: Link, frame: EthFrame, bridgedFrom?: string): void {
  if (link.kind === 'bridge') {
    const e = brFdbLookup(h.fdb, link.name, frame.dst);
    const port = e ? linkByName(h, e.dev) : undefined;
    if (!port) {
      j.hop(
        h,
        'bridge',
        `${link.name} does not know ${frame.dst}: the frame is flooded and nobody answers`,
        frameLayers(frame),
        link.name,
      );
      throw new WalkError('unreachable', `${h.id}: bridge ${link.name} has no port for ${frame.dst}`);
    }
    j.hop(
      h,
      'bridge',
      `${link.name} forwards to port ${port.name}`,
      frameLayers(frame),
      link.name,
      e ? formatFdb(e) : undefined,
    );
    return devXmit(j, h, port, frame, link.name);
  }
  j.hop(
    h,
    'tx',
    `sent on ${link.name}${bridgedFrom ? ` (port of ${bridgedFrom})` : ''}`,
    frameLayers(frame),
    link.name,
  );
  if (link.kind === 'veth') {
    const peer = link.peer;
    if (!peer) throw new WalkError('dropped', `${h.id} ${link.name} has no peer`);
    const ph = j.host(peer.netns);
    return frameRx(j, ph, peer.ifname, frame);
  }
  if (link.kind === 'ether') {
    const seg = link.network ? j.fabric.segments.get(link.network) : undefined;
    if (!seg) throw new WalkError('dropped', `${h.id} ${link.name} is not connected to a network`);
    const dest = segmentIndex(j.fabric, seg.name)?.byMac.get(frame.dst);
    const to = dest?.host.id ?? (frame.dst === BROADCAST_MAC ? 'broadcast' : 'nobody');
    j.wire.push({ network: seg.name, from: h.id, to, layers: frameLayers(frame) });
    if (!dest) throw new WalkError('unreachable', `no host on network ${seg.name} has MAC ${frame.dst}`);
    return frameRx(j, dest.host, dest.link.name, frame);
  }
  throw new WalkError('dropped', `${h.id}: cannot transmit on ${link.name}`);
}

/** Neighbour resolution: the neighbour table, else ARP on the device's layer-2 domain. */
function neighResolve(j: Journey, h: Host, link: Link, nexthop: Ipv4Addr, p: Ipv4Packet): MacAddr {
  const n = neighLookup(h.neigh, link.name, nexthop);
  if (n?.lladdr) {
    j.hop(
      h,
      'arp',
      `neighbour ${formatIpv4(nexthop)} on ${link.name} is ${n.lladdr} (${n.state})`,
      ipLayers(p),
      link.name,
      formatNeigh(n),
    );
    return n.lladdr;
  }
  const owner = arpOwner(j, h, link, nexthop);
  const src = selectSrc(h, link.name, nexthop);
  if (!owner) {
    j.hop(
      h,
      'arp',
      `ARP, Request who-has ${formatIpv4(nexthop)} tell ${src !== undefined ? formatIpv4(src) : '0.0.0.0'} on ${link.name}: no answer`,
      ipLayers(p),
      link.name,
      `${formatIpv4(nexthop)} dev ${link.name} FAILED`,
    );
    throw new WalkError(
      'unreachable',
      `${h.id}: ARP for ${formatIpv4(nexthop)} on ${link.name} got no answer (Destination Host Unreachable)`,
    );
  }
  j.hop(
    h,
    'arp',
    `ARP, Request who-has ${formatIpv4(nexthop)} tell ${src !== undefined ? formatIpv4(src) : '0.0.0.0'}; Reply ${formatIpv4(nexthop)} is-at ${owner.mac} (${owner.where})`,
    ipLayers(p),
    link.name,
    `${formatIpv4(nexthop)} dev ${link.name} lladdr ${owner.mac} REACHABLE`,
  );
  return owner.mac;
}

/** Who answers ARP for `ip` on the layer-2 domain behind `link`, if anyone. */
function arpOwner(
  j: Journey,
  h: Host,
  link: Link,
  ip: Ipv4Addr,
): { mac: MacAddr; where: string } | undefined {
  const visited = new Set<string>();
  const ownsOn = (hh: Host, l: Link): { mac: MacAddr; where: string } | undefined => {
    // arp_ignore=0: a host answers for any of its addresses; the answer carries the MAC of the asked interface
    if (hostOwns(hh, ip) && ip >>> 24 !== 127) return { mac: l.mac, where: `${l.name} of ${hh.id}` };
    return undefined;
  };
  const visitIface = (hh: Host, l: Link): { mac: MacAddr; where: string } | undefined => {
    const key = `${hh.id}|${l.name}`;
    if (visited.has(key)) return undefined;
    visited.add(key);
    if (l.master) {
      const br = linkByName(hh, l.master);
      return br ? visitIface(hh, br) : undefined;
    }
    const own = hh !== h ? ownsOn(hh, l) : undefined;
    if (own) return own;
    const proxied = hh !== h ? proxyArp(hh, l, ip) : undefined;
    if (proxied) return proxied;
    if (l.kind === 'bridge') {
      for (const port of hh.links.filter((x) => x.master === l.name)) {
        const r = viaWire(hh, port);
        if (r) return r;
      }
      return undefined;
    }
    return hh === h ? viaWire(hh, l) : undefined;
  };
  const viaWire = (hh: Host, l: Link): { mac: MacAddr; where: string } | undefined => {
    const key = `wire|${hh.id}|${l.name}`;
    if (visited.has(key)) return undefined;
    visited.add(key);
    if (l.kind === 'veth' && l.peer) {
      const ph = j.fabric.hosts.get(l.peer.netns);
      const pl = ph ? linkByName(ph, l.peer.ifname) : undefined;
      return ph && pl ? visitIface(ph, pl) : undefined;
    }
    if (l.kind === 'ether' && l.network) {
      const owner = segmentIndex(j.fabric, l.network)?.byIp.get(ip);
      if (owner && !(owner.host.id === hh.id && owner.link.name === l.name))
        return { mac: owner.link.mac, where: `${owner.link.name} of ${owner.host.id}` };
    }
    return undefined;
  };
  return visitIface(h, link);
}

/**
 * proxy_arp on the asked interface (arp_process): with forwarding on, the host answers with the
 * interface's own MAC for an address it routes out of another device. No route, no answer.
 */
function proxyArp(h: Host, l: Link, ip: Ipv4Addr): { mac: MacAddr; where: string } | undefined {
  if (!l.proxyArp || !h.ipForward) return undefined;
  const r = fibLookup(h.routes, ip, 'main');
  if (!r || r.type !== 'unicast' || r.dev === l.name) return undefined;
  return { mac: l.mac, where: `proxy ARP on ${l.name} of ${h.id}` };
}

/** A frame arrives on a device. */
function frameRx(j: Journey, h: Host, ifname: string, frame: EthFrame): void {
  const link = linkByName(h, ifname);
  if (!link) throw new WalkError('dropped', `${h.id} has no device ${ifname}`);
  j.hop(h, 'rx', `received on ${link.name}`, frameLayers(frame), link.name);
  if (link.master) return brInput(j, h, link, frame);
  if (frame.dst !== link.mac && frame.dst !== BROADCAST_MAC) {
    j.hop(
      h,
      'drop',
      `frame for ${frame.dst} is not for ${link.name} (${link.mac}): PACKET_OTHERHOST`,
      frameLayers(frame),
      link.name,
    );
    throw new WalkError('dropped', `${h.id} ${link.name} dropped a frame addressed to ${frame.dst}`);
  }
  ipRcv(j, h, link.name, frame.ip, { mark: 0 });
}

/**
 * br_handle_frame. With br_netfilter every IPv4 frame entering a port first runs the PREROUTING
 * hook in bridge context (br_nf_pre_routing, `-m physdev` sees the port); a frame for the bridge
 * itself then goes up to IP without running PREROUTING again (ip_sabotage_in). A DNAT in that hook
 * that points back onto the same bridge keeps the packet bridged (bridged_dnat: new MAC, no TTL
 * decrement, hairpin needed to leave by the port it came in on); one that points elsewhere is routed.
 */
function brInput(j: Journey, h: Host, port: Link, frame0: EthFrame): void {
  const br = linkByName(h, port.master ?? '');
  if (!br) throw new WalkError('dropped', `${h.id}: ${port.name} belongs to a missing bridge`);
  let frame = frame0;
  const pass: Pass = { mark: 0 };
  const brNf = h.brNfCallIptables;
  if (brNf) {
    const p = nfHook(
      j,
      h,
      'PREROUTING',
      frame.ip,
      pass,
      { inIface: br.name, physIn: port.name, bridged: true },
      br.name,
    );
    if (p.dst !== frame.ip.dst) {
      const owner = bridgeOwner(j, h, br, p.dst);
      if (!owner) {
        j.hop(
          h,
          'route',
          `br_netfilter: after DNAT the destination ${formatIpv4(p.dst)} is not on ${br.name}, so the packet is routed`,
          ipLayers(p),
          br.name,
        );
        return ipRoute(j, h, br.name, p, pass);
      }
      j.hop(
        h,
        'bridge',
        `br_netfilter: after DNAT the destination ${formatIpv4(p.dst)} is on ${br.name} itself: the frame stays bridged, re-addressed to ${owner}`,
        ipLayers(p),
        br.name,
      );
      frame = { src: frame.src, dst: owner, ip: p };
    } else frame = { ...frame, ip: p };
  }
  const ownMac = frame.dst === br.mac || h.links.some((l) => l.master === br.name && l.mac === frame.dst);
  if (ownMac) {
    j.hop(
      h,
      'bridge',
      `${br.name}: the frame is for the bridge itself (${frame.dst}), passed up to the IP stack`,
      frameLayers(frame),
      br.name,
    );
    if (brNf) return ipRoute(j, h, br.name, frame.ip, pass);
    return ipRcv(j, h, br.name, frame.ip, pass);
  }
  const e = brFdbLookup(h.fdb, br.name, frame.dst);
  const out = e ? linkByName(h, e.dev) : undefined;
  if (!out) {
    j.hop(
      h,
      'bridge',
      `${br.name} has no FDB entry for ${frame.dst}: flooded, nobody answers`,
      frameLayers(frame),
      br.name,
    );
    throw new WalkError('unreachable', `${h.id}: bridge ${br.name} does not know ${frame.dst}`);
  }
  if (out.name === port.name && !port.hairpin) {
    j.hop(
      h,
      'drop',
      `${br.name} would send the frame back out of ${port.name}, where it came from, and hairpin mode is off`,
      frameLayers(frame),
      br.name,
      e ? formatFdb(e) : undefined,
    );
    throw new WalkError('dropped', `${h.id}: ${br.name} does not hairpin on ${port.name} (hairpin mode off)`);
  }
  j.hop(
    h,
    'bridge',
    `${br.name} forwards ${port.name} → ${out.name}${out.name === port.name ? ' (hairpin)' : ''}`,
    frameLayers(frame),
    br.name,
    e ? formatFdb(e) : undefined,
  );
  let p = frame.ip;
  if (brNf) {
    const a2 = { inIface: br.name, outIface: br.name, physIn: port.name, physOut: out.name, bridged: true };
    p = nfHook(j, h, 'FORWARD', p, pass, a2, br.name);
    p = nfHook(j, h, 'POSTROUTING', p, pass, a2, br.name);
  }
  devXmit(j, h, out, { ...frame, ip: p }, br.name);
}

/** The MAC behind `ip` on a bridge's ports (a pod on it), if any. */
function bridgeOwner(j: Journey, h: Host, br: Link, ip: Ipv4Addr): MacAddr | undefined {
  for (const port of h.links.filter((l) => l.master === br.name)) {
    const ph = port.peer ? j.fabric.hosts.get(port.peer.netns) : undefined;
    const pl = ph && port.peer ? linkByName(ph, port.peer.ifname) : undefined;
    if (ph && pl && hostOwns(ph, ip)) return pl.mac;
  }
  return undefined;
}

/** ip_rcv: PREROUTING, then routing decides local delivery or forwarding. */
/** nf_defrag_ipv4 (conntrack) or ip_local_deliver reassembles fragments before anything looks at ports. */
function reassemble(j: Journey, h: Host, iface: string, p: Ipv4Packet): Ipv4Packet {
  if (!p.frag) return p;
  const whole: Ipv4Packet = { src: p.src, dst: p.dst, ttl: p.ttl, df: p.df, l4: p.l4 };
  j.hop(
    h,
    'rx',
    `the ${p.frag.count} fragments are reassembled into the ${datagramLength(whole)}-byte datagram`,
    ipLayers(whole),
    iface,
  );
  return whole;
}

function ipRcv(j: Journey, h: Host, iface: string, p00: Ipv4Packet, pass: Pass): void {
  const p0 = reassemble(j, h, iface, p00);
  const p = nfHook(j, h, 'PREROUTING', p0, pass, { inIface: iface }, iface);
  ipRoute(j, h, iface, p, pass);
}

function ipRoute(j: Journey, h: Host, iface: string, p: Ipv4Packet, pass: Pass): void {
  const r = routeLookup(h, p.dst);
  if (r && r.type === 'local') {
    j.hop(
      h,
      'route',
      `input route lookup: ${formatIpv4(p.dst)} is a local address`,
      ipLayers(p),
      iface,
      formatRoute(r, true),
    );
    return localIn(j, h, iface, p, pass);
  }
  if (!r) {
    j.hop(h, 'route', `input route lookup for ${formatIpv4(p.dst)}: no route`, ipLayers(p), iface);
    const from = h.ipForward ? sendIcmpError(j, h, p, ICMP_DEST_UNREACH, ICMP_NET_UNREACH) : '';
    throw new WalkError(
      'no-route',
      `${h.id} has no route to ${formatIpv4(p.dst)}${from ? ` and answers ICMP net unreachable from ${from} to ${formatIpv4(p.src)}` : h.ipForward ? ` (and none back to ${formatIpv4(p.src)}, so the sender hears nothing)` : ''}`,
    );
  }
  if (r.type !== 'unicast') {
    j.hop(
      h,
      'route',
      `input route lookup for ${formatIpv4(p.dst)} hits a ${r.type} route: the packet is discarded`,
      ipLayers(p),
      iface,
      formatRoute(r),
    );
    throw new WalkError(
      r.type === 'blackhole' ? 'dropped' : 'no-route',
      `${h.id} discards packets for ${formatIpv4(p.dst)} (${formatRoute(r)})`,
    );
  }
  if (!h.ipForward) {
    j.hop(
      h,
      'drop',
      `${formatIpv4(p.dst)} is not a local address and forwarding is off (net.ipv4.ip_forward = 0)`,
      ipLayers(p),
      iface,
    );
    throw new WalkError(
      'dropped',
      `${h.id} is not a router (ip_forward off) and ${formatIpv4(p.dst)} is not its address`,
    );
  }
  const dev = r.dev ?? '';
  const link = linkByName(h, dev);
  j.hop(
    h,
    'route',
    `forward: ${formatIpv4(p.dst)} leaves by ${dev}${r.via !== undefined ? ` via ${formatIpv4(r.via)}` : ''}${r.note !== undefined ? ` (${r.note})` : ''}`,
    ipLayers(p),
    iface,
    formatRoute(r),
  );
  if (!link) throw new WalkError('no-route', `${h.id}: the route names device ${dev}, which does not exist`);
  // ip_forward: TTL, then MTU, then decrement, then the FORWARD hook
  if (p.ttl <= 1) {
    j.hop(
      h,
      'drop',
      `TTL ${p.ttl} would reach 0: the packet is dropped and ICMP time exceeded is sent to ${formatIpv4(p.src)}`,
      ipLayers(p),
      iface,
    );
    const from = sendIcmpError(j, h, p, ICMP_TIME_EXCEEDED, 0);
    throw new WalkError(
      'ttl-exceeded',
      `TTL exceeded at ${h.id}: it sends ICMP time exceeded in-transit from ${from} to ${formatIpv4(p.src)} (ping: From ${from} icmp_seq=1 Time to live exceeded)`,
    );
  }
  if (datagramLength(p) > link.mtu && p.df) {
    j.hop(
      h,
      'drop',
      `${ipLength(p)} bytes exceed the MTU of ${dev} (${link.mtu}) and DF is set: ICMP fragmentation needed (mtu ${link.mtu}) goes back to ${formatIpv4(p.src)}`,
      ipLayers(p),
      dev,
    );
    const from = sendIcmpError(j, h, p, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, link.mtu);
    throw new WalkError(
      'fragmentation-needed',
      `${h.id} cannot forward a ${ipLength(p)}-byte packet with DF set through ${dev} (mtu ${link.mtu}): ICMP fragmentation needed from ${from} (ping: From ${from} icmp_seq=1 Frag needed and DF set (mtu = ${link.mtu}))`,
    );
  }
  let q: Ipv4Packet = { ...p, ttl: p.ttl - 1 };
  const a = { inIface: iface, outIface: dev };
  if (j.fabric.policy) workloadPolicy(j, h, q, pass, iface, dev);
  q = nfHook(j, h, 'FORWARD', q, pass, a, dev);
  q = nfHook(j, h, 'POSTROUTING', q, pass, a, dev);
  if (datagramLength(q) > link.mtu) q = fragment(j, h, q, link);
  xmit(j, h, link, q, r.via ?? q.dst);
}

/** NetworkPolicy at workload interfaces (Calico's chains, inserted first in filter FORWARD and INPUT). */
function workloadPolicy(
  j: Journey,
  h: Host,
  p: Ipv4Packet,
  pass: Pass,
  inIface: string,
  /** Undefined at INPUT (the packet is for the host itself). */
  outIface?: string,
): void {
  const state = pass.ct?.state ?? 'NEW';
  const hook = j.fabric.policy;
  const steps =
    (outIface === undefined
      ? hook?.input(h.id, inIface, p, state)
      : hook?.forward(h.id, inIface, outIface, p, state)) ?? [];
  for (const s of steps) {
    j.hop(h, 'netfilter', s.detail, ipLayers(p), s.iface, s.rule, s.policy);
    if (s.verdict === 'drop') throw new WalkError('dropped', s.reason);
  }
}

/** An ICMP error a host would send; the walk records it (it does not follow it back). */
function sendIcmpError(j: Journey, h: Host, p: Ipv4Packet, type: number, code: number, mtu?: number): string {
  // icmp_send answers from the address of the interface the route back to the sender uses
  const back = routeLookup(h, p.src);
  if (!back || back.type !== 'unicast') {
    j.hop(
      h,
      'drop',
      `${h.id} would send an ICMP error to ${formatIpv4(p.src)} but has no route back to it: nothing is sent`,
      ipLayers(p),
    );
    return '';
  }
  const from = back.src ?? selectSrc(h, back.dev ?? '', back.via ?? p.src);
  if (from === undefined) return '';
  const err = icmpError(p, from, type, code, mtu);
  j.hop(
    h,
    'tx',
    `${h.id} sends ${icmpText(err.l4 as Extract<typeof err.l4, { proto: 'icmp' }>, err)} from ${formatIpv4(from)} to ${formatIpv4(p.src)}`,
    ipLayers(err),
  );
  return formatIpv4(from);
}

/** ip_local_deliver: INPUT, then the socket (or the VXLAN driver's UDP socket). */
function localIn(j: Journey, h: Host, iface: string, p0: Ipv4Packet, pass: Pass): void {
  const vs = ipvsLookup(h, p0, pass);
  if (vs) return ipvsIn(j, h, iface, p0, pass, vs);
  if (j.fabric.policy) workloadPolicy(j, h, p0, pass, iface);
  const p = nfHook(j, h, 'INPUT', p0, pass, { inIface: iface }, iface);
  const l4 = p.l4;
  if (l4.proto === 'ipip') return ipipRcv(j, h, iface, p, l4.inner);
  if (l4.proto === 'udp' && l4.vxlan) {
    const vx = h.links.find(
      (l) => l.kind === 'vxlan' && l.vxlan?.port === l4.dport && l.vxlan.vni === l4.vxlan?.vni,
    );
    if (!vx) {
      j.hop(
        h,
        'drop',
        `VXLAN packet for VNI ${l4.vxlan.vni} on UDP ${l4.dport}, but no VXLAN device here has that VNI and port`,
        ipLayers(p),
        iface,
      );
      throw new WalkError('dropped', `${h.id} has no VXLAN device for VNI ${l4.vxlan.vni} port ${l4.dport}`);
    }
    j.hop(
      h,
      'decap',
      `UDP ${l4.dport} belongs to ${vx.name} (VNI ${l4.vxlan.vni}): the VXLAN header is removed and the inner frame is received on ${vx.name}`,
      frameLayers(l4.vxlan.frame),
      vx.name,
    );
    return frameRx(j, h, vx.name, l4.vxlan.frame);
  }
  deliver(j, h, iface, p);
}

function deliver(j: Journey, h: Host, iface: string, p: Ipv4Packet): void {
  const l4 = p.l4;
  if (j.isAwaited(h, p) && j.delivery === undefined && isAnswer(p)) {
    j.hop(h, 'deliver', `${describe(p)} reaches the socket that sent the request`, ipLayers(p), iface);
    j.verdict = 'delivered';
    j.deliveredTo = h.id;
    j.reason = `${h.id} got ${describe(p)}`;
    j.delivery = { host: h, pkt: p, kind: 'reply' };
    return;
  }
  if (!hostOwns(h, p.dst)) throw new WalkError('dropped', `${h.id}: ${formatIpv4(p.dst)} is not local`);
  if (l4.proto === 'icmp') {
    if (l4.icmpType === ICMP_ECHO_REQUEST) {
      j.hop(h, 'deliver', `the kernel of ${h.id} answers the echo request`, ipLayers(p), iface);
      j.verdict = 'delivered';
      j.deliveredTo = h.id;
      j.reason = `reached ${h.id} (ICMP echo request answered by its kernel)`;
      j.delivery = { host: h, pkt: p, kind: 'echo' };
      return;
    }
    j.hop(h, 'deliver', `${icmpText(l4, p)} delivered to ${h.id}`, ipLayers(p), iface);
    const v: Verdict =
      l4.icmpType === ICMP_DEST_UNREACH && l4.code === ICMP_PORT_UNREACH
        ? 'rejected'
        : l4.icmpType === ICMP_TIME_EXCEEDED
          ? 'ttl-exceeded'
          : 'unreachable';
    throw new WalkError(v, `${h.id} received ${icmpText(l4, p)}`);
  }
  if (l4.proto === 'ipip')
    throw new WalkError('dropped', `${h.id} has no IPIP tunnel to decapsulate the packet`);
  const listener = h.listeners.find((x) => x.proto === l4.proto && x.port === l4.dport);
  const what = `${l4.proto.toUpperCase()} port ${l4.dport}`;
  if (listener) {
    j.hop(
      h,
      'deliver',
      `${listener.process} listens on ${what}: delivered`,
      ipLayers(p),
      iface,
      `${l4.proto.toUpperCase()} LISTEN 0.0.0.0:${l4.dport} (${listener.process})`,
    );
    j.verdict = 'delivered';
    j.deliveredTo = h.id;
    j.reason = `reached ${h.id} port ${l4.dport}`;
    j.delivery = { host: h, pkt: p, kind: 'socket' };
    return;
  }
  const answer =
    l4.proto === 'tcp'
      ? 'it answers with a TCP reset (connection refused)'
      : l4.proto === 'udp'
        ? 'it answers ICMP port unreachable'
        : 'it answers with an SCTP ABORT';
  j.hop(h, 'deliver', `nothing listens on ${what} on ${h.id}: ${answer}`, ipLayers(p), iface);
  j.verdict = 'rejected';
  j.reason = `nothing listens on ${what} on ${h.id}; ${answer}`;
  j.delivery = { host: h, pkt: p, kind: 'refused' };
}

function isAnswer(p: Ipv4Packet): boolean {
  const l4 = p.l4;
  if (l4.proto === 'icmp') return l4.icmpType !== ICMP_ECHO_REQUEST;
  if (l4.proto === 'tcp') return l4.flags !== 'S';
  if (l4.proto === 'sctp') return l4.chunk !== 'INIT';
  return true;
}

/**
 * ip_tunnel_xmit on an NBMA IPIP device (Calico's tunl0: no local or remote address, ttl
 * inherit, nopmtudisc): the outer destination is the route's gateway (`via <node> dev tunl0
 * onlink`), the outer source what routing picks for it, TTL and DF copied from the inner packet;
 * then the outer packet (IP protocol 4) leaves like any local packet.
 */
function ipipXmit(j: Journey, h: Host, link: Link, p: Ipv4Packet, nexthop: Ipv4Addr): void {
  if (nexthop === p.dst && !link.addrs.some((a) => a.addr === nexthop)) {
    // no gateway: an NBMA tunnel has nowhere to send it
    j.hop(
      h,
      'encap',
      `${link.name} has no remote address and the route gives no gateway: the packet is dropped`,
      ipLayers(p),
      link.name,
    );
    throw new WalkError(
      'dropped',
      `${h.id}: ${link.name} cannot tell where to tunnel ${formatIpv4(p.dst)} (no gateway)`,
    );
  }
  const r = routeLookup(h, nexthop);
  if (!r || r.type !== 'unicast') {
    j.hop(h, 'route', `no route to the tunnel endpoint ${formatIpv4(nexthop)}`, ipLayers(p), link.name);
    throw new WalkError('no-route', `${h.id} has no route to the IPIP endpoint ${formatIpv4(nexthop)}`);
  }
  if (r.dev === link.name) {
    j.hop(
      h,
      'drop',
      `the route to the tunnel endpoint ${formatIpv4(nexthop)} goes back into ${link.name}: the kernel drops it (recursion)`,
      ipLayers(p),
      link.name,
      formatRoute(r),
    );
    throw new WalkError(
      'dropped',
      `${h.id}: the IPIP endpoint ${formatIpv4(nexthop)} is routed into ${link.name} itself`,
    );
  }
  const dev = r.dev ?? '';
  const src = r.src ?? selectSrc(h, dev, r.via ?? nexthop);
  if (src === undefined) throw new WalkError('no-route', `${h.id} has no address to send from on ${dev}`);
  const outer: Ipv4Packet = { src, dst: nexthop, ttl: p.ttl, df: p.df, l4: { proto: 'ipip', inner: p } };
  j.hop(
    h,
    'encap',
    `${link.name} encapsulates in IPIP (IP protocol 4): outer ${formatIpv4(src)} → ${formatIpv4(nexthop)}, TTL ${p.ttl} and DF ${p.df ? 'set' : 'clear'} copied from the inner packet`,
    ipLayers(outer),
    link.name,
  );
  localOut(j, h, outer, 'dont', { route: r, local: false, dev, nexthop: r.via ?? nexthop, src });
}

/** ipip_rcv: a tunnel that accepts the outer addresses (the fallback tunl0 takes any) decapsulates. */
function ipipRcv(j: Journey, h: Host, iface: string, outer: Ipv4Packet, inner: Ipv4Packet): void {
  const tun = h.links.find((l) => l.kind === 'ipip' && l.up);
  if (!tun) {
    j.hop(
      h,
      'drop',
      `IP protocol 4 (IPIP) for ${formatIpv4(outer.dst)}, but ${h.id} has no IPIP tunnel: the kernel answers ICMP protocol unreachable`,
      ipLayers(outer),
      iface,
    );
    throw new WalkError('dropped', `${h.id} has no IPIP tunnel to decapsulate the packet`);
  }
  j.hop(
    h,
    'decap',
    `IP protocol 4 belongs to ${tun.name}: the outer header (${formatIpv4(outer.src)} → ${formatIpv4(outer.dst)}) is removed and the inner packet is received on ${tun.name}`,
    ipLayers(inner),
    tun.name,
  );
  ipRcv(j, h, tun.name, inner, { mark: 0 });
}

/** vxlan_xmit: neighbour → inner MACs, FDB → remote VTEP, then the outer UDP packet leaves like any local packet. */
function vxlanXmit(j: Journey, h: Host, link: Link, p: Ipv4Packet, nexthop: Ipv4Addr): void {
  const vx = link.vxlan;
  if (!vx) throw new WalkError('dropped', `${link.name} is not a VXLAN device`);
  const n = neighLookup(h.neigh, link.name, nexthop);
  if (!n?.lladdr) {
    j.hop(
      h,
      'arp',
      `no neighbour entry for ${formatIpv4(nexthop)} on ${link.name}; learning is off, so the ARP request is dropped`,
      ipLayers(p),
      link.name,
    );
    throw new WalkError(
      'unreachable',
      `${h.id}: ${link.name} has no neighbour entry for ${formatIpv4(nexthop)} (the CNI agent — flanneld or Felix — has not programmed that node)`,
    );
  }
  j.hop(
    h,
    'arp',
    `neighbour ${formatIpv4(nexthop)} on ${link.name} is ${n.lladdr} (${n.state}): the remote VTEP's MAC`,
    ipLayers(p),
    link.name,
    formatNeigh(n),
  );
  const inner: EthFrame = { src: link.mac, dst: n.lladdr, ip: p };
  const fdb = vxlanFdbLookup(h.fdb, link.name, n.lladdr);
  if (!fdb?.dst) {
    j.hop(
      h,
      'encap',
      `${link.name} has no FDB entry for ${n.lladdr}: the frame is dropped`,
      frameLayers(inner),
      link.name,
    );
    throw new WalkError('unreachable', `${h.id}: ${link.name} has no FDB entry for ${n.lladdr}`);
  }
  const sport = portFromHash(skbFlowHash(p));
  const outer: Ipv4Packet = {
    src: vx.local,
    dst: fdb.dst,
    ttl: 64,
    df: false,
    l4: { proto: 'udp', sport, dport: vx.port, payloadLen: 0, vxlan: { vni: vx.vni, frame: inner } },
  };
  j.hop(
    h,
    'encap',
    `${link.name} encapsulates: VXLAN VNI ${vx.vni}, UDP ${sport} → ${vx.port} (source port from the inner flow hash), outer ${formatIpv4(vx.local)} → ${formatIpv4(fdb.dst)}`,
    ipLayers(outer),
    link.name,
    formatFdb(fdb),
  );
  const r = routeLookup(h, fdb.dst);
  if (!r || r.type !== 'unicast') {
    j.hop(h, 'route', `no route to the remote VTEP ${formatIpv4(fdb.dst)}`, ipLayers(outer), link.name);
    throw new WalkError('no-route', `${h.id} has no route to VTEP ${formatIpv4(fdb.dst)}`);
  }
  localOut(j, h, outer, 'dont', {
    route: r,
    local: false,
    dev: r.dev ?? vx.dev,
    nexthop: r.via ?? fdb.dst,
    src: vx.local,
  });
}

// ---------------------------------------------------------------------------------------------
// IPVS (kube-proxy IPVS mode)
// ---------------------------------------------------------------------------------------------

const ipvsIndex = new WeakMap<Host, Map<string, IpvsVirtualServer>>();

/** The virtual server a new packet to a local address is for, if any (ip_vs_service_find). */
function ipvsLookup(h: Host, p: Ipv4Packet, pass: Pass): IpvsVirtualServer | undefined {
  if (!h.ipvs || pass.ct?.dir === 'reply' || pass.ipvsDnat) return undefined;
  const l4 = p.l4;
  if (l4.proto !== 'tcp' && l4.proto !== 'udp' && l4.proto !== 'sctp') return undefined;
  let idx = ipvsIndex.get(h);
  if (!idx) {
    idx = new Map();
    for (const vs of h.ipvs.virtualServers) idx.set(`${vs.proto}|${vs.addr}|${vs.port}`, vs);
    ipvsIndex.set(h, idx);
  }
  return idx.get(`${l4.proto.toUpperCase()}|${p.dst}|${l4.dport}`);
}

/**
 * IPVS at LOCAL_IN (ip_vs_remote_request4, priority NF_IP_PRI_NAT_SRC − 1): mangle and filter
 * INPUT have run, nat INPUT has not; the scheduler picks a real server, ip_vs_nat_xmit rewrites
 * the destination and sends the packet on through routing, LOCAL_OUT and POSTROUTING.
 */
function ipvsIn(j: Journey, h: Host, iface: string, p0: Ipv4Packet, pass: Pass, vs: IpvsVirtualServer): void {
  const p = nfHook(j, h, 'INPUT', p0, pass, { inIface: iface }, iface, ['mangle', 'filter']);
  ipvsXmit(j, h, iface, p, pass, vs, true);
}

/** Schedules (or finds the connection / persistence template), DNATs and transmits. */
function ipvsXmit(
  j: Journey,
  h: Host,
  iface: string,
  p: Ipv4Packet,
  pass: Pass,
  vs: IpvsVirtualServer,
  runOutput: boolean,
): void {
  const state = j.ipvsOf(h);
  const flow = pass.ct ? tupleKey(pass.ct.entry.orig) : tupleKey(tupleOf(p));
  const vk = vsKey(vs);
  const byKey = new Map(vs.realServers.map((rs) => [rsKey(rs), rs]));
  const connKey = `conn|${vk}|${flow}`;
  const persistKey = `persist|${vk}|${formatIpv4(p.src)}`;
  const known = byKey.get(state.get(connKey) ?? '');
  const tmpl = vs.persistent !== undefined ? byKey.get(state.get(persistKey) ?? '') : undefined;
  let rs: IpvsRealServer | undefined;
  let how: string;
  if (known) {
    rs = known;
    how = 'the IPVS connection table already holds this flow';
  } else if (tmpl) {
    rs = tmpl;
    how = `persistence (${vs.persistent ?? 0} s): the template for client ${formatIpv4(p.src)} points to it`;
  } else {
    const prefix = `conn|${vk}|`;
    const r = ipvsSchedule({
      vs,
      flowHash: hash32(`ipvs|${flow}`),
      src: p.src,
      dst: p.dst,
      activeConns: (d) => {
        let n = 0;
        const k = rsKey(d);
        for (const [key, v] of state) if (v === k && key.startsWith(prefix)) n++;
        return n;
      },
    });
    rs = r.rs;
    how = r.how;
  }
  const vsLine = formatVirtualServer(vs);
  const flags = `${vs.scheduler}${vs.persistent !== undefined ? ` persistent ${vs.persistent}` : ''}`;
  if (!rs) {
    j.hop(
      h,
      'ipvs',
      `IPVS virtual server ${vk} (${flags}) has no real server: ${how}; ip_vs_leave answers ICMP port unreachable`,
      ipLayers(p),
      iface,
      vsLine,
    );
    throw new WalkError(
      'rejected',
      `IPVS on ${h.id} has no real server for ${vk}, so it drops the packet and answers ICMP port unreachable`,
    );
  }
  const chosen = rs;
  state.set(connKey, rsKey(chosen));
  if (vs.persistent !== undefined) state.set(persistKey, rsKey(chosen));
  const alts = vs.realServers
    .map((d) => `${rsKey(d)} weight ${d.weight}${d === chosen ? ' (chosen)' : ''}`)
    .join(', ');
  j.hop(
    h,
    'ipvs',
    `IPVS ${vk} (${flags}) → ${rsKey(chosen)} Masq: ${how}; real servers: ${alts}`,
    ipLayers(p),
    iface,
    `${vsLine}\n${formatRealServer(chosen)}`,
  );
  // ip_vs_nat_xmit: the destination becomes the real server; with net.ipv4.vs.conntrack=1 the
  // conntrack entry's reply tuple is altered (ip_vs_update_conntrack), so the reply is translated back.
  const np = setAddr(p, 'dst', chosen.addr as Ipv4Addr, chosen.port);
  if (pass.ct) {
    const old = pass.ct.entry;
    const e = { ...old, reply: invert(tupleOf(np)) };
    pass.ct.entry = e;
    if (pass.ct.confirmed) {
      const table = j.table(h);
      table.delete(tupleKey(old.reply));
      ctConfirm(table, e);
    }
  }
  pass.ipvsDnat = true;
  const r = routeLookup(h, np.dst);
  if (r && r.type === 'local') {
    // a real server on this host: the packet goes on up the stack (NF_ACCEPT)
    j.hop(
      h,
      'route',
      `IPVS: ${formatIpv4(np.dst)} is a local address`,
      ipLayers(np),
      iface,
      formatRoute(r, true),
    );
    const q = nfHook(j, h, 'INPUT', np, pass, { inIface: iface }, iface, ['nat']);
    ctConfirmPass(j, h, q, pass, iface);
    deliver(j, h, iface, q);
    return;
  }
  if (!r || r.type !== 'unicast') {
    j.hop(h, 'route', `IPVS: no route to the real server ${formatIpv4(np.dst)}`, ipLayers(np), iface);
    throw new WalkError('no-route', `${h.id} has no route to the IPVS real server ${formatIpv4(np.dst)}`);
  }
  const dev = r.dev ?? '';
  const link = linkByName(h, dev);
  if (!link) throw new WalkError('no-route', `${h.id}: the route names device ${dev}, which does not exist`);
  if (np.ttl <= 1) {
    j.hop(h, 'drop', `TTL ${np.ttl} would reach 0: IPVS drops the packet`, ipLayers(np), iface);
    throw new WalkError('ttl-exceeded', `TTL exceeded at ${h.id} (IPVS forwarding)`);
  }
  let q: Ipv4Packet = runOutput ? { ...np, ttl: np.ttl - 1 } : np;
  j.hop(
    h,
    'route',
    `IPVS (ip_vs_nat_xmit): ${formatIpv4(q.dst)} leaves by ${dev}${r.via !== undefined ? ` via ${formatIpv4(r.via)}` : ''}`,
    ipLayers(q),
    dev,
    formatRoute(r),
  );
  if (runOutput) q = nfHook(j, h, 'OUTPUT', q, pass, { outIface: dev }, dev);
  q = nfHook(j, h, 'POSTROUTING', q, pass, { outIface: dev }, dev);
  if (datagramLength(q) > link.mtu) {
    if (q.df) {
      j.hop(
        h,
        'drop',
        `${ipLength(q)} bytes exceed the MTU of ${dev} (${link.mtu}) and DF is set`,
        ipLayers(q),
        dev,
      );
      throw new WalkError(
        'fragmentation-needed',
        `${h.id} cannot send a ${ipLength(q)}-byte packet with DF set through ${dev} (mtu ${link.mtu})`,
      );
    }
    q = fragment(j, h, q, link);
  }
  xmit(j, h, link, q, r.via ?? q.dst);
}
