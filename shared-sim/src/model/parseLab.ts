import type { Problem } from '../core/problem';
import { hash32 } from '../core/hash';
import {
  cidrContains,
  cidrOverlaps,
  parseCidr,
  parseIpv4,
  parseIpv4Sloppy,
  addOffset,
  broadcastOf,
  formatIpv4,
  type Cidr,
} from '../dataplane/addr/ipv4';
import {
  LAB_FORMAT_VERSION,
  type BgpConfig,
  type ClientSpec,
  type ClusterConfig,
  type CniConfig,
  type ContainerPort,
  type Fault,
  type FirewallRule,
  type KubeObject,
  type KubeProxyConfig,
  type Lab,
  type NetworkSpec,
  type NodeSpec,
  type PodSpec,
  type RouterSpec,
} from './lab';
import { ELEMENT_NAME, Reader } from './reader';
import { readNetworkPolicy, type NetworkPolicy } from './networkPolicy';
import { parseRef } from './refs';

export type LabParse =
  | { readonly ok: true; readonly lab: Lab; readonly warnings: readonly Problem[] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

const TOP_FIELDS = [
  'podpath',
  'name',
  'description',
  'cluster',
  'networks',
  'routers',
  'nodes',
  'clients',
  'objects',
  'faults',
  'layout',
];
export const MODELLED_KINDS = [
  'Namespace',
  'Pod',
  'Service',
  'Endpoints',
  'EndpointSlice',
  'NetworkPolicy',
  'Deployment',
];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

/** Parses lab file text (JSON). */
export function parseLabText(text: string): LabParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return {
      ok: false,
      problems: [{ severity: 'error', path: '', message: `the lab file is not valid JSON: ${msg}` }],
    };
  }
  return parseLab(json);
}

/**
 * Validates a lab document and applies defaults (CONTRACT.md §1). Every problem is reported with
 * its field, value and reason; if any is an error, no lab is returned.
 */
export function parseLab(json: unknown): LabParse {
  const r = new Reader();
  if (!r.isObject(json)) {
    r.error('', json, 'the lab file must be a JSON object');
    return { ok: false, problems: r.problems };
  }
  const version = json['podpath'];
  if (version === undefined) {
    r.error('podpath', undefined, 'is missing: a lab file starts with "podpath": 1 (its format version)');
    return { ok: false, problems: r.problems };
  }
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    r.error('podpath', version, 'must be the lab format version, a whole number (1)');
    return { ok: false, problems: r.problems };
  }
  if (version > LAB_FORMAT_VERSION) {
    r.error(
      'podpath',
      version,
      `is a newer lab format than this Podpath reads (it reads format ${LAB_FORMAT_VERSION}); open the lab with a newer Podpath`,
    );
    return { ok: false, problems: r.problems };
  }
  r.unknownFields(json, TOP_FIELDS, '');

  const name = r.string(json, 'name', 'name', 'Untitled lab');
  const description = r.string(json, 'description', 'description', '');
  const cluster = readCluster(r, r.object(json, 'cluster', 'cluster'));
  const networks = readNetworks(r, r.array(json, 'networks', 'networks'));
  const netByName = new Map(networks.map((n) => [n.name, n]));
  const usedIps = new Map<string, string>(); // "network|ip" -> path
  const routers = readRouters(r, r.array(json, 'routers', 'routers'), netByName, usedIps);
  const nodes = readNodes(r, r.array(json, 'nodes', 'nodes'), netByName, usedIps, cluster);
  const clients = readClients(r, r.array(json, 'clients', 'clients'), netByName, usedIps);
  const nodeNames = new Set(nodes.map((n) => n.name));
  const userObjects = r.array(json, 'objects', 'objects');
  const coredns = readCoreDns(
    r,
    r.object(r.isObject(json['cluster']) ? json['cluster'] : {}, 'coredns', 'cluster.coredns'),
    nodeNames,
    cluster,
    userObjects,
  );
  const { objects, pods, networkPolicies } = readObjects(r, [...userObjects, ...coredns], nodeNames, cluster);
  const faults = readFaults(r, r.array(json, 'faults', 'faults'), networkPolicies);
  const layout = readLayout(r, r.object(json, 'layout', 'layout'));

  if (r.hasErrors)
    return {
      ok: false,
      problems: r.problems
        .filter((p) => p.severity === 'error')
        .concat(r.problems.filter((p) => p.severity === 'warning')),
    };
  const lab: Lab = {
    podpath: 1,
    name,
    description,
    cluster,
    networks,
    routers,
    nodes,
    clients,
    objects,
    pods,
    networkPolicies,
    faults,
    layout,
  };
  return { ok: true, lab, warnings: r.problems };
}

