import { hash32 } from '../../core/hash';
import { cidrContains, type Ipv4Addr } from '../addr/ipv4';
import type { CtState } from '../conntrack/table';
import { IPPROTO, type Ipv4Packet } from '../wire/packet';
import { ipsetMatch } from './ipset';
import type { IpSet } from './ipvs';
import { formatRule, parseRule, type Match, type Rule, type Table } from './rule';

export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

export interface Chain {
  readonly name: string;
  /** Built-in chains have a policy; user chains return to their caller. */
  readonly policy?: 'ACCEPT' | 'DROP';
  readonly rules: readonly Rule[];
}

export interface NfTable {
  readonly name: Table;
  readonly chains: readonly Chain[];
}

export type Netfilter = Readonly<Record<Table, NfTable>>;

/** Which built-in chains each table has, in the order iptables-save lists them. */
export const TABLE_HOOKS: Readonly<Record<Table, readonly Hook[]>> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** Tables at each hook in priority order (raw -300, conntrack -200, mangle -150, dnat -100, filter 0, snat 100). */
export const HOOK_TABLES: Readonly<Record<Hook, readonly Table[]>> = {
  PREROUTING: ['raw', 'mangle', 'nat'],
  INPUT: ['mangle', 'filter', 'nat'],
  FORWARD: ['mangle', 'filter'],
  OUTPUT: ['raw', 'mangle', 'nat', 'filter'],
  POSTROUTING: ['mangle', 'nat'],
};

/** Rules are immutable values: nodes share the parse of identical lines (kube-proxy's base chains). */
const ruleCache = new Map<string, Rule>();
function parsedRule(line: string): Rule {
  let r = ruleCache.get(line);
  if (r === undefined) {
    r = parseRule(line);
    if (ruleCache.size > 200000) ruleCache.clear();
    ruleCache.set(line, r);
  }
  return r;
}

/**
 * Mutable builder for a host's rule set, fed with iptables-restore-like lines. Chains are
 * created on first mention, as `iptables -N`/`:CHAIN - [0:0]` would.
 */
type ChainEntry = { policy?: 'ACCEPT' | 'DROP'; rules: Rule[]; shared?: Chain };

/** Finished user chains that many hosts share as a whole (kube-proxy's per-service chains). */
export interface ChainBlock {
  readonly chains: readonly Chain[];
  readonly names: ReadonlySet<string>;
}

export function chainBlock(chains: readonly Chain[]): ChainBlock {
  return { chains, names: new Set(chains.map((c) => c.name)) };
}

export class NetfilterBuilder {
  private readonly tables = new Map<Table, Map<string, ChainEntry>>();
  private readonly blocks = new Map<Table, ChainBlock[]>();

  constructor() {
    for (const t of ['raw', 'mangle', 'nat', 'filter'] as const) {
      const chains = new Map<string, ChainEntry>();
      for (const h of TABLE_HOOKS[t]) chains.set(h, { policy: 'ACCEPT', rules: [] });
      this.tables.set(t, chains);
    }
  }

  private chains(table: Table): Map<string, ChainEntry> {
    const c = this.tables.get(table);
    if (!c) throw new Error(`no table ${table}`);
    return c;
  }

  private blockOf(table: Table, chain: string): ChainBlock | undefined {
    return this.blocks.get(table)?.find((b) => b.names.has(chain));
  }

  /** Turns a shared block back into per-chain entries (before one of its chains changes). */
  private dissolve(table: Table, block: ChainBlock): void {
    this.blocks.set(
      table,
      (this.blocks.get(table) ?? []).filter((b) => b !== block),
    );
    for (const c of block.chains) this.chains(table).set(c.name, { rules: [], shared: c });
  }

  /** The chain's entry, its rules copied out of a shared chain before a change (copy on write). */
  private own(table: Table, chain: string): ChainEntry | undefined {
    const b = this.blockOf(table, chain);
    if (b) this.dissolve(table, b);
    const c = this.chains(table).get(chain);
    if (c?.shared) {
      c.rules = [...c.shared.rules];
      delete c.shared;
    }
    return c;
  }

