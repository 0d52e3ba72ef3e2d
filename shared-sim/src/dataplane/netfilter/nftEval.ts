/**
 * Runs nftables base chains over a packet, as nft_do_chain does: rules in order, jumps and gotos
 * into regular chains, `return`, verdict maps, the chain policy at the end. The input is the
 * iptables evaluator's NfContext; verdicts come back as NfVerdict so the walker applies NAT and
 * drops the same way for both.
 *
 * Randomness (`numgen random`) is derived from the flow: the same connection always picks the
 * same endpoint, and the result lists the alternatives it could have picked.
 */

import { hash32 } from '../../core/hash';
import { cidrContains, formatIpv4, parseIpv4, type Ipv4Addr } from '../addr/ipv4';
import type { Ipv4Packet } from '../wire/packet';
import type { NftChain, NftChainType, NftHook, NftRule, NftRuleset, NftSet, NftTable } from './nft';
import type { NftField, NftMatch, NftStmt, NftVmapElement } from './nftParse';
import type { NfContext, NfVerdict } from './tables';

/** One base chain registered at a hook. */
export interface NftBaseChainRef {
  readonly table: NftTable;
  readonly chain: NftChain;
  readonly type: NftChainType;
  readonly priority: number;
}

/** One alternative of a `numgen random mod N vmap { … }` choice. */
export interface NftNumgenChoice {
  readonly index: number;
  /** The map value, e.g. `goto endpoint-…`. */
  readonly verdict: string;
  /** The chain jumped to, when the value is a jump/goto. */
  readonly target?: string;
  /** `ip:port` of the first `dnat to` in that chain, when there is one. */
  readonly dnat?: string;
  /** 1/N. */
  readonly probability: number;
  readonly chosen: boolean;
}

export interface NftNumgen {
  /** The rule as `nft list` prints it. */
  readonly rule: string;
  readonly chain: string;
  readonly modulus: number;
  readonly chosen: number;
  readonly alternatives: readonly NftNumgenChoice[];
}

export interface NftHookResult {
  /** `ip kube-proxy` */
  readonly table: string;
  /** The base chain. */
  readonly chain: string;
  readonly type: NftChainType;
  readonly priority: number;
  /**
   * ACCEPT (an `accept` or the end of the base chain with policy accept — later base chains at
   * the hook still run), DROP, REJECT, DNAT (`dnat to`), MASQUERADE (`masquerade`).
   */
  readonly verdict: NfVerdict;
  /** True when the policy decided (no terminal statement was reached). */
  readonly byPolicy: boolean;
  /** Chains entered, in order, starting with the base chain. */
  readonly chains: readonly string[];
  /** The deciding rule as `nft list` prints it; undefined when the policy decided. */
  readonly rule?: string;
  /** Rules that matched on the way (jumps, marks, verdict maps), as `nft list` prints them. */
  readonly matched: readonly string[];
  /** The packet mark after the chain. */
  readonly mark: number;
  /** How many rules were looked at. */
  readonly evaluated: number;
  /** `numgen` choices made on the way. */
  readonly numgen: readonly NftNumgen[];
  /** Affinity (dynamic set) hits and updates on the way: `set` names. */
  readonly affinityHits: readonly string[];
  readonly affinityUpdates: readonly string[];
}

const PROTO_NAMES: Readonly<Record<number, string>> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 132: 'sctp' };

/** Every base chain of every table registered at `hook`, lowest priority first (creation order on ties). */
export function nftBaseChains(rs: NftRuleset, hook: NftHook): NftBaseChainRef[] {
  const out: NftBaseChainRef[] = [];
  for (const table of rs.tables)
    for (const chain of table.chains)
      if (chain.base && chain.base.hook === hook)
        out.push({ table, chain, type: chain.base.type, priority: chain.base.priority });
  return out
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.priority - b.r.priority || a.i - b.i)
    .map((x) => x.r);
}

export interface NftRunOptions {
  /** Only base chains with priority ≥ this. */
  readonly minPriority?: number;
  /** Only base chains with priority ≤ this. */
  readonly maxPriority?: number;
  /** Skip `type nat` chains (the connection is not NEW: NAT comes from conntrack). */
  readonly skipNat?: boolean;
}

/**
 * Runs every base chain registered at `hook` (optionally within a priority window) in priority
 * order. The mark flows from one chain to the next; a DNAT verdict rewrites the destination the
 * later chains see. Stops after the first DROP or REJECT.
 */