function readCluster(r: Reader, c: Record<string, unknown>): ClusterConfig {
  r.unknownFields(
    c,
    ['podCIDR', 'serviceCIDR', 'clusterDomain', 'dnsServiceIP', 'cni', 'kubeProxy', 'coredns'],
    'cluster',
  );
  const podCIDR = r.cidr(c, 'podCIDR', 'cluster.podCIDR', '10.244.0.0/16') ?? '10.244.0.0/16';
  const serviceCIDR = r.cidr(c, 'serviceCIDR', 'cluster.serviceCIDR', '10.96.0.0/12') ?? '10.96.0.0/12';
  const pod = parseCidr(podCIDR);
  const svc = parseCidr(serviceCIDR);
  if (pod.ok && svc.ok && cidrOverlaps(pod.cidr, svc.cidr)) {
    r.error('cluster.serviceCIDR', serviceCIDR, `overlaps cluster.podCIDR ${podCIDR}`);
  }
  const clusterDomain = r.string(c, 'clusterDomain', 'cluster.clusterDomain', 'cluster.local');
  let dnsServiceIP = svc.ok ? formatIpv4(addOffset(svc.cidr.addr, 10)) : '10.96.0.10';
  const dns = r.ip(c, 'dnsServiceIP', 'cluster.dnsServiceIP', false);
  if (dns !== undefined) {
    if (svc.ok && !cidrContains(svc.cidr, parseIpv4(dns) ?? 0))
      r.error('cluster.dnsServiceIP', dns, `is not inside cluster.serviceCIDR ${serviceCIDR}`);
    dnsServiceIP = dns;
  }
  const cni = readCni(r, r.object(c, 'cni', 'cluster.cni'));
  if (cni.plugin === 'calico' && pod.ok && cni.blockSize < pod.cidr.len)
    r.error(
      'cluster.cni.blockSize',
      cni.blockSize,
      `is shorter than the prefix of cluster.podCIDR ${podCIDR}: a Calico IPAM block (/${cni.blockSize}) must fit inside the IP pool`,
    );
  if (cni.plugin === 'calico' && cni.crossSubnet && cni.mode === 'bgp')
    r.warn(
      'cluster.cni.crossSubnet',
      'cluster.cni.crossSubnet applies to Calico IPIP/VXLAN pools only; with mode bgp nothing is encapsulated anyway',
    );
  const kubeProxy = readKubeProxy(r, r.object(c, 'kubeProxy', 'cluster.kubeProxy'), podCIDR);
  return { podCIDR, serviceCIDR, clusterDomain, dnsServiceIP, cni, kubeProxy };
}

function readCni(r: Reader, c: Record<string, unknown>): CniConfig {
  r.unknownFields(
    c,
    ['plugin', 'mode', 'crossSubnet', 'natOutgoing', 'vxlan', 'blockSize', 'bgp'],
    'cluster.cni',
  );
  const plugin = r.oneOf(c, 'plugin', 'cluster.cni.plugin', ['flannel', 'calico'], 'flannel');
  const mode =
    plugin === 'flannel'
      ? r.oneOf(c, 'mode', 'cluster.cni.mode', ['vxlan', 'host-gw'], 'vxlan')
      : r.oneOf(c, 'mode', 'cluster.cni.mode', ['bgp', 'ipip', 'vxlan'], 'ipip');
  const crossSubnet = r.boolean(c, 'crossSubnet', 'cluster.cni.crossSubnet', false);
  if (crossSubnet && plugin === 'flannel')
    r.warn(
      'cluster.cni.crossSubnet',
      'cluster.cni.crossSubnet applies to Calico IPIP/VXLAN only; Flannel ignores it',
    );
  const natOutgoing = r.boolean(c, 'natOutgoing', 'cluster.cni.natOutgoing', true);
  const vx = r.object(c, 'vxlan', 'cluster.cni.vxlan');
  const vxlan = {
    vni: r.integer(vx, 'vni', 'cluster.cni.vxlan.vni', plugin === 'flannel' ? 1 : 4096, 0, 16777215),
    port: r.integer(vx, 'port', 'cluster.cni.vxlan.port', plugin === 'flannel' ? 8472 : 4789, 1, 65535),
  };
  const blockSize = r.integer(c, 'blockSize', 'cluster.cni.blockSize', 26, 20, 32);
  const b = r.object(c, 'bgp', 'cluster.cni.bgp');
  const peers = r.array(b, 'peers', 'cluster.cni.bgp.peers').map((p, i) => {
    const path = `cluster.cni.bgp.peers[${i}]`;
    if (!r.isObject(p)) {
      r.error(path, p, 'must be an object');
      return { router: '', asNumber: 0, nodes: [] };
    }
    return {
      router: r.requiredString(p, 'router', `${path}.router`),
      asNumber: r.integer(p, 'asNumber', `${path}.asNumber`, 64512, 1, 4294967295),
      nodes: stringList(r, p, 'nodes', `${path}.nodes`),
    };
  });
  const bgp: BgpConfig = {
    asNumber: r.integer(b, 'asNumber', 'cluster.cni.bgp.asNumber', 64512, 1, 4294967295),
    topology: r.oneOf(
      b,
      'topology',
      'cluster.cni.bgp.topology',
      ['full-mesh', 'route-reflector'],
      'full-mesh',
    ),
    routeReflectors: stringList(r, b, 'routeReflectors', 'cluster.cni.bgp.routeReflectors'),
    ...(r.ip(b, 'clusterID', 'cluster.cni.bgp.clusterID', false) !== undefined
      ? { clusterID: b['clusterID'] as string }
      : {}),
    peers,
  };
  return { plugin, mode, crossSubnet, natOutgoing, vxlan, blockSize, bgp };
}