  ensureChain(table: Table, chain: string): void {
    const c = this.chains(table);
    if (!c.has(chain) && !this.blockOf(table, chain)) c.set(chain, { rules: [] });
  }

  /** Installs a block of finished chains shared with other hosts, without copying it. */
  installBlock(table: Table, block: ChainBlock): void {
    const own = this.chains(table);
    for (const name of [...own.keys()])
      if (block.names.has(name) && !TABLE_HOOKS[table].includes(name as Hook)) own.delete(name);
    this.blocks.set(table, [...(this.blocks.get(table) ?? []), block]);
  }

  /**
   * Installs a finished user chain that other hosts share (kube-proxy's per-service chains are the
   * same on every node): no copy unless this host changes it later.
   */
  installChain(table: Table, chain: Chain): void {
    this.chains(table).set(chain.name, { rules: [], shared: chain });
  }

  setPolicy(table: Table, chain: string, policy: 'ACCEPT' | 'DROP'): void {
    const c = this.own(table, chain);
    if (!c || c.policy === undefined) throw new Error(`${table} ${chain} is not a built-in chain`);
    c.policy = policy;
  }

  /** Appends `-A CHAIN …`; `insert` puts it first (iptables -I). */
  add(table: Table, line: string, insert = false): void {
    const rule = parsedRule(line);
    this.ensureChain(table, rule.chain);
    const t = rule.target;
    if (t.j === 'jump' || t.j === 'goto') this.ensureChain(table, t.chain);
    const c = this.own(table, rule.chain);
    if (!c) throw new Error('unreachable');
    if (insert) c.rules.unshift(rule);
    else c.rules.push(rule);
  }

  hasRule(table: Table, chain: string, pred: (r: Rule) => boolean): boolean {
    const inBlock = this.blockOf(table, chain)?.chains.find((x) => x.name === chain);
    if (inBlock) return inBlock.rules.some(pred);
    const c = this.chains(table).get(chain);
    return (c?.shared ? c.shared.rules : c?.rules)?.some(pred) ?? false;
  }

  removeRules(table: Table, pred: (r: Rule) => boolean): void {
    for (const b of [...(this.blocks.get(table) ?? [])]) this.dissolve(table, b);
    for (const name of [...this.chains(table).keys()]) {
      const c = this.own(table, name);
      if (c) c.rules = c.rules.filter((r) => !pred(r));
    }
  }

  build(): Netfilter {
    const mk = (t: Table): NfTable => {
      const own = [...this.chains(t).entries()].map(([name, c]): Chain => {
        if (c.shared) return c.shared;
        return c.policy === undefined
          ? { name, rules: [...c.rules] }
          : { name, policy: c.policy, rules: [...c.rules] };
      });
      const blocks = this.blocks.get(t) ?? [];
      return { name: t, chains: blocks.length ? own.concat(...blocks.map((b) => b.chains)) : own };
    };
    return { raw: mk('raw'), mangle: mk('mangle'), nat: mk('nat'), filter: mk('filter') };
  }
}

/** Parses `-A` lines into finished chains (grouped by chain, in order), for installChain. */
export function buildChains(names: readonly string[], lines: readonly string[]): Chain[] {
  const rules = new Map<string, Rule[]>(names.map((n) => [n, []]));
  for (const line of lines) {
    const r = parsedRule(line);
    let list = rules.get(r.chain);
    if (!list) rules.set(r.chain, (list = []));
    list.push(r);
  }
  return [...rules].map(([name, rs]) => ({ name, rules: rs }));
}

export function emptyNetfilter(): Netfilter {
  return new NetfilterBuilder().build();
}

