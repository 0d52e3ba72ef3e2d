import { canonIp, categorizeEndpoints, parseCidrSloppy } from './common';
import { base32, sha256 } from '../../core/sha256';
import { cidrContains, formatCidr, formatIpv4, parseIpv4Sloppy, type Cidr } from '../../dataplane/addr/ipv4';
import {
  nftRule,
  type NftBaseChainSpec,
  type NftChain,
  type NftElement,
  type NftRuleset,
  type NftSet,
} from '../../dataplane/netfilter/nft';
import type { KubeProxyConfig } from '../../model/lab';
import type {
  EndpointAddress,
  L4Protocol,
  ResolvedService,
  ServiceModel,
  ServicePortSpec,
} from '../services/types';
import { masqueradeMark, servicePortName, type KubeProxyNode } from './iptables';

/**
 * kube-proxy in nftables mode (pkg/proxy/nftables/proxier.go, the v1.31/v1.32 layout with
 * `service-endpoints-check`, `nodeport-endpoints-check`, `cluster-ips-check` and
 * `filter-output-post-dnat`): the `ip kube-proxy` table one full sync leaves on a node. Objects
 * are listed in the order the first sync's transaction creates them, which is the order
 * `nft list` prints them in.
 */

export interface KubeProxyNftablesOptions {
  /**
   * The ServiceCIDRs kube-proxy learnt from the API (`OnServiceCIDRsChanged`); with none, the
   * `cluster-ips-check` "Drop traffic to unallocated ClusterIPs" rule is not written.
   */
  readonly serviceCIDRs?: readonly string[];
  /** The mark text kube-proxy writes (default: Go `%#08x` of 1 << masqueradeBit, e.g. `0x00004000`). */
  readonly masqueradeMark?: string;
}

const TABLE = 'kube-proxy';
const POD_BRIDGE = 'cni0';
const POD_IFACE_PREFIX = 'veth';

/** Base chains in kube-proxy's nftablesBaseChains order; priorities dstnat-10 = -110, dstnat+10 = -90. */
const BASE_CHAINS: readonly (readonly [string, NftBaseChainSpec])[] = [
  ['filter-prerouting', { type: 'filter', hook: 'prerouting', priority: -110, policy: 'accept' }],
  ['filter-input', { type: 'filter', hook: 'input', priority: -110, policy: 'accept' }],
  ['filter-forward', { type: 'filter', hook: 'forward', priority: -110, policy: 'accept' }],
  ['filter-output', { type: 'filter', hook: 'output', priority: -110, policy: 'accept' }],
  ['filter-output-post-dnat', { type: 'filter', hook: 'output', priority: -90, policy: 'accept' }],
  ['nat-prerouting', { type: 'nat', hook: 'prerouting', priority: -100, policy: 'accept' }],
  ['nat-output', { type: 'nat', hook: 'output', priority: -100, policy: 'accept' }],
  ['nat-postrouting', { type: 'nat', hook: 'postrouting', priority: 100, policy: 'accept' }],
];

/** nftablesJumpChains: [destination, source, extra match]. */
const JUMP_CHAINS: readonly (readonly [string, string, string])[] = [
  ['nodeport-endpoints-check', 'filter-input', 'ct state new'],
  ['service-endpoints-check', 'filter-input', 'ct state new'],
  ['service-endpoints-check', 'filter-forward', 'ct state new'],
  ['service-endpoints-check', 'filter-output', 'ct state new'],
  ['firewall-check', 'filter-prerouting', 'ct state new'],
  ['firewall-check', 'filter-output', 'ct state new'],
  ['services', 'nat-output', ''],
  ['services', 'nat-prerouting', ''],
  ['masquerading', 'nat-postrouting', ''],
  ['cluster-ips-check', 'filter-forward', 'ct state new'],
  ['cluster-ips-check', 'filter-output-post-dnat', 'ct state new'],
];

/** `HASH8-name`: the first 8 base32 characters of sha256(name), then the name (kube-proxy's hashAndTruncate). */
export function nftChainNameBase(name: string): string {
  const full = `${base32(sha256(name)).slice(0, 8)}-${name}`;
  return full.length > 240 ? `${full.slice(0, 237)}...` : full;
}

/** `ns/svc/proto/port` with its hash: the suffix of service-/local-/external-/firewall- chains. */
export function nftServiceChainBase(namespace: string, name: string, proto: string, port: string): string {
  return nftChainNameBase(`${namespace}/${name}/${proto}/${port}`);
}