function readKubeProxy(r: Reader, k: Record<string, unknown>, podCIDR: string): KubeProxyConfig {
  r.unknownFields(
    k,
    [
      'mode',
      'ipvsScheduler',
      'masqueradeAll',
      'masqueradeBit',
      'clusterCIDR',
      'detectLocalMode',
      'nodePortAddresses',
      'localhostNodePorts',
    ],
    'cluster.kubeProxy',
  );
  return {
    mode: r.oneOf(k, 'mode', 'cluster.kubeProxy.mode', ['iptables', 'ipvs', 'nftables'], 'iptables'),
    ipvsScheduler: r.oneOf(
      k,
      'ipvsScheduler',
      'cluster.kubeProxy.ipvsScheduler',
      ['rr', 'wrr', 'lc', 'wlc', 'sh', 'dh', 'sed', 'nq'],
      'rr',
    ),
    masqueradeAll: r.boolean(k, 'masqueradeAll', 'cluster.kubeProxy.masqueradeAll', false),
    masqueradeBit: r.integer(k, 'masqueradeBit', 'cluster.kubeProxy.masqueradeBit', 14, 0, 31),
    clusterCIDR: r.cidr(k, 'clusterCIDR', 'cluster.kubeProxy.clusterCIDR', podCIDR) ?? podCIDR,
    detectLocalMode: r.oneOf(
      k,
      'detectLocalMode',
      'cluster.kubeProxy.detectLocalMode',
      ['ClusterCIDR', 'NodeCIDR', 'BridgeInterface', 'InterfaceNamePrefix'],
      'ClusterCIDR',
    ),
    nodePortAddresses: stringList(r, k, 'nodePortAddresses', 'cluster.kubeProxy.nodePortAddresses'),
    localhostNodePorts: r.boolean(k, 'localhostNodePorts', 'cluster.kubeProxy.localhostNodePorts', true),
  };
}

function stringList(r: Reader, obj: Record<string, unknown>, key: string, path: string): string[] {
  return r.array(obj, key, path).flatMap((v, i) => {
    if (typeof v !== 'string') {
      r.error(`${path}[${i}]`, v, 'must be a string');
      return [];
    }
    return [v];
  });
}

function elementName(
  r: Reader,
  obj: Record<string, unknown>,
  path: string,
  seen: Map<string, string>,
  what: string,
): string {
  const name = r.requiredString(obj, 'name', `${path}.name`);
  if (name === '') return name;
  if (!ELEMENT_NAME.test(name)) {
    r.error(
      `${path}.name`,
      name,
      "is not a valid name (letters, digits, '-', '_' and '.', at most 63 characters, starting and ending with a letter or digit)",
    );
  } else if (seen.has(name)) {
    r.error(
      `${path}.name`,
      name,
      `is already used by ${seen.get(name) ?? ''} (${what} names must be unique)`,
    );
  }
  seen.set(name, path);
  return name;
}

function readNetworks(r: Reader, list: unknown[]): NetworkSpec[] {
  const seen = new Map<string, string>();
  const out: NetworkSpec[] = [];
  list.forEach((n, i) => {
    const path = `networks[${i}]`;
    if (!r.isObject(n)) return r.error(path, n, 'must be an object');
    r.unknownFields(n, ['name', 'cidr', 'mtu'], path);
    const name = elementName(r, n, path, seen, 'network');
    const c = r.string(n, 'cidr', `${path}.cidr`);
    let cidrText = '';
    if (c === undefined) r.error(`${path}.cidr`, undefined, 'is missing');
    else {
      const p = parseCidr(c, true);
      if (!p.ok) r.error(`${path}.cidr`, c, p.reason);
      else if (p.cidr.len > 30) r.error(`${path}.cidr`, c, 'is too small for a network (at most /30)');
      else cidrText = c;
    }
    const mtu = r.integer(n, 'mtu', `${path}.mtu`, 1500, 576, 9216);
    out.push({ name, cidr: cidrText, mtu });
  });
  return out;
}

/** Checks that `ip` is a usable host address of `net` and not taken; records it. */
function hostAddress(
  r: Reader,
  ip: string | undefined,
  path: string,
  net: NetworkSpec | undefined,
  usedIps: Map<string, string>,
): void {
  if (ip === undefined || net === undefined || net.cidr === '') return;
  const c = parseCidr(net.cidr);
  const a = parseIpv4(ip);
  if (!c.ok || a === undefined) return;
  if (!cidrContains(c.cidr, a)) return r.error(path, ip, `is not inside network ${net.name} ${net.cidr}`);
  if (a === c.cidr.addr)
    return r.error(path, ip, `is the network address of ${net.name} ${net.cidr}, not a host address`);
  if (a === broadcastOf(c.cidr))
    return r.error(path, ip, `is the broadcast address of ${net.name} ${net.cidr}, not a host address`);
  const key = `${net.name}|${ip}`;
  const other = usedIps.get(key);
  if (other !== undefined) return r.error(path, ip, `is already used by ${other} on network ${net.name}`);
  usedIps.set(key, path);
}

function networkField(
  r: Reader,
  obj: Record<string, unknown>,
  path: string,
  nets: Map<string, NetworkSpec>,
): NetworkSpec | undefined {
  const name = r.requiredString(obj, 'network', path);
  if (name === '') return undefined;
  const net = nets.get(name);
  if (net === undefined)
    r.error(
      path,
      name,
      `is not a network of this lab${nets.size ? ` (networks: ${[...nets.keys()].join(', ')})` : ' (the lab has no networks)'}`,
    );
  return net;
}