/** What a rule set sees of a packet and its surroundings. */
export interface NfContext {
  readonly pkt: Ipv4Packet;
  readonly inIface?: string;
  readonly outIface?: string;
  /** Bridged traffic (br_netfilter): the bridge ports. */
  readonly physIn?: string;
  readonly physOut?: string;
  readonly mark: number;
  readonly ctstate: CtState;
  /** The connection's original destination was changed (conntrack virtual state DNAT). */
  readonly ctDnat: boolean;
  readonly ctSnat: boolean;
  /** `-m addrtype`: LOCAL, BROADCAST, MULTICAST or UNICAST for an address on this host. */
  readonly addrType: (a: Ipv4Addr) => string;
  /** Stable key of the flow, for deterministic `-m statistic` choices. */
  readonly flowKey: string;
  /** xt_recent lists of this host (session affinity); `--set` records into them. */
  readonly recent?: { has(list: string, addr: number): boolean; set(list: string, addr: number): void };
  /** The host's ipsets, for `-m set --match-set` (kube-proxy IPVS mode, Calico). */
  readonly ipsets?: (name: string) => IpSet | undefined;
}

export type NfVerdict =
  | { readonly kind: 'ACCEPT' }
  | { readonly kind: 'DROP' }
  | { readonly kind: 'REJECT'; readonly rejectWith: string }
  | { readonly kind: 'DNAT'; readonly toAddr: number; readonly toPort?: number }
  | {
      readonly kind: 'SNAT';
      readonly toAddr: number;
      readonly toPort?: number;
      readonly randomFully: boolean;
    }
  | { readonly kind: 'MASQUERADE'; readonly randomFully: boolean };

export interface NfResult {
  readonly verdict: NfVerdict;
  /** Chains entered, in order, starting with the built-in chain. */
  readonly chains: readonly string[];
  /** The rule whose target decided the verdict; undefined when the chain policy did. */
  readonly rule?: Rule;
  /** Rules that matched on the way, in order (jumps and marks included). */
  readonly matched: readonly Rule[];
  readonly mark: number;
  /** `-m statistic` rules evaluated, with whether this flow took them. */
  readonly statistics: readonly { readonly rule: Rule; readonly taken: boolean }[];
  /** How many rules were looked at (the cost the scale lab plots). */
  readonly evaluated: number;
}

function protoNumber(name: string): number | undefined {
  if (name === 'all') return undefined;
  // /etc/protocols: ipencap is IP protocol 4 (IP in IP); "ipip" there is 94
  if (name === 'ipencap') return 4;
  const n = (IPPROTO as Record<string, number>)[name];
  return n ?? Number(name);
}

function ipProtoOf(p: Ipv4Packet): number {
  return IPPROTO[p.l4.proto];
}

function portOk(r: { lo: number; hi: number; neg: boolean } | undefined, v: number | undefined): boolean {
  if (r === undefined) return true;
  if (v === undefined) return false;
  const inside = v >= r.lo && v <= r.hi;
  return r.neg ? !inside : inside;
}

function ifaceOk(m: { name: string; neg: boolean } | undefined, dev: string | undefined): boolean {
  if (m === undefined) return true;
  let hit: boolean;
  if (dev === undefined) hit = false;
  else if (m.name.endsWith('+')) hit = dev.startsWith(m.name.slice(0, -1));
  else hit = dev === m.name;
  return m.neg ? !hit : hit;
}