/** `ns/svc/proto/port__ip/port` with its hash: the suffix of endpoint- chains and affinity- sets. */
export function nftEndpointChainBase(
  namespace: string,
  name: string,
  proto: string,
  port: string,
  epIp: string,
  epPort: number,
): string {
  return nftChainNameBase(`${namespace}/${name}/${proto}/${port}__${epIp.replace(/:/g, '.')}/${epPort}`);
}

interface Ep {
  readonly ip: string;
  readonly port: number;
  readonly key: string;
  readonly local: boolean;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly base: string;
}

const lowerProto = (p: L4Protocol): 'tcp' | 'udp' | 'sctp' =>
  p === 'TCP' ? 'tcp' : p === 'UDP' ? 'udp' : 'sctp';
const byKey = (a: { key: string }, b: { key: string }): number =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

/** The endpoints EndpointSliceCache yields for one service port: matched by port name and protocol, IPv4, deduplicated, sorted by `ip:port`. */
function endpointsFor(
  model: ServiceModel,
  svc: ResolvedService,
  sp: ServicePortSpec,
  nodeName: string,
): Ep[] {
  const se = model.endpoints.get(`${svc.namespace}/${svc.name}`);
  if (!se) return [];
  const proto = lowerProto(sp.protocol);
  const out = new Map<string, Ep>();
  for (const slice of se.slices)
    for (const p of slice.ports) {
      if (p.name !== sp.name || p.protocol !== sp.protocol || !(p.port > 0)) continue;
      for (const e of slice.endpoints) {
        const ip = canonIp(e.ip);
        if (ip === undefined) continue;
        const ep = makeEp(e, ip, p.port, svc, sp.name, proto, nodeName);
        if (!out.has(ep.key) || !ep.terminating) out.set(ep.key, ep);
      }
    }
  return [...out.values()].sort(byKey);
}

function makeEp(
  e: EndpointAddress,
  ip: string,
  port: number,
  svc: ResolvedService,
  portName: string,
  proto: string,
  nodeName: string,
): Ep {
  return {
    ip,
    port,
    key: `${ip}:${port}`,
    local: nodeName !== '' && e.nodeName === nodeName,
    ready: e.ready,
    serving: e.serving,
    terminating: e.terminating,
    base: nftEndpointChainBase(svc.namespace, svc.name, proto, portName, ip, port),
  };
}

/** LocalTrafficDetector's nftables forms: [ifLocal, ifNotLocal], or undefined (no-op detector). */
function localDetector(cfg: KubeProxyConfig, node: KubeProxyNode): readonly [string, string] | undefined {
  const byCidr = (text: string | undefined): readonly [string, string] | undefined => {
    const c = text === undefined || text.trim() === '' ? undefined : parseCidrSloppy(text);
    if (c === undefined) return undefined;
    const s = formatCidr(c);
    return [`ip saddr ${s}`, `ip saddr != ${s}`];
  };
  switch (cfg.detectLocalMode) {
    case 'NodeCIDR':
      return byCidr(node.podCIDR);
    case 'BridgeInterface':
      return [`iif ${POD_BRIDGE}`, `iif != ${POD_BRIDGE}`];
    case 'InterfaceNamePrefix':
      return [`iifname ${POD_IFACE_PREFIX}*`, `iifname != ${POD_IFACE_PREFIX}*`];
    default:
      return byCidr(cfg.clusterCIDR);
  }
}

/** The node IPs `--nodeport-addresses` selects (undefined: match all); loopback never qualifies. */
function nodePortIps(cfg: KubeProxyConfig, node: KubeProxyNode): string[] | undefined {
  const cidrs: Cidr[] = [];
  for (const t of cfg.nodePortAddresses) {
    if (t.trim() === 'primary') {
      const a = parseIpv4Sloppy(node.ip);
      if (a !== undefined) cidrs.push({ addr: a, len: 32 });
      continue;
    }
    const c = parseCidrSloppy(t);
    if (c !== undefined) cidrs.push(c);
  }
  if (cidrs.length === 0) return undefined;
  const out: string[] = [];
  for (const t of [node.ip, ...node.addresses]) {
    const a = parseIpv4Sloppy(t);
    if (a === undefined || a >>> 24 === 127) continue;
    const ip = formatIpv4(a);
    if (!out.includes(ip) && cidrs.some((c) => cidrContains(c, a))) out.push(ip);
  }
  return out;
}