function readRouters(
  r: Reader,
  list: unknown[],
  nets: Map<string, NetworkSpec>,
  usedIps: Map<string, string>,
): RouterSpec[] {
  const seen = new Map<string, string>();
  const out: RouterSpec[] = [];
  list.forEach((x, i) => {
    const path = `routers[${i}]`;
    if (!r.isObject(x)) return r.error(path, x, 'must be an object');
    r.unknownFields(x, ['name', 'interfaces', 'routes', 'bgp', 'firewall'], path);
    const name = elementName(r, x, path, seen, 'router');
    const netsSeen = new Set<string>();
    const interfaces = r.array(x, 'interfaces', `${path}.interfaces`).flatMap((f, j) => {
      const fp = `${path}.interfaces[${j}]`;
      if (!r.isObject(f)) {
        r.error(fp, f, 'must be an object');
        return [];
      }
      const net = networkField(r, f, `${fp}.network`, nets);
      const ip = r.ip(f, 'ip', `${fp}.ip`, true);
      hostAddress(r, ip, `${fp}.ip`, net, usedIps);
      if (net !== undefined) {
        if (netsSeen.has(net.name))
          r.error(
            `${fp}.network`,
            net.name,
            `is connected twice to router ${name} (one interface per network)`,
          );
        netsSeen.add(net.name);
      }
      return [{ network: net?.name ?? '', ip: ip ?? '' }];
    });
    if (interfaces.length === 0)
      r.error(`${path}.interfaces`, undefined, 'is empty: a router needs at least one interface');
    const routes = r.array(x, 'routes', `${path}.routes`).flatMap((rt, j) => {
      const rp = `${path}.routes[${j}]`;
      if (!r.isObject(rt)) {
        r.error(rp, rt, 'must be an object');
        return [];
      }
      const to = r.requiredString(rt, 'to', `${rp}.to`);
      if (to !== '' && to !== 'default') {
        const p = parseCidr(to, true);
        if (!p.ok) r.error(`${rp}.to`, to, p.reason);
      }
      const via = r.ip(rt, 'via', `${rp}.via`, true) ?? '';
      return [{ to, via }];
    });
    const bgpObj = x['bgp'];
    let bgp: RouterSpec['bgp'];
    if (bgpObj !== undefined && bgpObj !== null) {
      if (!r.isObject(bgpObj)) r.error(`${path}.bgp`, bgpObj, 'must be an object');
      else bgp = { asNumber: r.integer(bgpObj, 'asNumber', `${path}.bgp.asNumber`, 64512, 1, 4294967295) };
    }
    const firewall = r
      .array(x, 'firewall', `${path}.firewall`)
      .flatMap((f, j) => readFirewallRule(r, f, `${path}.firewall[${j}]`));
    out.push(
      bgp === undefined
        ? { name, interfaces, routes, firewall }
        : { name, interfaces, routes, bgp, firewall },
    );
  });
  return out;
}

export function readFirewallRule(r: Reader, f: unknown, path: string): FirewallRule[] {
  if (!r.isObject(f)) {
    r.error(path, f, 'must be an object');
    return [];
  }
  const action = r.oneOf(f, 'action', `${path}.action`, ['drop', 'reject'], 'drop');
  let proto: string | number = 'all';
  const p = f['proto'];
  if (typeof p === 'number') {
    if (!Number.isInteger(p) || p < 0 || p > 255)
      r.error(`${path}.proto`, p, 'is not an IP protocol number (0-255)');
    else proto = p;
  } else if (typeof p === 'string') {
    if (!['tcp', 'udp', 'icmp', 'sctp', 'ipip', 'all'].includes(p))
      r.error(
        `${path}.proto`,
        p,
        'is not one of "tcp", "udp", "icmp", "sctp", "ipip", "all" or a protocol number',
      );
    else proto = p;
  } else if (p !== undefined) r.error(`${path}.proto`, p, 'must be a protocol name or number');
  const dport = r.integer(f, 'dport', `${path}.dport`, undefined, 1, 65535);
  if (dport !== undefined && proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') {
    r.error(`${path}.dport`, dport, `needs proto tcp, udp or sctp (proto is ${String(proto)})`);
  }
  const src = r.cidr(f, 'src', `${path}.src`, undefined, false);
  const dst = r.cidr(f, 'dst', `${path}.dst`, undefined, false);
  return [
    {
      action,
      proto,
      ...(dport !== undefined ? { dport } : {}),
      ...(src !== undefined ? { src } : {}),
      ...(dst !== undefined ? { dst } : {}),
    },
  ];
}

function readHostCommon(
  r: Reader,
  x: Record<string, unknown>,
  path: string,
  nets: Map<string, NetworkSpec>,
  usedIps: Map<string, string>,
): { network: string; ip: string; gateway?: string; mtu: number } {
  const net = networkField(r, x, `${path}.network`, nets);
  const ip = r.ip(x, 'ip', `${path}.ip`, true);
  hostAddress(r, ip, `${path}.ip`, net, usedIps);
  const gateway = r.ip(x, 'gateway', `${path}.gateway`, false);
  if (gateway !== undefined && net !== undefined && net.cidr !== '') {
    const c = parseCidr(net.cidr);
    if (c.ok && !cidrContains(c.cidr, parseIpv4(gateway) ?? 0))
      r.error(`${path}.gateway`, gateway, `is not inside network ${net.name} ${net.cidr}`);
    else if (gateway === ip) r.error(`${path}.gateway`, gateway, "is the host's own address");
  }
  const mtu = r.integer(x, 'mtu', `${path}.mtu`, net?.mtu ?? 1500, 576, 9216);
  return { network: net?.name ?? '', ip: ip ?? '', ...(gateway !== undefined ? { gateway } : {}), mtu };
}