function matchOne(
  m: Match,
  ctx: NfContext,
  statistics: { rule: Rule; taken: boolean }[],
  rule: Rule,
): boolean {
  const p = ctx.pkt;
  const l4 = p.l4;
  switch (m.m) {
    case 'comment':
      return true;
    case 'tcp':
    case 'udp':
    case 'sctp': {
      if (l4.proto !== m.m) return false;
      return portOk(m.sport, l4.sport) && portOk(m.dport, l4.dport);
    }
    case 'icmp': {
      if (l4.proto !== 'icmp') return false;
      if (m.icmpType === undefined) return true;
      const hit = l4.icmpType === m.icmpType && (m.icmpCode === undefined || l4.code === m.icmpCode);
      return hit !== m.neg;
    }
    case 'mark':
      return ((ctx.mark & m.mask) === (m.value & m.mask)) !== m.neg;
    case 'conntrack': {
      const states = new Set<string>([ctx.ctstate]);
      if (ctx.ctDnat) states.add('DNAT');
      if (ctx.ctSnat) states.add('SNAT');
      const hit = m.ctstate.some((s) => states.has(s));
      return hit !== m.neg;
    }
    case 'addrtype': {
      if (m.srcType !== undefined && (ctx.addrType(p.src) === m.srcType) === m.srcNeg) return false;
      if (m.dstType !== undefined && (ctx.addrType(p.dst) === m.dstType) === m.dstNeg) return false;
      return true;
    }
    case 'statistic': {
      const u = hash32(`${ctx.flowKey}|${formatRule(rule)}`) / 4294967296;
      const taken = u < m.probability;
      statistics.push({ rule, taken });
      return taken;
    }
    case 'physdev':
      if (m.isBridged && ctx.physOut === undefined && ctx.physIn === undefined) return false;
      if (m.isIn && (ctx.physIn !== undefined) === m.isIn.neg) return false;
      return ifaceOk(m.physdevIn, ctx.physIn) && ifaceOk(m.physdevOut, ctx.physOut);
    case 'multiport': {
      if (l4.proto !== 'tcp' && l4.proto !== 'udp' && l4.proto !== 'sctp') return false;
      return m.dports.some((r) => portOk(r, l4.dport));
    }
    case 'recent': {
      const addr = m.side === 'source' ? p.src : p.dst;
      if (m.mode === 'set') {
        ctx.recent?.set(m.name, addr);
        return true;
      }
      return ctx.recent?.has(m.name, addr) ?? false;
    }
    case 'set': {
      // a set that does not exist cannot be referenced by a loaded rule; Podpath treats it as empty
      const set = ctx.ipsets?.(m.name);
      const hit = set !== undefined && ipsetMatch(set, p, m.dirs);
      return hit !== m.neg;
    }
    case 'other':
      // nfacct only counts; anything else we cannot evaluate never matches
      return m.text.startsWith('-m nfacct');
  }
}

export function ruleMatches(
  r: Rule,
  ctx: NfContext,
  statistics: { rule: Rule; taken: boolean }[] = [],
): boolean {
  const p = ctx.pkt;
  if (r.src && cidrContains(r.src.cidr, p.src) === r.src.neg) return false;
  if (r.dst && cidrContains(r.dst.cidr, p.dst) === r.dst.neg) return false;
  if (!ifaceOk(r.inIface, ctx.inIface)) return false;
  if (!ifaceOk(r.outIface, ctx.outIface)) return false;
  if (r.proto) {
    const n = protoNumber(r.proto.name);
    if (n !== undefined && (ipProtoOf(p) === n) === r.proto.neg) return false;
  }
  for (const m of r.matches) if (!matchOne(m, ctx, statistics, r)) return false;
  return true;
}

const chainIndexes = new WeakMap<NfTable, ReadonlyMap<string, Chain>>();
/** Chains of a table by name, built once per (immutable) table. */
export function chainIndex(t: NfTable): ReadonlyMap<string, Chain> {
  let m = chainIndexes.get(t);
  if (!m) {
    m = new Map(t.chains.map((c) => [c.name, c]));
    chainIndexes.set(t, m);
  }
  return m;
}

/** One chain of a table by name. */
export function chainOf(t: NfTable, name: string): Chain | undefined {
  return chainIndex(t).get(name);
}

/** For long chains: which rules can match a destination (`-d a.b.c.d/32` rules only their address). */
interface DstIndex {
  readonly byDst: ReadonlyMap<number, readonly number[]>;
  readonly others: readonly number[];
}
const dstIndexes = new WeakMap<Chain, DstIndex | null>();

function dstIndex(chain: Chain): DstIndex | null {
  let ix = dstIndexes.get(chain);
  if (ix === undefined) {
    ix = null;
    if (chain.rules.length >= 32) {
      const byDst = new Map<number, number[]>();
      const others: number[] = [];
      chain.rules.forEach((r, i) => {
        if (r.dst && !r.dst.neg && r.dst.cidr.len === 32) {
          let l = byDst.get(r.dst.cidr.addr);
          if (!l) byDst.set(r.dst.cidr.addr, (l = []));
          l.push(i);
        } else others.push(i);
      });
      if (byDst.size > 0) ix = { byDst, others };
    }
    dstIndexes.set(chain, ix);
  }
  return ix;
}