class TableBuilder {
  readonly sets: {
    name: string;
    kind: 'set' | 'map';
    type: string;
    flags?: string[];
    timeout?: number;
    comment?: string;
    elements: NftElement[];
  }[] = [];
  readonly chains = new Map<string, { comment?: string; base?: NftBaseChainSpec; rules: string[] }>();

  chain(name: string, extra: { comment?: string; base?: NftBaseChainSpec } = {}): void {
    if (!this.chains.has(name)) this.chains.set(name, { ...extra, rules: [] });
  }
  rule(chain: string, text: string): void {
    this.chain(chain);
    this.chains.get(chain)?.rules.push(text);
  }
  set(s: {
    name: string;
    kind: 'set' | 'map';
    type: string;
    flags?: string[];
    timeout?: number;
    comment?: string;
  }): void {
    if (!this.sets.some((x) => x.name === s.name)) this.sets.push({ ...s, elements: [] });
  }
  element(set: string, key: readonly string[], value?: string, comment?: string): void {
    const s = this.sets.find((x) => x.name === set);
    if (!s) return;
    const el: NftElement = {
      key,
      ...(value !== undefined ? { value } : {}),
      ...(comment !== undefined ? { comment } : {}),
    };
    const i = s.elements.findIndex((e) => e.key.join(' . ') === key.join(' . '));
    if (i >= 0) s.elements[i] = el;
    else s.elements.push(el);
  }
  build(comment: string): NftRuleset {
    const sets: NftSet[] = this.sets.map((s) => ({
      name: s.name,
      kind: s.kind,
      type: s.type,
      ...(s.flags ? { flags: s.flags } : {}),
      ...(s.timeout !== undefined ? { timeout: s.timeout } : {}),
      ...(s.comment !== undefined ? { comment: s.comment } : {}),
      elements: s.elements,
    }));
    const chains: NftChain[] = [...this.chains.entries()].map(([name, c]) => ({
      name,
      ...(c.comment !== undefined ? { comment: c.comment } : {}),
      ...(c.base ? { base: c.base } : {}),
      rules: c.rules.map(nftRule),
    }));
    return { tables: [{ family: 'ip', name: TABLE, comment, sets, chains }] };
  }
}