function readNodes(
  r: Reader,
  list: unknown[],
  nets: Map<string, NetworkSpec>,
  usedIps: Map<string, string>,
  cluster: ClusterConfig,
): NodeSpec[] {
  const seen = new Map<string, string>();
  const out: NodeSpec[] = [];
  const pool = parseCidr(cluster.podCIDR);
  const podCidrs: { c: Cidr; path: string }[] = [];
  list.forEach((x, i) => {
    const path = `nodes[${i}]`;
    if (!r.isObject(x)) return r.error(path, x, 'must be an object');
    r.unknownFields(x, ['name', 'network', 'ip', 'gateway', 'podCIDR', 'mtu'], path);
    const name = elementName(r, x, path, seen, 'node');
    const common = readHostCommon(r, x, path, nets, usedIps);
    const podCIDR = r.cidr(x, 'podCIDR', `${path}.podCIDR`, undefined, true);
    if (podCIDR !== undefined) {
      const c = parseCidr(podCIDR);
      if (c.ok && pool.ok) {
        if (!cidrContains(pool.cidr, c.cidr.addr) || c.cidr.len < pool.cidr.len) {
          r.error(`${path}.podCIDR`, podCIDR, `is not inside cluster.podCIDR ${cluster.podCIDR}`);
        }
        const clash = podCidrs.find((o) => cidrOverlaps(o.c, c.cidr));
        if (clash) r.error(`${path}.podCIDR`, podCIDR, `overlaps ${clash.path}`);
        podCidrs.push({ c: c.cidr, path: `${path}.podCIDR` });
      }
    }
    out.push({ name, ...common, ...(podCIDR !== undefined ? { podCIDR } : {}) });
  });
  return out;
}

function readClients(
  r: Reader,
  list: unknown[],
  nets: Map<string, NetworkSpec>,
  usedIps: Map<string, string>,
): ClientSpec[] {
  const seen = new Map<string, string>();
  const out: ClientSpec[] = [];
  list.forEach((x, i) => {
    const path = `clients[${i}]`;
    if (!r.isObject(x)) return r.error(path, x, 'must be an object');
    r.unknownFields(x, ['name', 'network', 'ip', 'gateway', 'mtu'], path);
    const name = elementName(r, x, path, seen, 'client');
    out.push({ name, ...readHostCommon(r, x, path, nets, usedIps) });
  });
  return out;
}

/** The annotation on objects Podpath adds itself (cluster.coredns), so that they are not saved back. */
export const GENERATED_ANNOTATION = 'podpath.dev/generated-from';

/**
 * `cluster.coredns: { "nodes": ["node-1", "node-2"] }` — the cluster DNS a kubeadm cluster runs:
 * the kube-system/kube-dns Service at cluster.dnsServiceIP (ports dns 53/UDP, dns-tcp 53/TCP,
 * metrics 9153/TCP) and one CoreDNS pod on each listed node.
 */