export function nftRunHook(
  rs: NftRuleset,
  hook: NftHook,
  ctx0: NfContext,
  opts: NftRunOptions = {},
): NftHookResult[] {
  const out: NftHookResult[] = [];
  let ctx = ctx0;
  for (const ref of nftBaseChains(rs, hook)) {
    if (opts.minPriority !== undefined && ref.priority < opts.minPriority) continue;
    if (opts.maxPriority !== undefined && ref.priority > opts.maxPriority) continue;
    if (opts.skipNat && ref.type === 'nat') continue;
    const r = nftRunBaseChain(ref, ctx);
    out.push(r);
    if (r.verdict.kind === 'DROP' || r.verdict.kind === 'REJECT') break;
    ctx = { ...ctx, mark: r.mark };
    if (r.verdict.kind === 'DNAT') {
      const v = r.verdict;
      ctx = { ...ctx, pkt: withDst(ctx.pkt, v.toAddr as Ipv4Addr, v.toPort) };
    }
  }
  return out;
}

function withDst(p: Ipv4Packet, dst: Ipv4Addr, port: number | undefined): Ipv4Packet {
  const l4 = p.l4;
  if (port !== undefined && (l4.proto === 'tcp' || l4.proto === 'udp' || l4.proto === 'sctp'))
    return { ...p, dst, l4: { ...l4, dport: port } };
  return { ...p, dst };
}

interface Frame {
  readonly chain: NftChain;
  idx: number;
}

const tableIndexes = new WeakMap<
  NftTable,
  { chains: ReadonlyMap<string, NftChain>; sets: ReadonlyMap<string, NftSet> }
>();
/** Chains and sets of a table by name, built once per (immutable) table. */
function tableIndex(table: NftTable): {
  chains: ReadonlyMap<string, NftChain>;
  sets: ReadonlyMap<string, NftSet>;
} {
  let ix = tableIndexes.get(table);
  if (!ix) {
    ix = {
      chains: new Map(table.chains.map((c) => [c.name, c])),
      sets: new Map(table.sets.map((s) => [s.name, s])),
    };
    tableIndexes.set(table, ix);
  }
  return ix;
}

/** Runs one base chain over the packet. */
export function nftRunBaseChain(ref: NftBaseChainRef, ctx0: NfContext): NftHookResult {
  const { table, chain: base } = ref;
  const { chains, sets } = tableIndex(table);
  const path: string[] = [base.name];
  const matched: string[] = [];
  const numgen: NftNumgen[] = [];
  const affinityHits: string[] = [];
  const affinityUpdates: string[] = [];
  let mark = ctx0.mark;
  let evaluated = 0;
  const ctx = (): NfContext => (mark === ctx0.mark ? ctx0 : { ...ctx0, mark });
  const policy: NfVerdict = { kind: base.base?.policy === 'drop' ? 'DROP' : 'ACCEPT' };
  const done = (verdict: NfVerdict, rule?: NftRule): NftHookResult => ({
    table: `${table.family} ${table.name}`,
    chain: base.name,
    type: ref.type,
    priority: ref.priority,
    verdict,
    byPolicy: rule === undefined,
    chains: path,
    ...(rule !== undefined ? { rule: rule.text } : {}),
    matched,
    mark,
    evaluated,
    numgen,
    affinityHits,
    affinityUpdates,
  });

  const stack: Frame[] = [{ chain: base, idx: 0 }];
  /** Enters a chain; false if it does not exist. */
  const enter = (name: string, isGoto: boolean): boolean => {
    const c = chains.get(name);
    if (!c) return false;
    path.push(name);
    if (isGoto) stack.pop();
    stack.push({ chain: c, idx: 0 });
    return true;
  };

  while (stack.length > 0) {
    if (evaluated > 1000000) throw new Error(`nftables loop in ${table.name} ${base.name}`);
    const f = stack[stack.length - 1];
    if (!f) break;
    const rule = f.chain.rules[f.idx++];
    if (rule === undefined) {
      stack.pop();
      continue;
    }
    evaluated++;
    const c = ctx();
    if (!rule.parsed.matches.every((m) => matchOne(m, c, sets, affinityHits))) continue;
    // statements in order; a terminal one ends the rule
    let outcome: 'next' | 'jumped' | 'return' | NfVerdict = 'next';
    let counted = false;
    for (const s of rule.parsed.stmts) {
      const r = runStmt(s, rule, c, sets, table, chains, numgen, affinityUpdates, f.chain.name);
      if (r === 'unknown') {
        outcome = 'next';
        break;
      }
      if (!counted) {
        matched.push(rule.text);
        counted = true;
      }
      if (r === 'continue') continue;
      if (typeof r === 'object' && 'mark' in r) {
        mark = r.mark;
        continue;
      }
      if (typeof r === 'object' && 'enter' in r) {
        if (r.enter === 'return') outcome = 'return';
        else outcome = enter(r.enter.chain, r.enter.goto) ? 'jumped' : 'next';
        break;
      }
      if (r === 'nomatch') break; // a vmap without a matching element: next rule
      outcome = r;
      break;
    }
    if (outcome === 'next' || outcome === 'jumped') continue;
    if (outcome === 'return') {
      stack.pop();
      continue;
    }
    return done(outcome, rule);
  }
  return done(policy);
}