/** kube-proxy nftables mode on one node (IPv4): the `ip kube-proxy` table after one full sync. */
export function kubeProxyNftables(
  model: ServiceModel,
  node: KubeProxyNode,
  cfg: KubeProxyConfig,
  opts: KubeProxyNftablesOptions = {},
): NftRuleset {
  const mark = opts.masqueradeMark ?? masqueradeMark(cfg.masqueradeBit);
  const detector = localDetector(cfg, node);
  const npIps = nodePortIps(cfg, node);
  const serviceCIDRs = (opts.serviceCIDRs ?? []).filter((c) => c.trim() !== '');
  const noLocalhost = 'ip daddr != 127.0.0.0/8';
  const b = new TableBuilder();

  // setupNFTables
  for (const [name, base] of BASE_CHAINS) b.chain(name, { base });
  for (const [dst, src, extra] of JUMP_CHAINS) {
    b.chain(dst);
    b.rule(src, `${extra === '' ? '' : `${extra} `}jump ${dst}`);
  }
  for (const c of ['services', 'cluster-ips-check', 'masquerading', 'mark-for-masquerade']) b.chain(c);
  b.rule('mark-for-masquerade', `mark set mark or ${mark}`);
  b.rule('masquerading', `mark and ${mark} == 0 return`);
  b.rule('masquerading', `mark set mark xor ${mark}`);
  b.rule('masquerading', 'masquerade fully-random');
  b.set({ name: 'cluster-ips', kind: 'set', type: 'ipv4_addr', comment: 'Active ClusterIPs' });
  b.rule(
    'cluster-ips-check',
    'ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"',
  );
  if (serviceCIDRs.length > 0)
    b.rule(
      'cluster-ips-check',
      `ip daddr { ${serviceCIDRs.join(',')} } drop comment "Drop traffic to unallocated ClusterIPs"`,
    );
  if (npIps !== undefined) {
    b.set({
      name: 'nodeport-ips',
      kind: 'set',
      type: 'ipv4_addr',
      comment: 'IPs that accept NodePort traffic',
    });
    for (const ip of npIps) b.element('nodeport-ips', [ip]);
  }
  b.set({
    name: 'no-endpoint-services',
    kind: 'map',
    type: 'ipv4_addr . inet_proto . inet_service : verdict',
    comment: 'vmap to drop or reject packets to services with no endpoints',
  });
  b.set({
    name: 'no-endpoint-nodeports',
    kind: 'map',
    type: 'inet_proto . inet_service : verdict',
    comment: 'vmap to drop or reject packets to service nodeports with no endpoints',
  });
  b.chain('reject-chain', { comment: 'helper for @no-endpoint-services / @no-endpoint-nodeports' });
  b.rule('reject-chain', 'reject');
  b.rule('service-endpoints-check', 'ip daddr . meta l4proto . th dport vmap @no-endpoint-services');
  b.rule(
    'nodeport-endpoints-check',
    npIps === undefined
      ? `${noLocalhost} meta l4proto . th dport vmap @no-endpoint-nodeports`
      : 'ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports',
  );
  b.set({
    name: 'firewall-ips',
    kind: 'map',
    type: 'ipv4_addr . inet_proto . inet_service : verdict',
    comment: 'destinations that are subject to LoadBalancerSourceRanges',
  });
  b.rule('firewall-check', 'ip daddr . meta l4proto . th dport vmap @firewall-ips');
  b.set({
    name: 'service-ips',
    kind: 'map',
    type: 'ipv4_addr . inet_proto . inet_service : verdict',
    comment: 'ClusterIP, ExternalIP and LoadBalancer IP traffic',
  });
  b.set({
    name: 'service-nodeports',
    kind: 'map',
    type: 'inet_proto . inet_service : verdict',
    comment: 'NodePort traffic',
  });
  b.rule('services', 'ip daddr . meta l4proto . th dport vmap @service-ips');
  b.rule(
    'services',
    npIps === undefined
      ? `fib daddr type local ${noLocalhost} meta l4proto . th dport vmap @service-nodeports`
      : 'ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports',
  );

  // syncProxyRules, one service port at a time (Podpath's order: service port name, then protocol)
  const ports: { svc: ResolvedService; sp: ServicePortSpec; name: string; proto: 'tcp' | 'udp' | 'sctp' }[] =
    [];
  for (const svc of model.services) {
    if (svc.type === 'ExternalName' || svc.headless) continue;
    if (canonIp(svc.clusterIP) === undefined) continue;
    for (const sp of svc.ports)
      ports.push({
        svc,
        sp,
        name: servicePortName(svc.namespace, svc.name, sp.name),
        proto: lowerProto(sp.protocol),
      });
  }
  ports.sort((a, b2) =>
    a.name < b2.name ? -1 : a.name > b2.name ? 1 : a.proto < b2.proto ? -1 : a.proto > b2.proto ? 1 : 0,
  );

  for (const { svc, sp, name, proto } of ports) {
    const clusterIP = canonIp(svc.clusterIP) ?? '';
    const port = String(sp.port);
    const externalIPs = svc.externalIPs.flatMap((t) => canonIp(t) ?? []);
    const lbIPs = svc.loadBalancerIPs.flatMap((t) => canonIp(t) ?? []);
    const sourceRanges = svc.loadBalancerSourceRanges.flatMap((t) => parseCidrSloppy(t) ?? []);
    const externallyAccessible = sp.nodePort !== 0 || lbIPs.length > 0 || externalIPs.length > 0;
    const svcExternal = svc.type === 'LoadBalancer' || svc.type === 'NodePort' || externalIPs.length > 0;
    const externalPolicyLocal = svcExternal && svc.externalTrafficPolicy === 'Local';
    const internalPolicyLocal = svc.internalTrafficPolicy === 'Local';
    const usesCluster = !internalPolicyLocal || (externallyAccessible && !externalPolicyLocal);
    const usesLocal = internalPolicyLocal || (externallyAccessible && externalPolicyLocal);
    const eps = endpointsFor(model, svc, sp, node.name);
    const { cluster, local, reachable, hasAny } = categorizeEndpoints(eps, usesCluster, usesLocal);
    const base = nftServiceChainBase(svc.namespace, svc.name, proto, sp.name);
    const clusterChain = `service-${base}`;
    const localChain = `local-${base}`;
    const extChain = `external-${base}`;
    const fwChain = `firewall-${base}`;
    const affinity = svc.sessionAffinity === 'ClientIP';

    for (const e of reachable) b.chain(`endpoint-${e.base}`);
    const usesClusterChain = cluster.length > 0 && usesCluster;
    if (usesClusterChain) b.chain(clusterChain);
    const usesLocalChain = local.length > 0 && usesLocal;
    if (usesLocalChain) b.chain(localChain);

    const internalChain = internalPolicyLocal ? localChain : clusterChain;
    const hasInternal = hasAny && !(internalPolicyLocal && local.length === 0);
    const externalPolicyChain = externalPolicyLocal ? localChain : clusterChain;
    const hasExternal = hasAny && !(externalPolicyLocal && local.length === 0);
    const usesExtChain = hasAny && externallyAccessible;
    if (usesExtChain) b.chain(extChain);

    let intVerdict = '';
    let extVerdict = '';
    if (!hasAny) intVerdict = extVerdict = 'goto reject-chain';
    else {
      if (!hasInternal) intVerdict = 'drop';
      if (!hasExternal) extVerdict = 'drop';
    }

    b.element('cluster-ips', [clusterIP]);
    if (hasInternal) b.element('service-ips', [clusterIP, proto, port], `goto ${internalChain}`);
    else b.element('no-endpoint-services', [clusterIP, proto, port], intVerdict, name);

    for (const ip of externalIPs) {
      if (hasAny) b.element('service-ips', [ip, proto, port], `goto ${extChain}`);
      if (!hasExternal) b.element('no-endpoint-services', [ip, proto, port], extVerdict, name);
    }

    const usesFwChain = lbIPs.length > 0 && sourceRanges.length > 0;
    if (usesFwChain) b.chain(fwChain);
    for (const ip of lbIPs) {
      if (hasAny) b.element('service-ips', [ip, proto, port], `goto ${extChain}`);
      if (usesFwChain) b.element('firewall-ips', [ip, proto, port], `goto ${fwChain}`);
    }
    if (!hasExternal)
      for (const ip of lbIPs) b.element('no-endpoint-services', [ip, proto, port], extVerdict, name);

    if (sp.nodePort !== 0) {
      const np = String(sp.nodePort);
      if (hasAny) b.element('service-nodeports', [proto, np], `goto ${extChain}`);
      if (!hasExternal) b.element('no-endpoint-nodeports', [proto, np], extVerdict, name);
    }

    if (hasInternal) {
      const head = `ip daddr ${clusterIP} ${proto} dport ${port}`;
      if (cfg.masqueradeAll) b.rule(internalChain, `${head} jump mark-for-masquerade`);
      else if (detector) b.rule(internalChain, `${head} ${detector[1]} jump mark-for-masquerade`);
    }

    if (usesExtChain) {
      if (!externalPolicyLocal) b.rule(extChain, 'jump mark-for-masquerade');
      else {
        if (detector)
          b.rule(extChain, `${detector[0]} goto ${clusterChain} comment "short-circuit pod traffic"`);
        b.rule(extChain, 'fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"');
        b.rule(extChain, `fib saddr type local goto ${clusterChain} comment "short-circuit local traffic"`);
      }
      if (hasExternal) b.rule(extChain, `goto ${externalPolicyChain}`);
    }

    if (usesFwChain) {
      const sources = sourceRanges.map(formatCidr);
      const nodeIp = parseIpv4Sloppy(node.ip);
      if (nodeIp !== undefined && sourceRanges.some((c) => cidrContains(c, nodeIp))) sources.push(...lbIPs);
      b.rule(fwChain, `ip saddr != { ${sources.join(' , ')} } drop`);
    }

    if (affinity)
      for (const e of reachable)
        b.set({
          name: `affinity-${e.base}`,
          kind: 'set',
          type: 'ipv4_addr',
          flags: ['dynamic', 'timeout'],
          timeout: svc.affinityTimeoutSeconds,
        });

    const toEndpoints = (chain: string, list: readonly Ep[]): void => {
      if (affinity)
        for (const e of list) b.rule(chain, `ip saddr @affinity-${e.base} goto endpoint-${e.base}`);
      const els = list.map((e, i) => `${i} : goto endpoint-${e.base}`).join(' , ');
      b.rule(chain, `numgen random mod ${list.length} vmap { ${els} }`);
    };
    if (usesClusterChain) toEndpoints(clusterChain, cluster);
    if (usesLocalChain) toEndpoints(localChain, local);

    for (const e of reachable) {
      const chain = `endpoint-${e.base}`;
      b.rule(chain, `ip saddr ${e.ip} jump mark-for-masquerade`);
      if (affinity) b.rule(chain, `update @affinity-${e.base} { ip saddr }`);
      b.rule(chain, `meta l4proto ${proto} dnat to ${e.key}`);
    }
  }

  return b.build('rules for kube-proxy');
}
