import { canonIp, categorizeEndpoints, parseCidrSloppy, type Categorized } from './common';
import { base32, sha256 } from '../../core/sha256';
import { cidrContains, formatCidr, networkOf, parseIpv4Sloppy, type Cidr } from '../../dataplane/addr/ipv4';
import type { KubeProxyConfig } from '../../model/lab';
import type {
  EndpointAddress,
  L4Protocol,
  ResolvedService,
  ServiceModel,
  ServicePortSpec,
} from '../services/types';

/**
 * kube-proxy in iptables mode (pkg/proxy/iptables/proxier.go, ≈v1.31+, the version whose unit
 * tests carry the nfacct rules): what one full `syncProxyRules` leaves on a node, written as the
 * iptables-restore text kube-proxy itself writes (its own argument order; the netfilter layer
 * stores the rules and prints them back the way iptables-save does).
 */

/** What kube-proxy knows about the node it runs on. */
export interface KubeProxyNode {
  readonly name: string;
  /** The node's primary IP (status.addresses InternalIP). */
  readonly ip: string;
  /** Every local IPv4 address (for --nodeport-addresses and localhost NodePorts). */
  readonly addresses: readonly string[];
  /** spec.podCIDR, for detectLocalMode NodeCIDR. */
  readonly podCIDR?: string;
}

/**
 * kube-proxy's iptables programming for one node, as iptables-restore lines in the order kube-proxy
 * writes them. `jumps` are the rules kube-proxy "ensures" in built-in chains (inserted at the top,
 * in this order, so the last one ends up first); `chains` are the chains it creates per table, even
 * when empty, in creation order (KUBE-PROXY-CANARY in all three tables, the jump targets, then the
 * restore's ":KUBE-… - [0:0]" lines); `rules` are the "-A …" lines per table (none in mangle).
 *
 * `jumps` starts with the two `-j KUBE-FIREWALL` rules: kubelet installs them (prepended) before
 * kube-proxy's first sync and kube-proxy's own "ensure" then finds them present, so on a real node
 * they end up *below* kube-proxy's jumps in INPUT/OUTPUT.
 */
export interface KubeProxyIptables {
  readonly jumps: readonly { readonly table: 'filter' | 'nat' | 'mangle'; readonly line: string }[];
  readonly chains: Readonly<Record<'filter' | 'nat' | 'mangle', readonly string[]>>;
  readonly rules: Readonly<Record<'filter' | 'nat' | 'mangle', readonly string[]>>;
}

/** Properties of the node's kernel and iptables binary that kube-proxy probes at start-up. */
export interface KubeProxyHostFeatures {
  /**
   * `iptables` supports `MASQUERADE --random-fully` (iptables ≥ 1.6.2 on kernel ≥ 3.13, so every
   * current node). Default **false**: the upstream fixtures Podpath is checked against come from
   * kube-proxy's fake iptables, which reports no support, and a rule's target options are part of
   * what the checks compare.
   */
  readonly randomFully?: boolean;
  /** The nfacct counters `ct_state_invalid_dropped_pkts` / `localhost_nps_accepted_pkts` exist (default true). */
  readonly nfacct?: boolean;
  /** `net.netfilter.nf_conntrack_tcp_be_liberal` is non-zero: no INVALID-drop rule (default false). */
  readonly conntrackTcpLiberal?: boolean;
}

/** More endpoints than this in all Services: kube-proxy leaves the comments off SVC/SEP rules. */
const LARGE_CLUSTER_ENDPOINTS = 1000;

/** The bridge / veth prefix for detectLocalMode BridgeInterface / InterfaceNamePrefix (flannel's cni0 and veth*). */
const POD_BRIDGE = 'cni0';
const POD_IFACE_PREFIX = 'veth';

const NODEPORTS_LAST_COMMENT =
  '"kubernetes service nodeports; NOTE: this must be the last rule in this chain"';

/** `<prefix><first 16 chars of base32(sha256(text))>`, as kube-proxy names its chains. */
export function hashedChainName(prefix: string, text: string): string {
  return prefix + base32(sha256(text)).slice(0, 16);
}