type StmtResult =
  | 'continue'
  | 'nomatch'
  | 'unknown'
  | NfVerdict
  | { readonly mark: number }
  | { readonly enter: 'return' | { readonly chain: string; readonly goto: boolean } };

function verdictOf(v: string): StmtResult {
  const [w, target] = v.trim().split(/\s+/);
  switch (w) {
    case 'accept':
      return { kind: 'ACCEPT' };
    case 'drop':
      return { kind: 'DROP' };
    case 'reject':
      return { kind: 'REJECT', rejectWith: 'icmp-port-unreachable' };
    case 'return':
      return { enter: 'return' };
    case 'continue':
      return 'continue';
    case 'jump':
    case 'goto':
      return { enter: { chain: target ?? '', goto: w === 'goto' } };
    default:
      return 'unknown';
  }
}

function runStmt(
  s: NftStmt,
  rule: NftRule,
  ctx: NfContext,
  sets: ReadonlyMap<string, NftSet>,
  table: NftTable,
  chains: ReadonlyMap<string, NftChain>,
  numgen: NftNumgen[],
  affinityUpdates: string[],
  chainName: string,
): StmtResult {
  switch (s.k) {
    case 'verdict':
      return verdictOf(s.verdict);
    case 'jump':
    case 'goto':
      return { enter: { chain: s.chain, goto: s.k === 'goto' } };
    case 'mark': {
      const m = ctx.mark >>> 0;
      const v =
        s.op === 'or' ? m | s.value : s.op === 'xor' ? m ^ s.value : s.op === 'and' ? m & s.value : s.value;
      return { mark: v >>> 0 };
    }
    case 'update': {
      const key = fieldValues(s.fields, ctx);
      if (key === undefined) return 'continue';
      const addr = parseIpv4(key[0] ?? '');
      if (addr !== undefined && s.fields.length === 1) ctx.recent?.set(s.set, addr);
      affinityUpdates.push(s.set);
      return 'continue';
    }
    case 'dnat': {
      const a = parseIpv4(s.addr);
      if (a === undefined) return 'unknown';
      return s.port !== undefined ? { kind: 'DNAT', toAddr: a, toPort: s.port } : { kind: 'DNAT', toAddr: a };
    }
    case 'masquerade':
      return { kind: 'MASQUERADE', randomFully: s.fullyRandom };
    case 'vmap': {
      if (s.numgen !== undefined) {
        const n = s.numgen;
        const chosen = n > 0 ? hash32(`${ctx.flowKey}|${table.name}|${chainName}`) % n : 0;
        const elements = s.elements ?? [];
        numgen.push({
          rule: rule.text,
          chain: chainName,
          modulus: n,
          chosen,
          alternatives: elements.map((e) => choiceOf(e, n, chosen, chains)),
        });
        const hit = elements.find((e) => Number(e.key) === chosen);
        return hit ? verdictOf(hit.verdict) : 'nomatch';
      }
      const key = fieldValues(s.fields, ctx);
      if (key === undefined) return 'nomatch';
      const want = key.join(' . ');
      if (s.map !== undefined) {
        const set = sets.get(s.map);
        const el = set?.elements.find((e) => e.key.join(' . ') === want);
        return el?.value !== undefined ? verdictOf(el.value) : 'nomatch';
      }
      const el = (s.elements ?? []).find((e) => e.key === want);
      return el ? verdictOf(el.verdict) : 'nomatch';
    }
    case 'unknown':
      return 'unknown';
  }
}

function choiceOf(
  e: NftVmapElement,
  n: number,
  chosen: number,
  chains: ReadonlyMap<string, NftChain>,
): NftNumgenChoice {
  const [w, target] = e.verdict.split(/\s+/);
  const index = Number(e.key);
  const base = { index, verdict: e.verdict, probability: 1 / n, chosen: index === chosen };
  if ((w !== 'goto' && w !== 'jump') || target === undefined) return base;
  const dnat = chains
    .get(target)
    ?.rules.flatMap((r) => r.parsed.stmts)
    .find((s) => s.k === 'dnat');
  return dnat?.k === 'dnat'
    ? { ...base, target, dnat: `${dnat.addr}${dnat.port !== undefined ? `:${dnat.port}` : ''}` }
    : { ...base, target };
}