/** The index of the first rule at or after `from` that could match `dst` (rules.length when none). */
function nextCandidate(chain: Chain, from: number, dst: number): number {
  const ix = dstIndex(chain);
  if (!ix) return from;
  const first = (list: readonly number[] | undefined): number => {
    if (!list) return chain.rules.length;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] ?? 0) < from) lo = mid + 1;
      else hi = mid;
    }
    return list[lo] ?? chain.rules.length;
  };
  return Math.min(first(ix.byDst.get(dst)), first(ix.others));
}

/**
 * Runs one built-in chain of one table over a packet: rules in order, jumps into user chains,
 * RETURN, and the chain policy at the end — as ipt_do_table does.
 */
export function nfRunChain(nf: Netfilter, table: Table, hook: Hook, ctx0: NfContext): NfResult {
  const t = nf[table];
  const byName = chainIndex(t);
  const chains: string[] = [hook];
  const matched: Rule[] = [];
  const statistics: { rule: Rule; taken: boolean }[] = [];
  let ctx = ctx0;
  let evaluated = 0;
  const start = byName.get(hook);
  const done = (verdict: NfVerdict, rule?: Rule): NfResult =>
    rule === undefined
      ? { verdict, chains, matched, mark: ctx.mark, statistics, evaluated }
      : { verdict, chains, rule, matched, mark: ctx.mark, statistics, evaluated };
  if (!start) return done({ kind: 'ACCEPT' });
  const policy: NfVerdict = { kind: start.policy ?? 'ACCEPT' };
  const stack: { chain: Chain; idx: number }[] = [{ chain: start, idx: 0 }];
  while (stack.length > 0) {
    if (evaluated > 1000000) throw new Error(`netfilter loop in ${table} ${hook}`);
    const f = stack[stack.length - 1];
    if (!f) break;
    // Skip straight to the next rule that can match this destination; the kernel still looks at
    // (and counts) every rule in between, none of which can match.
    const next = nextCandidate(f.chain, f.idx, ctx.pkt.dst);
    evaluated += next - f.idx;
    f.idx = next;
    const rule = f.chain.rules[f.idx++];
    if (rule === undefined) {
      stack.pop();
      if (stack.length === 0) return done(policy);
      continue;
    }
    evaluated++;
    if (!ruleMatches(rule, ctx, statistics)) continue;
    matched.push(rule);
    const tg = rule.target;
    switch (tg.j) {
      case 'none':
        break;
      case 'MARK':
        ctx = { ...ctx, mark: ((ctx.mark & ~tg.mask) ^ tg.value) >>> 0 };
        break;
      case 'RETURN':
        stack.pop();
        if (stack.length === 0) return done(policy);
        break;
      case 'jump':
      case 'goto': {
        const next = byName.get(tg.chain);
        if (!next) break;
        chains.push(tg.chain);
        if (tg.j === 'goto') stack.pop();
        stack.push({ chain: next, idx: 0 });
        break;
      }
      case 'ACCEPT':
      case 'DROP':
        return done({ kind: tg.j }, rule);
      case 'REJECT':
        return done({ kind: 'REJECT', rejectWith: tg.rejectWith ?? 'icmp-port-unreachable' }, rule);
      case 'DNAT':
        return done(
          { kind: 'DNAT', toAddr: tg.toAddr, ...(tg.toPort !== undefined ? { toPort: tg.toPort } : {}) },
          rule,
        );
      case 'SNAT':
        return done(
          {
            kind: 'SNAT',
            toAddr: tg.toAddr,
            ...(tg.toPort !== undefined ? { toPort: tg.toPort } : {}),
            randomFully: tg.randomFully,
          },
          rule,
        );
      case 'MASQUERADE':
        return done({ kind: 'MASQUERADE', randomFully: tg.randomFully }, rule);
    }
  }
  return done(policy);
}

/** True when any table at this hook has a rule (an empty hook is skipped in traces). */
export function hookHasRules(nf: Netfilter, hook: Hook): boolean {
  return HOOK_TABLES[hook].some((t) =>
    nf[t].chains.some((c) => c.name === hook && (c.rules.length > 0 || c.policy === 'DROP')),
  );
}
