import { canonIp, categorizeEndpoints, parseCidrSloppy } from './common';
import { cidrContains, formatCidr, parseIpv4Sloppy, type Cidr } from '../../dataplane/addr/ipv4';
import type { IpSet, IpvsRealServer, IpvsTable, IpvsVirtualServer } from '../../dataplane/netfilter/ipvs';
import type { KubeProxyConfig } from '../../model/lab';
import type { EndpointAddress, ResolvedService, ServiceModel, ServicePortSpec } from '../services/types';
import { masqueradeMark, servicePortName, type KubeProxyIptables, type KubeProxyNode } from './iptables';

/**
 * kube-proxy in IPVS mode (pkg/proxy/ipvs/proxier.go, ≈v1.31): what one full syncProxyRules
 * leaves on a node — the service addresses bound to the kube-ipvs0 dummy device, one IPVS virtual
 * server per ClusterIP / external IP / load-balancer IP / node IP × NodePort with its real servers
 * (weight 1, NAT forwarding), the ipsets, and the short fixed list of iptables rules that match
 * those ipsets (writeIptablesRules), in kube-proxy's own argument order.
 */

/** kube-proxy IPVS mode on one node: the addresses on kube-ipvs0, the virtual servers, the ipsets and the iptables rules IPVS mode still needs. */
export interface KubeProxyIpvs {
  /** /32 addresses bound to the kube-ipvs0 dummy device. */
  readonly dummyAddrs: readonly string[];
  readonly ipvs: IpvsTable;
  readonly ipsets: readonly IpSet[];
  readonly iptables: KubeProxyIptables;
}

/** ipsetInfo, in kube-proxy's order: name, type, comment. */
const IPSET_INFO: readonly (readonly [name: string, type: string, comment: string])[] = [
  [
    'KUBE-LOOP-BACK',
    'hash:ip,port,ip',
    'Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose',
  ],
  ['KUBE-CLUSTER-IP', 'hash:ip,port', 'Kubernetes service cluster ip + port for masquerade purpose'],
  [
    'KUBE-EXTERNAL-IP',
    'hash:ip,port',
    'Kubernetes service external ip + port for masquerade and filter purpose',
  ],
  [
    'KUBE-EXTERNAL-IP-LOCAL',
    'hash:ip,port',
    'Kubernetes service external ip + port with externalTrafficPolicy=local',
  ],
  ['KUBE-LOAD-BALANCER', 'hash:ip,port', 'Kubernetes service lb portal'],
  [
    'KUBE-LOAD-BALANCER-FW',
    'hash:ip,port',
    'Kubernetes service load balancer ip + port for load balancer with sourceRange',
  ],
  [
    'KUBE-LOAD-BALANCER-LOCAL',
    'hash:ip,port',
    'Kubernetes service load balancer ip + port with externalTrafficPolicy=local',
  ],
  [
    'KUBE-LOAD-BALANCER-SOURCE-IP',
    'hash:ip,port,ip',
    'Kubernetes service load balancer ip + port + source IP for packet filter purpose',
  ],
  [
    'KUBE-LOAD-BALANCER-SOURCE-CIDR',
    'hash:ip,port,net',
    'Kubernetes service load balancer ip + port + source cidr for packet filter purpose',
  ],
  ['KUBE-NODE-PORT-TCP', 'bitmap:port', 'Kubernetes nodeport TCP port for masquerade purpose'],
  [
    'KUBE-NODE-PORT-LOCAL-TCP',
    'bitmap:port',
    'Kubernetes nodeport TCP port with externalTrafficPolicy=local',
  ],
  ['KUBE-NODE-PORT-UDP', 'bitmap:port', 'Kubernetes nodeport UDP port for masquerade purpose'],
  [
    'KUBE-NODE-PORT-LOCAL-UDP',
    'bitmap:port',
    'Kubernetes nodeport UDP port with externalTrafficPolicy=local',
  ],
  [
    'KUBE-NODE-PORT-SCTP-HASH',
    'hash:ip,port',
    "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'",
  ],
  [
    'KUBE-NODE-PORT-LOCAL-SCTP-HASH',
    'hash:ip,port',
    "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'",
  ],
  ['KUBE-HEALTH-CHECK-NODE-PORT', 'bitmap:port', 'Kubernetes health check node port'],
  ['KUBE-IPVS-IPS', 'hash:ip', 'Addresses on the ipvs interface'],
];