function readCoreDns(
  r: Reader,
  c: Record<string, unknown>,
  nodeNames: Set<string>,
  cluster: ClusterConfig,
  userObjects: readonly unknown[],
): Record<string, unknown>[] {
  if (Object.keys(c).length === 0) return [];
  r.unknownFields(c, ['nodes'], 'cluster.coredns');
  const nodes = stringList(r, c, 'nodes', 'cluster.coredns.nodes');
  nodes.forEach((n, i) => {
    if (!nodeNames.has(n)) r.error(`cluster.coredns.nodes[${i}]`, n, 'is not a node of this lab');
  });
  if (nodes.length === 0)
    r.error('cluster.coredns.nodes', undefined, 'is empty: name the nodes CoreDNS pods run on');
  const taken = userObjects.some((o) => {
    if (!r.isObject(o) || o['kind'] !== 'Service') return false;
    const m = o['metadata'];
    return r.isObject(m) && m['name'] === 'kube-dns' && m['namespace'] === 'kube-system';
  });
  if (taken) {
    r.error(
      'cluster.coredns',
      undefined,
      'cannot be used with a kube-system/kube-dns Service in objects (it adds that Service itself)',
    );
    return [];
  }
  const gen = { [GENERATED_ANNOTATION]: 'cluster.coredns' };
  const hash = safeEncode(hash32(`coredns:${cluster.clusterDomain}`), 10);
  const hasNs = userObjects.some(
    (o) =>
      r.isObject(o) &&
      o['kind'] === 'Namespace' &&
      r.isObject(o['metadata']) &&
      o['metadata']['name'] === 'kube-system',
  );
  return [
    ...(hasNs
      ? []
      : [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', annotations: gen } }]),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kube-dns',
        namespace: 'kube-system',
        labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' },
        annotations: gen,
      },
      spec: {
        clusterIP: cluster.dnsServiceIP,
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
          { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
        ],
      },
    },
    ...nodes.map((n, i) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `coredns-${hash}-${safeEncode(hash32(`coredns:${n}:${i}`), 5)}`,
        namespace: 'kube-system',
        labels: { 'k8s-app': 'kube-dns', 'pod-template-hash': hash },
        annotations: gen,
      },
      spec: {
        nodeName: n,
        dnsPolicy: 'Default',
        containers: [
          {
            name: 'coredns',
            ports: [
              { name: 'dns', containerPort: 53, protocol: 'UDP' },
              { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
              { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
            ],
          },
        ],
      },
    })),
  ];
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function readObjects(
  r: Reader,
  list: unknown[],
  nodeNames: Set<string>,
  cluster: ClusterConfig,
): { objects: KubeObject[]; pods: PodSpec[]; networkPolicies: NetworkPolicy[] } {
  const objects: KubeObject[] = [];
  const pods: PodSpec[] = [];
  const networkPolicies: NetworkPolicy[] = [];
  const seen = new Map<string, string>();
  list.forEach((o, i) => {
    const path = `objects[${i}]`;
    if (!r.isObject(o)) return r.error(path, o, 'must be an object (a Kubernetes manifest in JSON form)');
    const kind = r.requiredString(o, 'kind', `${path}.kind`);
    r.requiredString(o, 'apiVersion', `${path}.apiVersion`);
    const meta = r.object(o, 'metadata', `${path}.metadata`);
    const name = r.requiredString(meta, 'name', `${path}.metadata.name`);
    const namespaced = kind !== 'Namespace';
    const namespace = namespaced
      ? r.string(meta, 'namespace', `${path}.metadata.namespace`, 'default')
      : undefined;
    if (name !== '' && !DNS1123_SUBDOMAIN.test(name)) {
      r.error(
        `${path}.metadata.name`,
        name,
        'is not a valid Kubernetes name (lower-case letters, digits, "-" and ".")',
      );
    }
    if (namespace !== undefined && !DNS1123_LABEL.test(namespace)) {
      r.error(
        `${path}.metadata.namespace`,
        namespace,
        'is not a valid namespace name (lower-case letters, digits and "-")',
      );
    }
    readLabels(r, meta, `${path}.metadata.labels`);
    const key = `${kind}|${namespace ?? ''}|${name}`;
    if (kind !== '' && name !== '') {
      const other = seen.get(key);
      if (other !== undefined)
        r.error(
          `${path}.metadata.name`,
          name,
          `is already used by ${other} (a ${kind} named ${namespace ? `${namespace}/` : ''}${name} exists twice)`,
        );
      seen.set(key, path);
    }
    if (kind !== '' && !MODELLED_KINDS.includes(kind)) {
      r.warn(path, `${path} is a ${kind}, a kind Podpath does not model; it is kept and ignored`);
    }
    const obj = {
      ...o,
      metadata: { ...meta, ...(namespace !== undefined ? { namespace } : {}) },
    } as KubeObject;
    objects.push(obj);
    if (kind === 'Pod') {
      const spec = r.object(o, 'spec', `${path}.spec`);
      const status = r.object(o, 'status', `${path}.status`);
      const pod = readPodSpec(r, spec, status, path, `${path}.spec`, nodeNames, cluster);
      pods.push({ namespace: namespace ?? 'default', name, labels: labelsOf(meta), ...pod, objectIndex: i });
    } else if (kind === 'Deployment') {
      pods.push(...expandDeployment(r, o, path, namespace ?? 'default', name, nodeNames, cluster, i));
    } else if (kind === 'Service') {
      readServiceSpec(r, r.object(o, 'spec', `${path}.spec`), `${path}.spec`);
    } else if (kind === 'NetworkPolicy') {
      networkPolicies.push(readNetworkPolicy(r, o, path, namespace ?? 'default', name));
    }
  });
  const podIps = new Map<string, string>();
  pods.forEach((p) => {
    if (p.podIP === undefined || p.hostNetwork) return;
    const other = podIps.get(p.podIP);
    const path = `objects[${p.objectIndex}].status.podIP`;
    if (other !== undefined) r.error(path, p.podIP, `is already the IP of pod ${other}`);
    podIps.set(p.podIP, `${p.namespace}/${p.name}`);
  });
  return { objects, pods, networkPolicies };
}

function readLabels(r: Reader, meta: Record<string, unknown>, path: string): void {
  const labels = r.object(meta, 'labels', path);
  for (const [k, v] of Object.entries(labels))
    if (typeof v !== 'string') r.error(`${path}.${k}`, v, 'must be a string (label values are strings)');
}

function labelsOf(meta: Record<string, unknown>): Record<string, string> {
  const l = meta['labels'];
  if (typeof l !== 'object' || l === null) return {};
  return Object.fromEntries(
    Object.entries(l as Record<string, unknown>).filter(([, v]) => typeof v === 'string'),
  ) as Record<string, string>;
}

function readPodSpec(
  r: Reader,
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
  objPath: string,
  specPath: string,
  nodeNames: Set<string>,
  cluster: ClusterConfig,
): Omit<PodSpec, 'namespace' | 'name' | 'labels' | 'objectIndex'> {
  const nodeName = r.string(spec, 'nodeName', `${specPath}.nodeName`);
  if (nodeName !== undefined && !nodeNames.has(nodeName)) {
    r.error(
      `${specPath}.nodeName`,
      nodeName,
      `is not a node of this lab${nodeNames.size ? ` (nodes: ${[...nodeNames].join(', ')})` : ' (the lab has no nodes)'}`,
    );
  }
  const hostNetwork = r.boolean(spec, 'hostNetwork', `${specPath}.hostNetwork`, false);
  const ports: ContainerPort[] = [];
  r.array(spec, 'containers', `${specPath}.containers`).forEach((c, i) => {
    const cp = `${specPath}.containers[${i}]`;
    if (!r.isObject(c)) return r.error(cp, c, 'must be an object');
    r.array(c, 'ports', `${cp}.ports`).forEach((p, j) => {
      const pp = `${cp}.ports[${j}]`;
      if (!r.isObject(p)) return r.error(pp, p, 'must be an object');
      const containerPort = r.integer(p, 'containerPort', `${pp}.containerPort`, undefined, 1, 65535);
      if (containerPort === undefined && p['containerPort'] === undefined)
        r.error(`${pp}.containerPort`, undefined, 'is missing');
      const protocol = r.oneOf(p, 'protocol', `${pp}.protocol`, PROTOCOLS, 'TCP');
      const name = r.string(p, 'name', `${pp}.name`);
      if (name !== undefined && !/^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/.test(name)) {
        r.error(
          `${pp}.name`,
          name,
          'is not a valid port name (at most 15 lower-case letters, digits and "-")',
        );
      }
      if (containerPort !== undefined)
        ports.push({ containerPort, protocol, ...(name !== undefined ? { name } : {}) });
    });
  });
  const podIP = r.ip(status, 'podIP', `${objPath}.status.podIP`, false);
  const pool = parseCidr(cluster.podCIDR);
  if (podIP !== undefined && !hostNetwork && pool.ok && !cidrContains(pool.cidr, parseIpv4(podIP) ?? 0)) {
    r.error(`${objPath}.status.podIP`, podIP, `is not inside cluster.podCIDR ${cluster.podCIDR}`);
  }
  const phase = r.string(status, 'phase', `${objPath}.status.phase`, 'Running');
  let ready = phase === 'Running';
  r.array(status, 'conditions', `${objPath}.status.conditions`).forEach((c) => {
    if (r.isObject(c) && c['type'] === 'Ready') ready = c['status'] === 'True';
  });
  const dnsPolicy = r.oneOf(
    spec,
    'dnsPolicy',
    `${specPath}.dnsPolicy`,
    ['ClusterFirst', 'Default', 'ClusterFirstWithHostNet', 'None'],
    'ClusterFirst',
  );
  return {
    ...(nodeName !== undefined ? { nodeName } : {}),
    ports,
    ...(podIP !== undefined ? { podIP } : {}),
    hostNetwork,
    ready,
    phase,
    dnsPolicy,
  };
}

