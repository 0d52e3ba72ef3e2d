/**
 * nftables rulesets (kube-proxy nftables mode): tables holding base chains hooked at a priority,
 * regular chains, named sets and verdict maps. Rules are kept three ways: the text the program
 * wrote (`nft add rule` syntax), the text `nft list` prints back, and a parsed form the
 * evaluator (nftEval.ts) runs.
 */

import { nftListText, parseNftRule, type NftParsedRule } from './nftParse';

export type NftFamily = 'ip' | 'ip6' | 'inet';
export type NftHook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
export type NftChainType = 'filter' | 'nat' | 'route';

export interface NftRuleset {
  /** In creation order (what `nft list ruleset` prints). */
  readonly tables: readonly NftTable[];
}

export interface NftTable {
  readonly family: NftFamily;
  readonly name: string;
  readonly comment?: string;
  /** Sets and maps in creation order (`nft list` prints them before the chains). */
  readonly sets: readonly NftSet[];
  /** Chains in creation order. */
  readonly chains: readonly NftChain[];
}

export interface NftBaseChainSpec {
  readonly type: NftChainType;
  readonly hook: NftHook;
  /** Numeric priority: dstnat = -100, srcnat = 100, filter = 0. */
  readonly priority: number;
  readonly policy: 'accept' | 'drop';
}

export interface NftChain {
  readonly name: string;
  readonly comment?: string;
  readonly base?: NftBaseChainSpec;
  readonly rules: readonly NftRule[];
}

export interface NftRule {
  /** As the program wrote it (`nft add rule … <source>`), comment included. */
  readonly source: string;
  /** As `nft list` prints it, comment included. */
  readonly text: string;
  readonly parsed: NftParsedRule;
}

export interface NftElement {
  /** Key parts of a (possibly concatenated) key: `['172.30.0.41', 'tcp', '80']`. */
  readonly key: readonly string[];
  /** Map value (`goto service-…`, `drop`); undefined for a plain set. */
  readonly value?: string;
  readonly comment?: string;
}

export interface NftSet {
  readonly name: string;
  readonly kind: 'set' | 'map';
  /** e.g. `ipv4_addr`, `ipv4_addr . inet_proto . inet_service : verdict` (maps include ` : verdict`). */
  readonly type: string;
  readonly flags?: readonly string[];
  /** Default element timeout in seconds (sets with the `timeout` flag). */
  readonly timeout?: number;
  readonly comment?: string;
  readonly elements: readonly NftElement[];
}

/** A rule from the text a program hands to `nft add rule` (comment included). */
export function nftRule(source: string): NftRule {
  const parsed = parseNftRule(source);
  return { source, text: nftListText(parsed), parsed };
}

/** Finds a table by family and name. */
export function nftTable(rs: NftRuleset, family: NftFamily, name: string): NftTable | undefined {
  return rs.tables.find((t) => t.family === family && t.name === name);
}