/** ipsetWithIptablesChain: set, table, from chain, target, match flags, `-p` protocol. */
const IPSET_CHAINS: readonly (readonly [
  set: string,
  table: 'nat' | 'filter',
  from: string,
  to: string,
  dirs: string,
  proto: string,
])[] = [
  ['KUBE-LOOP-BACK', 'nat', 'KUBE-POSTROUTING', 'MASQUERADE', 'dst,dst,src', ''],
  ['KUBE-LOAD-BALANCER', 'nat', 'KUBE-SERVICES', 'KUBE-LOAD-BALANCER', 'dst,dst', ''],
  ['KUBE-LOAD-BALANCER-LOCAL', 'nat', 'KUBE-LOAD-BALANCER', 'RETURN', 'dst,dst', ''],
  ['KUBE-NODE-PORT-LOCAL-TCP', 'nat', 'KUBE-NODE-PORT', 'RETURN', 'dst', 'tcp'],
  ['KUBE-NODE-PORT-TCP', 'nat', 'KUBE-NODE-PORT', 'KUBE-MARK-MASQ', 'dst', 'tcp'],
  ['KUBE-NODE-PORT-LOCAL-UDP', 'nat', 'KUBE-NODE-PORT', 'RETURN', 'dst', 'udp'],
  ['KUBE-NODE-PORT-UDP', 'nat', 'KUBE-NODE-PORT', 'KUBE-MARK-MASQ', 'dst', 'udp'],
  ['KUBE-NODE-PORT-LOCAL-SCTP-HASH', 'nat', 'KUBE-NODE-PORT', 'RETURN', 'dst,dst', 'sctp'],
  ['KUBE-NODE-PORT-SCTP-HASH', 'nat', 'KUBE-NODE-PORT', 'KUBE-MARK-MASQ', 'dst,dst', 'sctp'],
  ['KUBE-LOAD-BALANCER-FW', 'filter', 'KUBE-PROXY-FIREWALL', 'KUBE-SOURCE-RANGES-FIREWALL', 'dst,dst', ''],
  ['KUBE-LOAD-BALANCER-SOURCE-CIDR', 'filter', 'KUBE-SOURCE-RANGES-FIREWALL', 'RETURN', 'dst,dst,src', ''],
  ['KUBE-LOAD-BALANCER-SOURCE-IP', 'filter', 'KUBE-SOURCE-RANGES-FIREWALL', 'RETURN', 'dst,dst,src', ''],
];

/** iptablesJumpChain: the "ensure rule, prepend" jumps from the built-in chains. */
const JUMPS: readonly (readonly [table: 'nat' | 'filter', from: string, to: string, comment: string])[] = [
  ['nat', 'OUTPUT', 'KUBE-SERVICES', 'kubernetes service portals'],
  ['nat', 'PREROUTING', 'KUBE-SERVICES', 'kubernetes service portals'],
  ['nat', 'POSTROUTING', 'KUBE-POSTROUTING', 'kubernetes postrouting rules'],
  ['filter', 'FORWARD', 'KUBE-FORWARD', 'kubernetes forwarding rules'],
  ['filter', 'INPUT', 'KUBE-NODE-PORT', 'kubernetes health check rules'],
  ['filter', 'INPUT', 'KUBE-PROXY-FIREWALL', 'kube-proxy firewall rules'],
  ['filter', 'FORWARD', 'KUBE-PROXY-FIREWALL', 'kube-proxy firewall rules'],
  ['filter', 'INPUT', 'KUBE-IPVS-FILTER', 'kubernetes ipvs access filter'],
  ['filter', 'OUTPUT', 'KUBE-IPVS-OUT-FILTER', 'kubernetes ipvs access filter'],
];