/** kube-proxy's ServicePortName.String(): `ns/name`, plus `:port` when the port has a name. */
export function servicePortName(namespace: string, name: string, port: string): string {
  return port === '' ? `${namespace}/${name}` : `${namespace}/${name}:${port}`;
}

/**
 * Go `fmt.Sprintf("%0.10f", 1.0/float64(n))`. JavaScript's toFixed rounds the same exact binary
 * value, except on an exact tie, which Go breaks to even and toFixed upwards; 1/n is an exact tie
 * at ten decimals only for n = 2^k, k ≥ 11 (1/2048 = 0.00048828125), computed exactly here.
 */
export function probability(n: number): string {
  const k = Math.log2(n);
  if (Number.isInteger(k) && k > 10) {
    const digits = (5n ** BigInt(k)).toString().padStart(k, '0'); // 1/2^k = 5^k / 10^k
    const rest = digits.slice(10);
    const half = `5${'0'.repeat(rest.length - 1)}`;
    let v = BigInt(digits.slice(0, 10));
    if (rest > half || (rest === half && v % 2n === 1n)) v += 1n;
    return `0.${v.toString().padStart(10, '0')}`;
  }
  return (1 / n).toFixed(10);
}

/** Go `fmt.Sprintf("%#08x", 1<<bit)`: eight hex digits after the 0x (bit 14 → 0x00004000). */
export function masqueradeMark(bit: number): string {
  return `0x${(2 ** bit).toString(16).padStart(8, '0')}`;
}

interface Ep {
  readonly ip: string;
  readonly port: number;
  /** `ip:port`, the endpoint's String(). */
  readonly key: string;
  readonly local: boolean;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly chain: string;
}

interface SvcPort {
  readonly svc: ResolvedService;
  readonly port: ServicePortSpec;
  readonly proto: 'tcp' | 'udp' | 'sctp';
  readonly name: string;
  readonly hash: string;
  readonly clusterIP: string;
  readonly externalIPs: readonly string[];
  readonly lbIPs: readonly string[];
  readonly sourceRanges: readonly Cidr[];
  readonly externalPolicyLocal: boolean;
  readonly internalPolicyLocal: boolean;
  readonly healthCheckNodePort: number;
  readonly endpoints: readonly Ep[];
}

function lowerProto(p: L4Protocol): 'tcp' | 'udp' | 'sctp' {
  return p === 'TCP' ? 'tcp' : p === 'UDP' ? 'udp' : 'sctp';
}

/**
 * The endpoints kube-proxy's EndpointSliceCache yields for one service port: IPv4 slices, ports matched
 * by name and protocol (port 0 ignored), IPv4 addresses only, one entry per `ip:port` (a
 * non-terminating one wins over a terminating duplicate), sorted by the `ip:port` string.
 */
