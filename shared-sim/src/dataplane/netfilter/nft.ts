/**
 * nftables rulesets (kube-proxy nftables mode): tables with base chains hooked at a priority,
 * regular chains, sets and maps. Filled in by the nftables implementation.
 */

export interface NftRuleset {
  /** `nft list table ip kube-proxy` text is rendered from this. */
  readonly tables: readonly NftTable[];
}

export interface NftTable {
  readonly family: 'ip' | 'ip6' | 'inet';
  readonly name: string;
  readonly comment?: string;
  readonly chains: readonly NftChain[];
  readonly sets: readonly NftSet[];
}

export interface NftChain {
  readonly name: string;
  /** Base chains: type, hook and priority (numeric, -100 = dstnat, 100 = srcnat). */
  readonly base?: {
    readonly type: 'filter' | 'nat' | 'route';
    readonly hook: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
    readonly priority: number;
    readonly policy?: 'accept' | 'drop';
  };
  /** Rule statements as `nft list` prints them. */
  readonly rules: readonly string[];
}

export interface NftSet {
  readonly name: string;
  readonly kind: 'set' | 'map';
  /** e.g. `ipv4_addr`, `ipv4_addr . inet_proto . inet_service : verdict` */
  readonly type: string;
  readonly flags?: readonly string[];
  readonly elements: readonly string[];
  readonly comment?: string;
}