/** iptablesChains: the chains every sync declares. */
const CHAINS: Readonly<Record<'nat' | 'filter', readonly string[]>> = {
  nat: ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-NODE-PORT', 'KUBE-LOAD-BALANCER', 'KUBE-MARK-MASQ'],
  filter: [
    'KUBE-FORWARD',
    'KUBE-NODE-PORT',
    'KUBE-PROXY-FIREWALL',
    'KUBE-SOURCE-RANGES-FIREWALL',
    'KUBE-IPVS-FILTER',
    'KUBE-IPVS-OUT-FILTER',
  ],
};

interface Ep {
  readonly ip: string;
  readonly port: number;
  readonly key: string;
  readonly local: boolean;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
}

/** EndpointSliceCache for one service port: matching slice ports, IPv4, one per ip:port, sorted. */
function endpointsFor(
  model: ServiceModel,
  svc: ResolvedService,
  sp: ServicePortSpec,
  nodeName: string,
): Ep[] {
  const se = model.endpoints.get(`${svc.namespace}/${svc.name}`);
  if (!se) return [];
  const byKey = new Map<string, Ep>();
  for (const slice of se.slices)
    for (const p of slice.ports) {
      if (p.name !== sp.name || p.protocol !== sp.protocol || !(p.port > 0)) continue;
      for (const e of slice.endpoints) {
        const ip = canonIp(e.ip);
        if (ip === undefined) continue;
        const ep = makeEp(e, ip, p.port, nodeName);
        if (!byKey.has(ep.key) || !ep.terminating) byKey.set(ep.key, ep);
      }
    }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function makeEp(e: EndpointAddress, ip: string, port: number, nodeName: string): Ep {
  return {
    ip,
    port,
    key: `${ip}:${port}`,
    local: nodeName !== '' && e.nodeName === nodeName,
    ready: e.ready,
    serving: e.serving,
    terminating: e.terminating,
  };
}

function categorize(
  eps: readonly Ep[],
  internalLocal: boolean,
  externalLocal: boolean,
  externallyAccessible: boolean,
): { cluster: Ep[]; local: Ep[] } {
  const usesCluster = !internalLocal || externallyAccessible;
  const usesLocal = internalLocal || (externalLocal && externallyAccessible);
  return categorizeEndpoints(eps, usesCluster, usesLocal);
}

/** `! -s <clusterCIDR>` etc.: the local-traffic detector's "not local" arguments, if it is implemented. */
function ifNotLocal(cfg: KubeProxyConfig, node: KubeProxyNode): string | undefined {
  const byCidr = (text: string | undefined): string | undefined => {
    const c = text === undefined || text.trim() === '' ? undefined : parseCidrSloppy(text);
    return c === undefined ? undefined : `! -s ${formatCidr(c)}`;
  };
  switch (cfg.detectLocalMode) {
    case 'NodeCIDR':
      return byCidr(node.podCIDR);
    case 'BridgeInterface':
      return '! -i cni0';
    case 'InterfaceNamePrefix':
      return '! -i veth+';
    default:
      return byCidr(cfg.clusterCIDR);
  }
}

/** The node addresses IPVS NodePorts listen on: every local IPv4 address but loopback (and kube-ipvs0's). */
function nodePortIps(cfg: KubeProxyConfig, node: KubeProxyNode): string[] {
  const all: string[] = [];
  for (const t of [node.ip, ...node.addresses]) {
    const ip = canonIp(t);
    if (ip !== undefined && !ip.startsWith('127.') && !all.includes(ip)) all.push(ip);
  }
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
  if (cidrs.length === 0) return all;
  return all.filter((ip) => {
    const a = parseIpv4Sloppy(ip);
    return a !== undefined && cidrs.some((c) => cidrContains(c, a));
  });
}

/** One full kube-proxy sync in IPVS mode (IPv4) for `node`. */
export function kubeProxyIpvs(model: ServiceModel, node: KubeProxyNode, cfg: KubeProxyConfig): KubeProxyIpvs {
  const scheduler =
    cfg.ipvsScheduler === undefined || String(cfg.ipvsScheduler) === '' ? 'rr' : cfg.ipvsScheduler;
  const mark = masqueradeMark(cfg.masqueradeBit);
  const entries = new Map<string, Set<string>>(IPSET_INFO.map(([n]) => [n, new Set<string>()]));
  const add = (set: string, e: string): void => {
    entries.get(set)?.add(e);
  };
  const bind: string[] = [];
  const localAddrs = new Set(
    [node.ip, ...node.addresses].flatMap((t) => canonIp(t) ?? []).filter((ip) => !ip.startsWith('127.')),
  );
  const vss: IpvsVirtualServer[] = [];
  const outFilter: string[] = [];
  const nodeIpv4 = parseIpv4Sloppy(node.ip);

  // The service ports kube-proxy programs (no headless, no ExternalName), in name order.
  const ports: { svc: ResolvedService; sp: ServicePortSpec; clusterIP: string; name: string }[] = [];
  for (const svc of model.services) {
    if (svc.type === 'ExternalName' || svc.headless) continue;
    const clusterIP = canonIp(svc.clusterIP);
    if (clusterIP === undefined) continue;
    for (const sp of svc.ports)
      ports.push({ svc, sp, clusterIP, name: servicePortName(svc.namespace, svc.name, sp.name) });
  }
  ports.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.sp.protocol < b.sp.protocol ? -1 : 1));
  const hasNodePort = ports.some((p) => p.sp.nodePort !== 0);
  const nodeIps = hasNodePort ? nodePortIps(cfg, node) : [];

  for (const { svc, sp, clusterIP } of ports) {
    const proto = sp.protocol.toLowerCase();
    const ipvsProto = sp.protocol;
    const eps = endpointsFor(model, svc, sp, node.name);
    const externalIPs = svc.externalIPs.flatMap((t) => canonIp(t) ?? []);
    const lbIPs = svc.loadBalancerIPs.flatMap((t) => canonIp(t) ?? []);
    const externallyAccessible = sp.nodePort !== 0 || externalIPs.length > 0 || lbIPs.length > 0;
    const externalLocal =
      (svc.type === 'NodePort' || svc.type === 'LoadBalancer') && svc.externalTrafficPolicy === 'Local';
    const internalLocal = svc.internalTrafficPolicy === 'Local';
    const { cluster, local } = categorize(eps, internalLocal, externalLocal, externallyAccessible);
    // syncEndpoint: local endpoints when asked for them and there are some, else the cluster ones
    // (the PR 97081 fallback: no local endpoint means cluster endpoints, not a drop).
    const realServers = (onlyLocal: boolean): IpvsRealServer[] =>
      (onlyLocal && local.length > 0 ? local : cluster).map((e) => ({
        addr: parseIpv4Sloppy(e.ip) ?? 0,
        port: e.port,
        weight: 1,
      }));
    const vs = (addr: string, port: number, onlyLocal: boolean): void => {
      vss.push({
        proto: ipvsProto,
        addr: parseIpv4Sloppy(addr) ?? 0,
        port,
        scheduler,
        ...(svc.sessionAffinity === 'ClientIP' ? { persistent: svc.affinityTimeoutSeconds } : {}),
        realServers: realServers(onlyLocal),
      });
    };
    const bindAddr = (ip: string): void => {
      if (!bind.includes(ip)) bind.push(ip);
    };

    // Hairpin: local endpoints go into KUBE-LOOP-BACK.
    for (const e of eps) if (e.local) add('KUBE-LOOP-BACK', `${e.ip},${proto}:${e.port},${e.ip}`);

    // ClusterIP.
    add('KUBE-CLUSTER-IP', `${clusterIP},${proto}:${sp.port}`);
    vs(clusterIP, sp.port, internalLocal);
    bindAddr(clusterIP);

    // External IPs.
    for (const ip of externalIPs) {
      add(externalLocal ? 'KUBE-EXTERNAL-IP-LOCAL' : 'KUBE-EXTERNAL-IP', `${ip},${proto}:${sp.port}`);
      vs(ip, sp.port, externalLocal);
      if (!localAddrs.has(ip)) bindAddr(ip);
    }

    // Load-balancer ingress IPs.
    for (const ip of lbIPs) {
      const entry = `${ip},${proto}:${sp.port}`;
      add('KUBE-LOAD-BALANCER', entry);
      if (externalLocal) add('KUBE-LOAD-BALANCER-LOCAL', entry);
      if (svc.loadBalancerSourceRanges.length > 0) {
        add('KUBE-LOAD-BALANCER-FW', entry);
        let allowFromNode = false;
        for (const t of svc.loadBalancerSourceRanges) {
          const c = parseCidrSloppy(t);
          if (c === undefined) continue;
          add('KUBE-LOAD-BALANCER-SOURCE-CIDR', `${entry},${formatCidr(c)}`);
          if (nodeIpv4 !== undefined && cidrContains(c, nodeIpv4)) allowFromNode = true;
        }
        if (allowFromNode) add('KUBE-LOAD-BALANCER-SOURCE-IP', `${entry},${ip}`);
        else
          outFilter.push(
            `-A KUBE-IPVS-OUT-FILTER -s ${ip} -m ipvs --vaddr ${ip} --vproto ${proto} --vport ${sp.port} -j DROP`,
          );
      }
      vs(ip, sp.port, externalLocal);
      if (!localAddrs.has(ip)) bindAddr(ip);
    }

    // NodePort: one virtual server per node address.
    if (sp.nodePort !== 0 && nodeIps.length > 0) {
      const up = proto.toUpperCase();
      if (proto === 'sctp') {
        for (const ip of nodeIps) {
          add('KUBE-NODE-PORT-SCTP-HASH', `${ip},sctp:${sp.nodePort}`);
          if (externalLocal) add('KUBE-NODE-PORT-LOCAL-SCTP-HASH', `${ip},sctp:${sp.nodePort}`);
        }
      } else {
        add(`KUBE-NODE-PORT-${up}`, String(sp.nodePort));
        if (externalLocal) add(`KUBE-NODE-PORT-LOCAL-${up}`, String(sp.nodePort));
      }
      for (const ip of nodeIps) vs(ip, sp.nodePort, externalLocal);
    }

    // Health-check NodePort (LoadBalancer, externalTrafficPolicy Local).
    if (svc.type === 'LoadBalancer' && externalLocal && svc.healthCheckNodePort !== 0)
      add('KUBE-HEALTH-CHECK-NODE-PORT', String(svc.healthCheckNodePort));
  }
  for (const ip of bind) add('KUBE-IPVS-IPS', ip);

  const nonEmpty = (n: string): boolean => (entries.get(n)?.size ?? 0) > 0;
  const comment = (n: string): string => `"${IPSET_INFO.find((x) => x[0] === n)?.[2] ?? ''}"`;

  // writeIptablesRules.
  const nat: string[] = [];
  const filter: string[] = [];
  nat.push('-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN');
  for (const [set, table, from, to, dirs, p] of IPSET_CHAINS) {
    if (!nonEmpty(set)) continue;
    const line = `-A ${from}${p ? ` -p ${p}` : ''} -m comment --comment ${comment(set)} -m set --match-set ${set} ${dirs} -j ${to}`;
    (table === 'nat' ? nat : filter).push(line);
  }
  if (nonEmpty('KUBE-CLUSTER-IP')) {
    const head = `-A KUBE-SERVICES -m comment --comment ${comment('KUBE-CLUSTER-IP')} -m set --match-set KUBE-CLUSTER-IP`;
    const notLocal = ifNotLocal(cfg, node);
    if (cfg.masqueradeAll) nat.push(`${head} dst,dst -j KUBE-MARK-MASQ`);
    else if (notLocal !== undefined) nat.push(`${head} dst,dst ${notLocal} -j KUBE-MARK-MASQ`);
    else nat.push(`${head} src,dst -j KUBE-MARK-MASQ`);
  }
  const externalIPRules = (args: string): void => {
    nat.push(`${args} -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT`);
    nat.push(`${args} -m addrtype --dst-type LOCAL -j ACCEPT`);
  };
  if (nonEmpty('KUBE-EXTERNAL-IP')) {
    const args = `-A KUBE-SERVICES -m comment --comment ${comment('KUBE-EXTERNAL-IP')} -m set --match-set KUBE-EXTERNAL-IP dst,dst`;
    nat.push(`${args} -j KUBE-MARK-MASQ`);
    externalIPRules(args);
  }
  if (nonEmpty('KUBE-EXTERNAL-IP-LOCAL'))
    externalIPRules(
      `-A KUBE-SERVICES -m comment --comment ${comment('KUBE-EXTERNAL-IP-LOCAL')} -m set --match-set KUBE-EXTERNAL-IP-LOCAL dst,dst`,
    );
  nat.push('-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT');
  nat.push('-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ');
  filter.push('-A KUBE-SOURCE-RANGES-FIREWALL -j DROP');
  filter.push(...outFilter);
  for (const set of ['KUBE-CLUSTER-IP', 'KUBE-LOAD-BALANCER'])
    if (nonEmpty(set)) nat.push(`-A KUBE-SERVICES -m set --match-set ${set} dst,dst -j ACCEPT`);
  filter.push(
    `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${mark}/${mark} -j ACCEPT`,
  );
  filter.push(
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  );
  filter.push(
    `-A KUBE-NODE-PORT -m comment --comment ${comment('KUBE-HEALTH-CHECK-NODE-PORT')} -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j ACCEPT`,
  );
  for (const [set, dirs] of [
    ['KUBE-LOAD-BALANCER', 'dst,dst'],
    ['KUBE-CLUSTER-IP', 'dst,dst'],
    ['KUBE-EXTERNAL-IP', 'dst,dst'],
    ['KUBE-EXTERNAL-IP-LOCAL', 'dst,dst'],
    ['KUBE-HEALTH-CHECK-NODE-PORT', 'dst'],
  ] as const)
    filter.push(`-A KUBE-IPVS-FILTER -m set --match-set ${set} ${dirs} -j RETURN`);
  filter.push(
    '-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT',
  );
  nat.push(`-A KUBE-POSTROUTING -m mark ! --mark ${mark}/${mark} -j RETURN`);
  nat.push(`-A KUBE-POSTROUTING -j MARK --xor-mark ${mark}`);
  nat.push(
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
  );
  nat.push(`-A KUBE-MARK-MASQ -j MARK --or-mark ${mark}`);

  const jumps = JUMPS.map(([table, from, to, c]) => ({
    table,
    line: `-A ${from} -m comment --comment "${c}" -j ${to}`,
  }));

  return {
    dummyAddrs: bind,
    ipvs: { virtualServers: vss },
    ipsets: IPSET_INFO.map(([name, type, c]) => ({
      name,
      type,
      comment: c,
      members: [...(entries.get(name) ?? [])].sort(),
    })),
    iptables: {
      jumps,
      chains: { nat: [...CHAINS.nat], filter: [...CHAINS.filter], mangle: [] },
      rules: { filter, nat, mangle: [] },
    },
  };
}