function endpointsFor(
  model: ServiceModel,
  svc: ResolvedService,
  sp: ServicePortSpec,
  spName: string,
  proto: string,
  nodeName: string,
): Ep[] {
  const se = model.endpoints.get(`${svc.namespace}/${svc.name}`);
  if (!se) return [];
  const byKey = new Map<string, Ep>();
  for (const slice of se.slices) {
    // The IPv4 proxier only tracks IPv4 slices (IPv6 and FQDN ones belong to no proxier).
    if (slice.addressType !== undefined && slice.addressType !== 'IPv4') continue;
    for (const p of slice.ports) {
      if (p.name !== sp.name || p.protocol !== sp.protocol || !(p.port > 0)) continue;
      for (const e of slice.endpoints) {
        const ip = canonIp(e.ip);
        if (ip === undefined) continue;
        const ep = makeEp(e, ip, p.port, spName, proto, nodeName);
        if (!byKey.has(ep.key) || !ep.terminating) byKey.set(ep.key, ep);
      }
    }
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function makeEp(
  e: EndpointAddress,
  ip: string,
  port: number,
  spName: string,
  proto: string,
  nodeName: string,
): Ep {
  const key = `${ip}:${port}`;
  return {
    ip,
    port,
    key,
    local: nodeName !== '' && e.nodeName === nodeName,
    ready: e.ready,
    serving: e.serving,
    terminating: e.terminating,
    chain: hashedChainName('KUBE-SEP-', spName + proto + key),
  };
}

/** The service ports kube-proxy programs (it skips headless, ExternalName and IP-less Services). */
function servicePorts(model: ServiceModel, nodeName: string): SvcPort[] {
  const out: SvcPort[] = [];
  for (const svc of model.services) {
    if (svc.type === 'ExternalName' || svc.headless) continue;
    const clusterIP = canonIp(svc.clusterIP);
    if (clusterIP === undefined) continue;
    const externalPolicyLocal =
      (svc.type === 'LoadBalancer' || svc.type === 'NodePort') && svc.externalTrafficPolicy === 'Local';
    const externalIPs = svc.externalIPs.flatMap((t) => canonIp(t) ?? []);
    const lbIPs = svc.loadBalancerIPs.flatMap((t) => canonIp(t) ?? []);
    const sourceRanges = svc.loadBalancerSourceRanges.flatMap((t) => parseCidrSloppy(t) ?? []);
    const healthCheckNodePort =
      svc.type === 'LoadBalancer' && externalPolicyLocal ? svc.healthCheckNodePort : 0;
    for (const port of svc.ports) {
      const proto = lowerProto(port.protocol);
      const name = servicePortName(svc.namespace, svc.name, port.name);
      out.push({
        svc,
        port,
        proto,
        name,
        hash: base32(sha256(name + proto)).slice(0, 16),
        clusterIP,
        externalIPs,
        lbIPs,
        sourceRanges,
        externalPolicyLocal,
        internalPolicyLocal: svc.internalTrafficPolicy === 'Local',
        healthCheckNodePort,
        endpoints: endpointsFor(model, svc, port, name, proto, nodeName),
      });
    }
  }
  // kube-proxy walks a Go map (random order); Podpath uses the service port name, then protocol.
  return out.sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.proto < b.proto ? -1 : a.proto > b.proto ? 1 : 0,
  );
}

function categorize(sp: SvcPort, externallyAccessible: boolean): Categorized<Ep> {
  const usesCluster = !sp.internalPolicyLocal || externallyAccessible;
  const usesLocal = sp.internalPolicyLocal || (sp.externalPolicyLocal && externallyAccessible);
  return categorizeEndpoints(sp.endpoints, usesCluster, usesLocal);
}

/** pkg/proxy/util LocalTrafficDetector: argument lists for "source is a local pod" and its negation. */
function localDetector(
  cfg: KubeProxyConfig,
  node: KubeProxyNode,
): { ifLocal: string; ifNotLocal: string } | undefined {
  const byCidr = (text: string | undefined): { ifLocal: string; ifNotLocal: string } | undefined => {
    const c = text === undefined || text.trim() === '' ? undefined : parseCidrSloppy(text);
    if (c === undefined) return undefined;
    const s = formatCidr(c);
    return { ifLocal: `-s ${s}`, ifNotLocal: `! -s ${s}` };
  };
  switch (cfg.detectLocalMode) {
    case 'NodeCIDR':
      return byCidr(node.podCIDR);
    case 'BridgeInterface':
      return { ifLocal: `-i ${POD_BRIDGE}`, ifNotLocal: `! -i ${POD_BRIDGE}` };
    case 'InterfaceNamePrefix':
      return { ifLocal: `-i ${POD_IFACE_PREFIX}+`, ifNotLocal: `! -i ${POD_IFACE_PREFIX}+` };
    default:
      return byCidr(cfg.clusterCIDR);
  }
}

/** proxyutil.NodePortAddresses for IPv4: match-all when no IPv4 CIDR is given; "primary" is the node IP. */
function nodePortAddresses(
  cfg: KubeProxyConfig,
  node: KubeProxyNode,
): { matchAll: boolean; cidrs: Cidr[]; containsLoopback: boolean } {
  const cidrs: Cidr[] = [];
  for (const t of cfg.nodePortAddresses) {
    if (t.trim() === 'primary') {
      const ip = canonIp(node.ip);
      const a = ip === undefined ? undefined : parseIpv4Sloppy(ip);
      if (a !== undefined) cidrs.push({ addr: a, len: 32 });
      continue;
    }
    const c = parseCidrSloppy(t);
    if (c !== undefined) cidrs.push(c);
  }
  if (cidrs.length === 0) return { matchAll: true, cidrs, containsLoopback: true };
  const lo = parseIpv4Sloppy('127.0.0.1') ?? 0;
  return { matchAll: false, cidrs, containsLoopback: cidrs.some((c) => cidrContains(c, lo)) };
}

/** The node's addresses as InterfaceAddrs lists them: lo (127.0.0.1) first, then the others. */
function nodeAddresses(node: KubeProxyNode): string[] {
  const out = ['127.0.0.1'];
  for (const t of [node.ip, ...node.addresses]) {
    const ip = canonIp(t);
    if (ip !== undefined && !out.includes(ip)) out.push(ip);
  }
  return out;
}

/**
 * One full kube-proxy sync (iptables mode, IPv4) for `node`. Optional `features` describe the
 * node's kernel and iptables binary (see KubeProxyHostFeatures; defaults match the upstream
 * fixtures: no `--random-fully`, nfacct counters present, conntrack not liberal).
 */
export function kubeProxyIptables(
  model: ServiceModel,
  node: KubeProxyNode,
  cfg: KubeProxyConfig,
  features: KubeProxyHostFeatures = {},
): KubeProxyIptables {
  const randomFully = features.randomFully ?? false;
  const nfacct = features.nfacct ?? true;
  const liberal = features.conntrackTcpLiberal ?? false;
  const mark = masqueradeMark(cfg.masqueradeBit);
  const detector = localDetector(cfg, node);
  const npa = nodePortAddresses(cfg, node);
  const localhostNodePorts = cfg.localhostNodePorts && npa.containsLoopback;

  // The "ensure rule, prepend" jumps: kubelet's KUBE-FIREWALL pair first (installed before
  // kube-proxy runs), then iptablesJumpChains in kube-proxy's order.
  const jumpSpecs: [table: 'filter' | 'nat', from: string, to: string, extra: string, comment: string][] = [
    ['filter', 'INPUT', 'KUBE-FIREWALL', '', ''],
    ['filter', 'OUTPUT', 'KUBE-FIREWALL', '', ''],
    [
      'filter',
      'INPUT',
      'KUBE-EXTERNAL-SERVICES',
      '-m conntrack --ctstate NEW',
      'kubernetes externally-visible service portals',
    ],
    [
      'filter',
      'FORWARD',
      'KUBE-EXTERNAL-SERVICES',
      '-m conntrack --ctstate NEW',
      'kubernetes externally-visible service portals',
    ],
    ['filter', 'INPUT', 'KUBE-NODEPORTS', '', 'kubernetes health check service ports'],
    ['filter', 'FORWARD', 'KUBE-SERVICES', '-m conntrack --ctstate NEW', 'kubernetes service portals'],
    ['filter', 'OUTPUT', 'KUBE-SERVICES', '-m conntrack --ctstate NEW', 'kubernetes service portals'],
    ['filter', 'FORWARD', 'KUBE-FORWARD', '', 'kubernetes forwarding rules'],
    [
      'filter',
      'INPUT',
      'KUBE-PROXY-FIREWALL',
      '-m conntrack --ctstate NEW',
      'kubernetes load balancer firewall',
    ],
    [
      'filter',
      'OUTPUT',
      'KUBE-PROXY-FIREWALL',
      '-m conntrack --ctstate NEW',
      'kubernetes load balancer firewall',
    ],
    [
      'filter',
      'FORWARD',
      'KUBE-PROXY-FIREWALL',
      '-m conntrack --ctstate NEW',
      'kubernetes load balancer firewall',
    ],
    ['nat', 'OUTPUT', 'KUBE-SERVICES', '', 'kubernetes service portals'],
    ['nat', 'PREROUTING', 'KUBE-SERVICES', '', 'kubernetes service portals'],
    ['nat', 'POSTROUTING', 'KUBE-POSTROUTING', '', 'kubernetes postrouting rules'],
  ];
  const jumps = jumpSpecs.map(([table, from, to, extra, comment]) => ({
    table,
    line: [`-A ${from}`, extra, comment === '' ? '' : `-m comment --comment "${comment}"`, `-j ${to}`]
      .filter((s) => s !== '')
      .join(' '),
  }));

  // Chains in creation order: the canary (ipt.Monitor, at start-up), the jump targets, then the
  // chains the restore declares.
  const chains: Record<'filter' | 'nat' | 'mangle', string[]> = {
    mangle: ['KUBE-PROXY-CANARY'],
    filter: ['KUBE-PROXY-CANARY'],
    nat: ['KUBE-PROXY-CANARY'],
  };
  const declared = { filter: new Set(chains.filter), nat: new Set(chains.nat) };
  const declare = (t: 'filter' | 'nat', c: string): void => {
    if (declared[t].has(c)) return;
    declared[t].add(c);
    chains[t].push(c);
  };
  for (const [t, , to] of jumpSpecs) declare(t, to);

  const filter: string[] = [];
  const nat: string[] = [];
  for (const c of [
    'KUBE-SERVICES',
    'KUBE-EXTERNAL-SERVICES',
    'KUBE-FORWARD',
    'KUBE-NODEPORTS',
    'KUBE-PROXY-FIREWALL',
  ])
    declare('filter', c);
  for (const c of ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'])
    declare('nat', c);

  nat.push(`-A KUBE-POSTROUTING -m mark ! --mark ${mark}/${mark} -j RETURN`);
  nat.push(`-A KUBE-POSTROUTING -j MARK --xor-mark ${mark}`);
  nat.push(
    `-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE${randomFully ? ' --random-fully' : ''}`,
  );
  nat.push(`-A KUBE-MARK-MASQ -j MARK --or-mark ${mark}`);

  if (localhostNodePorts) {
    declare('filter', 'KUBE-FIREWALL');
    filter.push(
      '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    );
  }

  const ports = servicePorts(model, node.name);
  const totalEndpoints = ports.reduce((n, sp) => n + sp.endpoints.length, 0);
  const largeCluster = totalEndpoints > LARGE_CLUSTER_ENDPOINTS;
  const svcComment = (c: string): string => (largeCluster ? '' : ` -m comment --comment ${c}`);

  for (const sp of ports) {
    const { name, proto, hash } = sp;
    const portNum = sp.port.port;
    const nodePort = sp.port.nodePort;
    const externallyAccessible = nodePort !== 0 || sp.lbIPs.length > 0 || sp.externalIPs.length > 0;
    const { cluster, local, reachable, hasAny } = categorize(sp, externallyAccessible);
    const svcChain = `KUBE-SVC-${hash}`;
    const svlChain = `KUBE-SVL-${hash}`;
    const extChain = `KUBE-EXT-${hash}`;
    const fwChain = `KUBE-FW-${hash}`;
    const usesClusterEndpoints = !sp.internalPolicyLocal || externallyAccessible;
    const usesLocalEndpoints = sp.internalPolicyLocal || (sp.externalPolicyLocal && externallyAccessible);
    const usesClusterChain = cluster.length > 0 && usesClusterEndpoints;
    const usesLocalChain = local.length > 0 && usesLocalEndpoints;

    const internalChain = sp.internalPolicyLocal ? svlChain : svcChain;
    const hasInternal = hasAny && !(sp.internalPolicyLocal && local.length === 0);
    const externalPolicyChain = sp.externalPolicyLocal ? svlChain : svcChain;
    const hasExternal = hasAny && !(sp.externalPolicyLocal && local.length === 0);
    const usesExtChain = hasAny && externallyAccessible;
    const usesFwChain = hasAny && sp.lbIPs.length > 0 && sp.sourceRanges.length > 0;
    const lbChain = usesFwChain ? fwChain : extChain;

    let intTarget = '';
    let intComment = '';
    let extTarget = '';
    let extComment = '';
    if (!hasAny) {
      intTarget = extTarget = 'REJECT';
      intComment = extComment = `"${name} has no endpoints"`;
    } else {
      if (!hasInternal) {
        intTarget = 'DROP';
        intComment = `"${name} has no local endpoints"`;
      }
      if (!hasExternal) {
        extTarget = 'DROP';
        extComment = `"${name} has no local endpoints"`;
      }
    }
    const match = `-m ${proto} -p ${proto}`;

    // Capture the ClusterIP.
    if (hasInternal)
      nat.push(
        `-A KUBE-SERVICES -m comment --comment "${name} cluster IP" ${match} -d ${sp.clusterIP} --dport ${portNum} -j ${internalChain}`,
      );
    else
      filter.push(
        `-A KUBE-SERVICES -m comment --comment ${intComment} ${match} -d ${sp.clusterIP} --dport ${portNum} -j ${intTarget}`,
      );

    // External IPs.
    for (const ip of sp.externalIPs) {
      if (hasAny)
        nat.push(
          `-A KUBE-SERVICES -m comment --comment "${name} external IP" ${match} -d ${ip} --dport ${portNum} -j ${extChain}`,
        );
      if (!hasExternal)
        filter.push(
          `-A KUBE-EXTERNAL-SERVICES -m comment --comment ${extComment} ${match} -d ${ip} --dport ${portNum} -j ${extTarget}`,
        );
    }

    // Load-balancer ingress IPs.
    for (const ip of sp.lbIPs) {
      if (hasAny)
        nat.push(
          `-A KUBE-SERVICES -m comment --comment "${name} loadbalancer IP" ${match} -d ${ip} --dport ${portNum} -j ${lbChain}`,
        );
      if (usesFwChain)
        filter.push(
          `-A KUBE-PROXY-FIREWALL -m comment --comment "${name} traffic not accepted by ${fwChain}" ${match} -d ${ip} --dport ${portNum} -j DROP`,
        );
    }
    if (!hasExternal)
      for (const ip of sp.lbIPs)
        filter.push(
          `-A KUBE-EXTERNAL-SERVICES -m comment --comment ${extComment} ${match} -d ${ip} --dport ${portNum} -j ${extTarget}`,
        );

    // NodePort.
    if (nodePort !== 0) {
      if (hasAny) {
        if (localhostNodePorts && nfacct)
          nat.push(
            `-A KUBE-NODEPORTS -m comment --comment ${name} ${match} -d 127.0.0.0/8 --dport ${nodePort} -m nfacct --nfacct-name localhost_nps_accepted_pkts -j ${extChain}`,
          );
        nat.push(
          `-A KUBE-NODEPORTS -m comment --comment ${name} ${match} --dport ${nodePort} -j ${extChain}`,
        );
      }
      if (!hasExternal)
        filter.push(
          `-A KUBE-EXTERNAL-SERVICES -m comment --comment ${extComment} -m addrtype --dst-type LOCAL ${match} --dport ${nodePort} -j ${extTarget}`,
        );
    }

    // healthCheckNodePort (LoadBalancer with externalTrafficPolicy Local), local endpoints or not.
    if (sp.healthCheckNodePort !== 0)
      filter.push(
        `-A KUBE-NODEPORTS -m comment --comment "${name} health check node port" -m tcp -p tcp --dport ${sp.healthCheckNodePort} -j ACCEPT`,
      );

    // Internal traffic: masquerade off-cluster sources (or everything with masqueradeAll).
    if (hasInternal) {
      const args = `-m comment --comment "${name} cluster IP" ${match} -d ${sp.clusterIP} --dport ${portNum}`;
      if (cfg.masqueradeAll) nat.push(`-A ${internalChain} ${args} -j KUBE-MARK-MASQ`);
      else if (detector) nat.push(`-A ${internalChain} ${args} ${detector.ifNotLocal} -j KUBE-MARK-MASQ`);
    }

    // External traffic chain.
    if (usesExtChain) {
      declare('nat', extChain);
      if (!sp.externalPolicyLocal)
        nat.push(
          `-A ${extChain} -m comment --comment "masquerade traffic for ${name} external destinations" -j KUBE-MARK-MASQ`,
        );
      else {
        if (detector)
          nat.push(
            `-A ${extChain} -m comment --comment "pod traffic for ${name} external destinations" ${detector.ifLocal} -j ${svcChain}`,
          );
        nat.push(
          `-A ${extChain} -m comment --comment "masquerade LOCAL traffic for ${name} external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
        );
        nat.push(
          `-A ${extChain} -m comment --comment "route LOCAL traffic for ${name} external destinations" -m addrtype --src-type LOCAL -j ${svcChain}`,
        );
      }
      if (hasExternal) nat.push(`-A ${extChain} -j ${externalPolicyChain}`);
    }

    // loadBalancerSourceRanges.
    if (usesFwChain) {
      declare('nat', fwChain);
      const head = `-A ${fwChain} -m comment --comment "${name} loadbalancer IP"`;
      const nodeIp = parseIpv4Sloppy(node.ip);
      let allowFromNode = false;
      for (const c of sp.sourceRanges) {
        nat.push(`${head} -s ${formatCidr(c)} -j ${extChain}`);
        if (nodeIp !== undefined && cidrContains(c, nodeIp)) allowFromNode = true;
      }
      if (allowFromNode) for (const ip of sp.lbIPs) nat.push(`${head} -s ${ip} -j ${extChain}`);
      nat.push(
        `-A ${fwChain} -m comment --comment "other traffic to ${name} will be dropped by KUBE-PROXY-FIREWALL"`,
      );
    }

    const toEndpoints = (chain: string, eps: readonly Ep[]): void => {
      if (sp.svc.sessionAffinity === 'ClientIP')
        for (const e of eps)
          nat.push(
            `-A ${chain}${svcComment(`"${name} -> ${e.key}"`)} -m recent --name ${e.chain} --rcheck --seconds ${sp.svc.affinityTimeoutSeconds} --reap -j ${e.chain}`,
          );
      eps.forEach((e, i) => {
        const stat =
          i < eps.length - 1
            ? ` -m statistic --mode random --probability ${probability(eps.length - i)}`
            : '';
        nat.push(`-A ${chain}${svcComment(`"${name} -> ${e.key}"`)}${stat} -j ${e.chain}`);
      });
    };
    if (usesClusterChain) {
      declare('nat', svcChain);
      toEndpoints(svcChain, cluster);
    }
    if (usesLocalChain) {
      declare('nat', svlChain);
      toEndpoints(svlChain, local);
    }

    // Per-endpoint chains: hairpin masquerade, then DNAT.
    for (const e of reachable) {
      declare('nat', e.chain);
      const head = `-A ${e.chain}${svcComment(name)}`;
      nat.push(`${head} -s ${e.ip} -j KUBE-MARK-MASQ`);
      const recent = sp.svc.sessionAffinity === 'ClientIP' ? ` -m recent --name ${e.chain} --set` : '';
      nat.push(`${head}${recent} ${match} -j DNAT --to-destination ${e.key}`);
    }
  }

  // The tail call to KUBE-NODEPORTS, last in nat KUBE-SERVICES.
  if (npa.matchAll) {
    const notLo = localhostNodePorts ? '' : ' ! -d 127.0.0.0/8';
    nat.push(
      `-A KUBE-SERVICES -m comment --comment ${NODEPORTS_LAST_COMMENT} -m addrtype --dst-type LOCAL${notLo} -j KUBE-NODEPORTS`,
    );
  } else {
    const lo = parseIpv4Sloppy('127.0.0.1') ?? 0;
    for (const ip of nodeAddresses(node)) {
      const a = parseIpv4Sloppy(ip);
      if (a === undefined || !npa.cidrs.some((c) => cidrContains(c, a))) continue;
      if (networkOf(a, 8) === networkOf(lo, 8) && !localhostNodePorts) continue;
      nat.push(`-A KUBE-SERVICES -m comment --comment ${NODEPORTS_LAST_COMMENT} -d ${ip} -j KUBE-NODEPORTS`);
    }
  }

  // KUBE-FORWARD.
  if (!liberal)
    filter.push(
      `-A KUBE-FORWARD -m conntrack --ctstate INVALID${nfacct ? ' -m nfacct --nfacct-name ct_state_invalid_dropped_pkts' : ''} -j DROP`,
    );
  filter.push(
    `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${mark}/${mark} -j ACCEPT`,
  );
  filter.push(
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  );

  return { jumps, chains, rules: { filter, nat, mangle: [] } };
}