/** The alphabet Kubernetes uses for generated name suffixes (`rand.SafeEncodeString`). */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
function safeEncode(n: number, len: number): string {
  let s = '';
  let x = n >>> 0;
  for (let i = 0; i < len; i++) {
    s += SAFE[x % SAFE.length];
    x = Math.floor(x / SAFE.length) ^ (i * 0x9e3779b1);
    x >>>= 0;
  }
  return s;
}

function expandDeployment(
  r: Reader,
  o: Record<string, unknown>,
  path: string,
  namespace: string,
  name: string,
  nodeNames: Set<string>,
  cluster: ClusterConfig,
  index: number,
): PodSpec[] {
  const spec = r.object(o, 'spec', `${path}.spec`);
  const replicas = r.integer(spec, 'replicas', `${path}.spec.replicas`, 1, 0, 1000);
  const template = r.object(spec, 'template', `${path}.spec.template`);
  const tmeta = r.object(template, 'metadata', `${path}.spec.template.metadata`);
  const tspec = r.object(template, 'spec', `${path}.spec.template.spec`);
  const labels = labelsOf(tmeta);
  const sel = r.object(spec, 'selector', `${path}.spec.selector`);
  const ml = r.object(sel, 'matchLabels', `${path}.spec.selector.matchLabels`);
  for (const [k, v] of Object.entries(ml)) {
    if (labels[k] !== v)
      r.error(
        `${path}.spec.selector.matchLabels.${k}`,
        v,
        `does not match the template's labels (spec.template.metadata.labels.${k} is ${labels[k] ?? 'not set'})`,
      );
  }
  const base = readPodSpec(r, tspec, {}, path, `${path}.spec.template.spec`, nodeNames, cluster);
  const templateHash = safeEncode(hash32(`${namespace}/${name}:${JSON.stringify(template)}`), 10);
  const nodes = [...nodeNames];
  const pods: PodSpec[] = [];
  for (let i = 0; i < replicas; i++) {
    const suffix = safeEncode(hash32(`${namespace}/${name}:${templateHash}:${i}`), 5);
    const nodeName = base.nodeName ?? (nodes.length ? nodes[i % nodes.length] : undefined);
    pods.push({
      ...base,
      namespace,
      name: `${name}-${templateHash}-${suffix}`,
      labels: { ...labels, 'pod-template-hash': templateHash },
      ...(nodeName !== undefined ? { nodeName } : {}),
      objectIndex: index,
      fromDeployment: name,
    });
  }
  return pods;
}

function readServiceSpec(r: Reader, spec: Record<string, unknown>, path: string): void {
  const type = r.oneOf(
    spec,
    'type',
    `${path}.type`,
    ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'],
    'ClusterIP',
  );
  r.array(spec, 'ports', `${path}.ports`).forEach((p, i) => {
    const pp = `${path}.ports[${i}]`;
    if (!r.isObject(p)) return r.error(pp, p, 'must be an object');
    if (p['port'] === undefined) r.error(`${pp}.port`, undefined, 'is missing');
    r.integer(p, 'port', `${pp}.port`, undefined, 1, 65535);
    r.oneOf(p, 'protocol', `${pp}.protocol`, PROTOCOLS, 'TCP');
    const tp = p['targetPort'];
    if (typeof tp === 'number') r.integer(p, 'targetPort', `${pp}.targetPort`, undefined, 1, 65535);
    else if (tp !== undefined && typeof tp !== 'string')
      r.error(`${pp}.targetPort`, tp, 'must be a port number or a port name');
    if (p['nodePort'] !== undefined) {
      if (type === 'ClusterIP' || type === 'ExternalName')
        r.error(
          `${pp}.nodePort`,
          p['nodePort'],
          `is only allowed for NodePort and LoadBalancer services (type is ${type})`,
        );
      else {
        const np = r.integer(p, 'nodePort', `${pp}.nodePort`, undefined, 1, 65535);
        if (np !== undefined && (np < 30000 || np > 32767)) {
          r.warn(
            `${pp}.nodePort`,
            `${pp}.nodePort ${np} is outside the API server's default --service-node-port-range 30000-32767 (a cluster with the default range would refuse it)`,
          );
        }
      }
    }
  });
  const cip = spec['clusterIP'];
  if (
    cip !== undefined &&
    cip !== 'None' &&
    cip !== '' &&
    (typeof cip !== 'string' || parseIpv4Sloppy(cip) === undefined)
  ) {
    r.error(`${path}.clusterIP`, cip, 'is not a valid IPv4 address or "None"');
  }
}