/** The packet's value of each selector, as the strings set elements are written with. */
function fieldValues(fields: readonly NftField[], ctx: NfContext): string[] | undefined {
  const out: string[] = [];
  for (const f of fields) {
    const v = fieldValue(f, ctx);
    if (v === undefined) return undefined;
    out.push(v);
  }
  return out;
}

function fieldValue(f: NftField, ctx: NfContext): string | undefined {
  const p = ctx.pkt;
  const l4 = p.l4;
  const ports = l4.proto === 'tcp' || l4.proto === 'udp' || l4.proto === 'sctp' ? l4 : undefined;
  switch (f) {
    case 'ip saddr':
      return formatIpv4(p.src);
    case 'ip daddr':
      return formatIpv4(p.dst);
    case 'meta l4proto':
    case 'ip protocol':
      return l4.proto;
    case 'th dport':
      return ports ? String(ports.dport) : undefined;
    case 'th sport':
      return ports ? String(ports.sport) : undefined;
    case 'tcp dport':
    case 'udp dport':
    case 'sctp dport':
      return ports && f.startsWith(l4.proto) ? String(ports.dport) : undefined;
    case 'tcp sport':
    case 'udp sport':
    case 'sctp sport':
      return ports && f.startsWith(l4.proto) ? String(ports.sport) : undefined;
    case 'ct state':
      return ctx.ctstate.toLowerCase();
    case 'fib daddr type':
      return ctx.addrType(p.dst).toLowerCase();
    case 'fib saddr type':
      return ctx.addrType(p.src).toLowerCase();
    case 'meta mark':
      return String(ctx.mark >>> 0);
    case 'iif':
    case 'iifname':
    case 'meta iifname':
      return ctx.inIface;
    case 'oif':
    case 'oifname':
    case 'meta oifname':
      return ctx.outIface;
    default:
      return undefined;
  }
}

/** Does the packet's value `v` of selector `f` equal (or fall inside) the written value `w`? */
function valueHit(f: NftField, v: string, w: string): boolean {
  if (f === 'ip saddr' || f === 'ip daddr') {
    const slash = w.indexOf('/');
    const a = parseIpv4(v);
    if (a === undefined) return false;
    if (slash < 0) return parseIpv4(w) === a;
    const net = parseIpv4(w.slice(0, slash));
    const len = Number(w.slice(slash + 1));
    return net !== undefined && cidrContains({ addr: net, len }, a);
  }
  if (f === 'meta l4proto' || f === 'ip protocol') return v === w || PROTO_NAMES[Number(w)] === v;
  if (f === 'iifname' || f === 'oifname' || f === 'meta iifname' || f === 'meta oifname') {
    if (w.endsWith('*')) return v.startsWith(w.slice(0, -1));
    return v === w;
  }
  if (f === 'ct state') return w.split(',').some((s) => s.trim() === v);
  if (f === 'meta mark') return Number(v) === (w.startsWith('0x') ? parseInt(w.slice(2), 16) : Number(w));
  return v === w;
}

function matchOne(
  m: NftMatch,
  ctx: NfContext,
  sets: ReadonlyMap<string, NftSet>,
  affinityHits: string[],
): boolean {
  if (m.k === 'lookup') {
    const key = fieldValues(m.fields, ctx);
    if (key === undefined) return false;
    const set = sets.get(m.set);
    let hit: boolean;
    if (set?.flags?.includes('dynamic')) {
      const a = parseIpv4(key[0] ?? '');
      hit = a !== undefined && m.fields.length === 1 && (ctx.recent?.has(m.set, a) ?? false);
      if (hit) affinityHits.push(m.set);
    } else {
      const fs = m.fields;
      hit =
        set?.elements.some(
          (e) => e.key.length === key.length && e.key.every((w, i) => valueHit(fs[i] ?? '', key[i] ?? '', w)),
        ) ?? false;
    }
    return hit !== m.neg;
  }
  const f = m.fields[0] ?? '';
  if (m.mask !== undefined) {
    const hit = (ctx.mark & m.mask) >>> 0 === Number(m.values[0] ?? '0') >>> 0;
    return hit !== m.neg;
  }
  const v = fieldValue(f, ctx);
  if (v === undefined) return false;
  const hit = m.values.some((w) => valueHit(f, v, w));
  return hit !== m.neg;
}