const FAULT_TYPES = [
  'kube-proxy-down',
  'pod-not-ready',
  'selector-mismatch',
  'target-port-mismatch',
  'coredns-down',
  'firewall',
  'bgp-session-down',
  'route-reflector-down',
  'mtu-mismatch',
  'missing-route',
  'network-policy',
  'masquerade-off',
  'hairpin-mode-off',
];

function readFaults(r: Reader, list: unknown[], networkPolicies: NetworkPolicy[]): Fault[] {
  const out: Fault[] = [];
  list.forEach((f, i) => {
    const path = `faults[${i}]`;
    if (!r.isObject(f)) return r.error(path, f, 'must be an object');
    const type = r.requiredString(f, 'type', `${path}.type`);
    if (type !== '' && !FAULT_TYPES.includes(type))
      r.error(`${path}.type`, type, `is not a fault type (${FAULT_TYPES.join(', ')})`);
    if (type === 'firewall') {
      if (f['router'] === undefined && f['node'] === undefined)
        r.error(`${path}.router`, undefined, 'is missing: a firewall fault names a router or a node');
      readFirewallRule(r, f, path);
    }
    if (type === 'bgp-session-down') {
      const b = f['between'];
      if (!Array.isArray(b) || b.length !== 2 || b.some((x) => typeof x !== 'string' || x === ''))
        r.error(
          `${path}.between`,
          b,
          'must name the two BGP speakers of the session, e.g. ["node-1", "node-2"]',
        );
    }
    if (type === 'route-reflector-down' && f['node'] === undefined && f['router'] === undefined)
      r.error(
        `${path}.node`,
        undefined,
        'is missing: route-reflector-down names the reflector (a node, or a router)',
      );
    if (type === 'mtu-mismatch') {
      r.requiredString(f, 'node', `${path}.node`);
      r.requiredString(f, 'interface', `${path}.interface`);
      if (f['mtu'] === undefined) r.error(`${path}.mtu`, undefined, 'is missing');
      r.integer(f, 'mtu', `${path}.mtu`, 1500, 68, 65535);
    }
    if (type === 'missing-route') {
      r.requiredString(f, 'node', `${path}.node`);
      const route = r.requiredString(f, 'route', `${path}.route`);
      if (route !== '' && route !== 'default' && !parseCidr(route, false).ok)
        r.error(`${path}.route`, route, 'is neither "default" nor a CIDR');
    }
    if (type === 'network-policy') readPolicyFault(r, f, path, networkPolicies);
    out.push(f as Fault);
  });
  return out;
}

/** A `network-policy` fault: its `policy` is a NetworkPolicy object, validated like one in `objects`. */
function readPolicyFault(
  r: Reader,
  f: Record<string, unknown>,
  path: string,
  networkPolicies: NetworkPolicy[],
): void {
  const pp = `${path}.policy`;
  const o = f['policy'];
  if (o === undefined || o === null)
    return r.error(pp, undefined, 'is missing: a network-policy fault carries a NetworkPolicy object');
  if (!r.isObject(o)) return r.error(pp, o, 'must be a NetworkPolicy object');
  const kind = o['kind'];
  if (kind !== undefined && kind !== 'NetworkPolicy')
    return r.error(`${pp}.kind`, kind, 'must be NetworkPolicy');
  const meta = r.object(o, 'metadata', `${pp}.metadata`);
  const name = r.requiredString(meta, 'name', `${pp}.metadata.name`);
  const namespace = r.string(meta, 'namespace', `${pp}.metadata.namespace`, 'default');
  if (name !== '' && !DNS1123_SUBDOMAIN.test(name))
    r.error(
      `${pp}.metadata.name`,
      name,
      'is not a valid Kubernetes name (lower-case letters, digits, "-" and ".")',
    );
  if (!DNS1123_LABEL.test(namespace))
    r.error(
      `${pp}.metadata.namespace`,
      namespace,
      'is not a valid namespace name (lower-case letters, digits and "-")',
    );
  const other = networkPolicies.find((p) => p.namespace === namespace && p.name === name);
  if (other)
    r.error(
      `${pp}.metadata.name`,
      name,
      `is already used by ${other.source} (a NetworkPolicy named ${namespace}/${name} exists twice)`,
    );
  networkPolicies.push(readNetworkPolicy(r, o, pp, namespace, name));
}

function readLayout(r: Reader, layout: Record<string, unknown>): Record<string, { x: number; y: number }> {
  const out: Record<string, { x: number; y: number }> = {};
  for (const [k, v] of Object.entries(layout)) {
    const path = `layout.${k}`;
    if (!parseRef(k).ok) {
      r.warn(path, `${path} is not an element reference; the position is ignored`);
      continue;
    }
    if (
      !r.isObject(v) ||
      typeof v['x'] !== 'number' ||
      typeof v['y'] !== 'number' ||
      !Number.isFinite(v['x']) ||
      !Number.isFinite(v['y'])
    ) {
      r.error(path, v, 'must be {"x": number, "y": number}');
      continue;
    }
    out[k] = { x: v['x'], y: v['y'] };
  }
  return out;
}
