import type { Problem } from '../core/problem';
import { flannelIpam, isRunning } from '../control/ipam/flannel';
import {
  cidrContains,
  formatCidr,
  formatIpv4,
  parseCidr,
  parseIpv4,
  type Cidr,
  type Ipv4Addr,
} from '../dataplane/addr/ipv4';
import { nicMac, randomMac } from '../dataplane/addr/mac';
import type { Host, Segment } from '../dataplane/walker/host';
import type { FirewallRule, Lab, NodeSpec } from '../model/lab';
import {
  cniAddPod,
  cniBridge,
  flannelIptables,
  flannelMtu,
  flannelRoutes,
  flannelVxlanDevice,
  type FlannelNode,
} from './cniFlannel';
import { buildServiceModel } from '../control/services/serviceModel';
import type { ServiceModel } from '../control/services/types';
import { kubeProxyIptables, type KubeProxyIptables, type KubeProxyNode } from '../control/kubeproxy/iptables';
import { buildChains, chainBlock, type ChainBlock } from '../dataplane/netfilter/tables';
import type { Table } from '../dataplane/netfilter/rule';
import type { NftRuleset } from '../dataplane/netfilter/nft';
import { kubeProxyIpvs } from '../control/kubeproxy/ipvs';
import { kubeProxyNftables } from '../control/kubeproxy/nftables';
import { HostBuilder, ifAddr } from './hostBuilder';
import { HOST_RESOLV_CONF } from './hostFiles';
import type { PodInfo, World } from './world';
import { CalicoCompiler } from './compileCalico';
import { buildPolicyEngine } from '../control/policy/engine';
import { policyEnforcement } from '../control/policy/enforcement';

const ZERO = 0 as Ipv4Addr;

/**
 * Compiles a lab into its world: one Linux namespace per node, pod, router and client, programmed
 * the way the real tools would program them. Pure and deterministic.
 */
export interface CompileOptions {
  /** Share kube-proxy's program between nodes with the same inputs (default true; false is for tests). */
  readonly shareKubeProxy?: boolean;
}

export function compile(lab: Lab, labWarnings: readonly Problem[] = [], opts: CompileOptions = {}): World {
  const problems: Problem[] = [...labWarnings];
  const builders = new Map<string, HostBuilder>();
  const segments = new Map<
    string,
    { name: string; mtu: number; ports: { host: string; ifname: string }[] }
  >();
  for (const n of lab.networks) segments.set(n.name, { name: n.name, mtu: n.mtu, ports: [] });
  const netCidr = new Map<string, Cidr>();
  for (const n of lab.networks) {
    const c = parseCidr(n.cidr);
    if (c.ok) netCidr.set(n.name, c.cidr);
  }
  const hostOf = new Map<string, string>();
  const servicesOut: { model?: ServiceModel } = {};

  /** A NIC plugged into a lab network, with its address and connected route. */
  const plug = (h: HostBuilder, ifname: string, network: string, ip: string, mtu: number): void => {
    const c = netCidr.get(network);
    const a = parseIpv4(ip);
    h.addLink({
      name: ifname,
      kind: 'ether',
      mac: nicMac(`${h.id}/${ifname}`),
      mtu,
      up: true,
      addrs: [],
      network,
    });
    if (c && a !== undefined) h.addAddr(ifname, ifAddr(a, c.len));
    segments.get(network)?.ports.push({ host: h.id, ifname });
  };

  // --- routers and clients -----------------------------------------------------------------
  for (const r of lab.routers) {
    const h = new HostBuilder(`router/${r.name}`, 'router', r.name);
    h.ipForward = true;
    r.interfaces.forEach((f, i) => plug(h, `eth${i}`, f.network, f.ip, segments.get(f.network)?.mtu ?? 1500));
    for (const [i, rt] of r.routes.entries()) {
      const via = parseIpv4(rt.via);
      const dst =
        rt.to === 'default'
          ? { addr: ZERO, len: 0 }
          : parseCidr(rt.to).ok
            ? (parseCidr(rt.to) as { cidr: Cidr }).cidr
            : undefined;
      if (via === undefined || dst === undefined) continue;
      const dev = connectedDev(h, via);
      if (dev === undefined) {
        problems.push({
          severity: 'warning',
          path: `routers[${lab.routers.indexOf(r)}].routes[${i}]`,
          ref: `router/${r.name}`,
          message: `routers[${lab.routers.indexOf(r)}].routes[${i}] ${rt.to} via ${rt.via} is not installed: ${rt.via} is not on a network connected to router ${r.name} ("Error: Nexthop has invalid gateway.")`,
        });
        continue;
      }
      h.addRoute({ type: 'unicast', dst, via, dev, proto: 'static', scope: 'universe' });
    }
    firewallRules(h, r.firewall, 'FORWARD');
    builders.set(h.id, h);
    hostOf.set(h.id, h.id);
  }
  for (const c of lab.clients) {
    const h = new HostBuilder(`client/${c.name}`, 'client', c.name);
    plug(h, 'eth0', c.network, c.ip, c.mtu);
    defaultRoute(h, c.gateway);
    h.resolvConf = HOST_RESOLV_CONF;
    builders.set(h.id, h);
    hostOf.set(h.id, h.id);
  }

  // --- nodes ---------------------------------------------------------------------------------
  // IPAM per CNI plugin: flannel leases (the node's podCIDR) or Calico IPAM blocks
  const calico =
    lab.cluster.cni.plugin === 'calico' ? new CalicoCompiler(lab, (n, i) => mtuFault(lab, n, i)) : undefined;
  const ipam = calico
    ? {
        podIps: calico.ipam.podIps,
        problems: calico.ipam.problems,
        leases: new Map(
          lab.nodes.flatMap((n) => {
            const l = calico.leaseOf(n.name);
            return l ? [[n.name, l] as const] : [];
          }),
        ),
      }
    : flannelIpam(lab);
  problems.push(...ipam.problems);
  const fnodes: FlannelNode[] = [];
  for (const n of lab.nodes) {
    const h = new HostBuilder(`node/${n.name}`, 'node', n.name);
    h.ipForward = true;
    h.brNfCallIptables = true;
    plug(h, 'eth0', n.network, n.ip, mtuFault(lab, n.name, 'eth0') ?? n.mtu);
    defaultRoute(h, n.gateway);
    h.listeners.push(
      { proto: 'tcp', port: 22, process: 'sshd' },
      { proto: 'tcp', port: 10250, process: 'kubelet' },
    );
    h.resolvConf = HOST_RESOLV_CONF;
    builders.set(h.id, h);
    hostOf.set(h.id, h.id);
    const lease = ipam.leases.get(n.name);
    const ip = parseIpv4(n.ip);
    if (lease && ip !== undefined)
      fnodes.push({ spec: { ...n, mtu: mtuFault(lab, n.name, 'eth0') ?? n.mtu }, host: h, lease, ip });
    if (calico && ip !== undefined)
      calico.addNode({ ...n, mtu: mtuFault(lab, n.name, 'eth0') ?? n.mtu }, h, ip);
  }
  const flannel = lab.cluster.cni.plugin === 'flannel';
  const vni = lab.cluster.cni.vxlan.vni;
  for (const fn of fnodes) {
    if (flannel && lab.cluster.cni.mode === 'vxlan') {
      flannelVxlanDevice(lab, fn);
      const m = mtuFault(lab, fn.spec.name, `flannel.${vni}`);
      if (m !== undefined) fn.host.link(`flannel.${vni}`).mtu = m;
    }
  }
  // pods, in lab order: cni0 comes with a node's first pod
  const pods: PodInfo[] = [];
  const byNode = new Map(fnodes.map((f) => [f.spec.name, f]));
  for (const p of lab.pods) {
    const ref = `pod/${p.namespace}/${p.name}`;
    const info = (x: Omit<PodInfo, 'ref' | 'spec'>): void => {
      pods.push({ ref, spec: p, ...x });
    };
    if (p.nodeName === undefined) {
      info({ why: 'the pod is not scheduled to a node (Pending)' });
      continue;
    }
    const fn = byNode.get(p.nodeName);
    if (p.hostNetwork) {
      const a = parseIpv4(lab.nodes.find((n) => n.name === p.nodeName)?.ip ?? '');
      hostOf.set(ref, `node/${p.nodeName}`);
      for (const port of p.ports)
        builders.get(`node/${p.nodeName}`)?.listeners.push({
          proto: lower(port.protocol),
          port: port.containerPort,
          process: `${p.namespace}/${p.name}`,
        });
      info(a !== undefined ? { ip: a, hostId: `node/${p.nodeName}` } : { hostId: `node/${p.nodeName}` });
      continue;
    }
    if (!isRunning(p.phase)) {
      info({ why: `the pod is ${p.phase}: its sandbox and network are gone` });
      continue;
    }
    const ip = ipam.podIps.get(`${p.namespace}/${p.name}`);
    if (!fn || ip === undefined) {
      info({ why: 'the pod has no IP (its node has no pod subnet)' });
      continue;
    }
    const mtu = podMtu(lab, fn);
    if (!calico) cniBridge(lab, fn, mtu);
    const pod = new HostBuilder(ref, 'pod', p.name);
    for (const port of p.ports)
      pod.listeners.push({
        proto: lower(port.protocol),
        port: port.containerPort,
        process: `${p.namespace}/${p.name}`,
      });
    pod.resolvConf = podResolvConf(lab, p.namespace, p.dnsPolicy);
    if (calico) calico.addPod(p.nodeName, pod, p.namespace, p.name, ip);
    else cniAddPod(lab, fn, pod, ip, mtu, !hairpinOff(lab, p.nodeName, `${p.namespace}/${p.name}`));
    builders.set(ref, pod);
    hostOf.set(ref, ref);
    info({ ip, hostId: ref });
  }
  if (flannel) {
    flannelRoutes(lab, fnodes, problems);
    for (const fn of fnodes)
      flannelIptables(lab, fn, lab.cluster.cni.natOutgoing && !masqueradeOff(lab, fn.spec.name));
  }
  calico?.program(
    problems,
    (node) => masqueradeOff(lab, node),
    (ref) => builders.get(ref),
  );
  programKubeProxy(lab, ipam.podIps, fnodes, problems, servicesOut, opts.shareKubeProxy ?? true);
  calico?.finish();
  applyNodeFaults(lab, builders, problems);

  const hosts = new Map<string, Host>();
  for (const [id, b] of builders) hosts.set(id, b.build());
  const podSubnets = new Map<string, Cidr>();
  for (const fn of fnodes) podSubnets.set(fn.spec.name, fn.lease);
  const segs = new Map<string, Segment>([...segments].map(([k, v]) => [k, v]));
  const services = servicesOut.model ?? { services: [], endpoints: new Map() };
  const announced = announceLoadBalancerIPs(lab, services, fnodes, problems);
  const policy = buildPolicyEngine(lab.objects, lab.networkPolicies, pods);
  const enforcement = policyEnforcement(lab, policy, hosts);
  problems.push(...enforcement.problems);
  return {
    lab,
    ...(calico ? { calico: calico.world() } : {}),
    policy,
    fabric: {
      hosts,
      segments: segs,
      ...(announced.size ? { announced } : {}),
      ...(enforcement.hook ? { policy: enforcement.hook } : {}),
    },
    problems,
    pods,
    podSubnets,
    hostOf,
    services,
  };
}

function lower(p: 'TCP' | 'UDP' | 'SCTP'): 'tcp' | 'udp' | 'sctp' {
  return p === 'TCP' ? 'tcp' : p === 'UDP' ? 'udp' : 'sctp';
}

function connectedDev(h: HostBuilder, a: Ipv4Addr): string | undefined {
  return h.routes.find(
    (r) => r.table === 'main' && r.proto === 'kernel' && r.via === undefined && cidrContains(r.dst, a),
  )?.dev;
}

function defaultRoute(h: HostBuilder, gateway: string | undefined): void {
  const gw = gateway === undefined ? undefined : parseIpv4(gateway);
  if (gw === undefined) return;
  h.addRoute({
    type: 'unicast',
    dst: { addr: ZERO, len: 0 },
    via: gw,
    dev: connectedDev(h, gw) ?? 'eth0',
    proto: 'static',
    scope: 'universe',
  });
}

function podMtu(lab: Lab, fn: FlannelNode): number {
  const tunnel =
    lab.cluster.cni.mode === 'vxlan'
      ? mtuFault(lab, fn.spec.name, `flannel.${lab.cluster.cni.vxlan.vni}`)
      : undefined;
  return tunnel ?? flannelMtu(lab, fn.spec);
}

function podResolvConf(lab: Lab, ns: string, dnsPolicy: string): string {
  if (dnsPolicy === 'Default') return HOST_RESOLV_CONF;
  const d = lab.cluster.clusterDomain;
  return `search ${ns}.svc.${d} svc.${d} ${d}\nnameserver ${lab.cluster.dnsServiceIP}\noptions ndots:5\n`;
}

function faultsOf(lab: Lab, type: string): Record<string, unknown>[] {
  return lab.faults.filter((f) => f.type === type);
}

function mtuFault(lab: Lab, node: string, iface: string): number | undefined {
  const f = faultsOf(lab, 'mtu-mismatch').find((x) => x['node'] === node && x['interface'] === iface);
  return typeof f?.['mtu'] === 'number' ? f['mtu'] : undefined;
}

function hairpinOff(lab: Lab, node: string, pod: string): boolean {
  return faultsOf(lab, 'hairpin-mode-off').some(
    (f) => f['node'] === node && (f['pod'] === undefined || f['pod'] === pod),
  );
}

function masqueradeOff(lab: Lab, node: string): boolean {
  return faultsOf(lab, 'masquerade-off').some(
    (f) =>
      (f['node'] === undefined || f['node'] === node) &&
      (f['scope'] === 'natOutgoing' || f['scope'] === 'all'),
  );
}

const IPTABLES_PROTO: Record<string, string> = {
  tcp: 'tcp',
  udp: 'udp',
  icmp: 'icmp',
  sctp: 'sctp',
  ipip: 'ipencap',
  all: 'all',
};

/** Firewall entries as the iptables rules an administrator would write. */
function firewallRules(h: HostBuilder, rules: readonly FirewallRule[], ...chains: string[]): void {
  for (const chain of chains) {
    for (const r of rules) {
      const parts = [`-A ${chain}`];
      if (r.src) parts.push(`-s ${r.src}`);
      if (r.dst) parts.push(`-d ${r.dst}`);
      const proto = typeof r.proto === 'number' ? String(r.proto) : (IPTABLES_PROTO[r.proto] ?? r.proto);
      if (proto !== 'all') parts.push(`-p ${proto}`);
      if (r.dport !== undefined) parts.push(`-m ${proto} --dport ${r.dport}`);
      parts.push(
        r.action === 'drop'
          ? '-j DROP'
          : `-j REJECT --reject-with ${proto === 'tcp' ? 'tcp-reset' : 'icmp-port-unreachable'}`,
      );
      h.nf.add('filter', parts.join(' '));
    }
  }
}

/** What kube-proxy programs on a node, parsed once and shared by every node whose inputs are the same. */
interface KubeProxyProgram {
  readonly iptables?: {
    readonly jumps: KubeProxyIptables['jumps'];
    readonly builtin: readonly { table: Table; line: string }[];
    readonly blocks: readonly { table: Table; block: ChainBlock }[];
  };
  readonly ipvs?: ReturnType<typeof kubeProxyIpvs>;
  readonly nftables?: NftRuleset;
}

const BUILTIN: ReadonlySet<string> = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

/**
 * The endpoints controller's result, then kube-proxy on every node. kube-proxy's output depends on
 * the node only through its local endpoints (Local traffic policies), its addresses
 * (--nodeport-addresses, IPVS NodePort virtual servers) and its pod CIDR (detect-local NodeCIDR):
 * nodes that agree on those share one program (`share: false` generates every node on its own).
 */
function programKubeProxy(
  lab: Lab,
  podIps: ReadonlyMap<string, Ipv4Addr>,
  fnodes: readonly FlannelNode[],
  problems: Problem[],
  out: { model?: ServiceModel },
  share: boolean,
): void {
  const ips = new Map<string, string>();
  for (const [k, v] of podIps) ips.set(k, formatIpv4(v));
  const built = buildServiceModel(lab, ips);
  problems.push(...built.problems);
  out.model = built.model;
  const cfg = lab.cluster.kubeProxy;
  const mode = cfg.mode;
  const noServices: ServiceModel = { services: [], endpoints: new Map() };
  const localPolicy = built.model.services.filter(
    (sv) => sv.externalTrafficPolicy === 'Local' || sv.internalTrafficPolicy === 'Local',
  );
  const programs = new Map<string, KubeProxyProgram>();
  let unshared = 0;
  for (const fn of fnodes) {
    // kube-proxy-down: stopped before the lab's Services existed. With stale (the default) the
    // chains it programmed at start-up stay, with no Service in them; with stale: false, nothing.
    const down = faultsOf(lab, 'kube-proxy-down').find((f) => f['node'] === fn.spec.name);
    if (down && down['stale'] === false) continue;
    const model = down ? noServices : built.model;
    const addresses = fn.host.links.flatMap((l) => l.addrs.map((a) => formatIpv4(a.addr)));
    const node = { name: fn.spec.name, ip: fn.spec.ip, addresses, podCIDR: formatCidr(fn.lease) };
    // masquerade-off (hairpin): the KUBE-SEP "-s <endpoint> -j KUBE-MARK-MASQ" rules are missing
    const noHairpin = faultsOf(lab, 'masquerade-off').some(
      (f) =>
        (f['node'] === undefined || f['node'] === fn.spec.name) &&
        (f['scope'] === 'hairpin' || f['scope'] === 'all'),
    );
    const local = down
      ? []
      : localPolicy.map((sv) =>
          (built.model.endpoints.get(`${sv.namespace}/${sv.name}`)?.slices ?? [])
            .flatMap((sl) => sl.endpoints.filter((e) => e.nodeName === fn.spec.name).map((e) => e.ip))
            .join(','),
        );
    const key = share
      ? JSON.stringify([
          !!down,
          noHairpin,
          local,
          cfg.nodePortAddresses.length > 0 || mode === 'ipvs' ? [fn.spec.ip, addresses] : '',
          cfg.detectLocalMode === 'NodeCIDR' ? node.podCIDR : '',
        ])
      : String(unshared++);
    let prog = programs.get(key);
    if (!prog) {
      prog = kubeProxyProgram(lab, model, node, noHairpin);
      programs.set(key, prog);
    }
    const h = fn.host;
    if (prog.nftables) h.nftables = prog.nftables;
    if (prog.ipvs) {
      const v = prog.ipvs;
      h.addLink({
        name: 'kube-ipvs0',
        kind: 'dummy',
        mac: randomMac(`${h.id}/kube-ipvs0`),
        mtu: 1500,
        up: false,
        addrs: [],
      });
      for (const a of v.dummyAddrs) {
        const ip = parseIpv4(a);
        if (ip !== undefined) h.addAddr('kube-ipvs0', { addr: ip, len: 32, scope: 'global' });
      }
      h.ipvs = v.ipvs;
      for (const set of v.ipsets) h.ipsets.set(set.name, set);
    }
    if (prog.iptables) {
      for (const b of prog.iptables.blocks) h.nf.installBlock(b.table, b.block);
      for (const jr of prog.iptables.jumps) h.nf.add(jr.table, jr.line, true);
      for (const b of prog.iptables.builtin) h.nf.add(b.table, b.line);
    }
  }
}

function kubeProxyProgram(
  lab: Lab,
  model: ServiceModel,
  node: KubeProxyNode,
  noHairpin: boolean,
): KubeProxyProgram {
  const cfg = lab.cluster.kubeProxy;
  if (cfg.mode === 'nftables')
    return { nftables: kubeProxyNftables(model, node, cfg, { serviceCIDRs: [lab.cluster.serviceCIDR] }) };
  const ipvs = cfg.mode === 'ipvs' ? kubeProxyIpvs(model, node, cfg) : undefined;
  const r = ipvs ? ipvs.iptables : kubeProxyIptables(model, node, cfg);
  const builtin: { table: Table; line: string }[] = [];
  const blocks: { table: Table; block: ChainBlock }[] = [];
  for (const t of ['mangle', 'filter', 'nat'] as const) {
    const user: string[] = [];
    for (const line of r.rules[t]) {
      if (noHairpin && /^-A KUBE-SEP-\S+ .*-s \S+ -j KUBE-MARK-MASQ$/.test(line)) continue;
      const chain = /^-A (\S+)/.exec(line)?.[1] ?? '';
      if (BUILTIN.has(chain)) builtin.push({ table: t, line });
      else user.push(line);
    }
    const declared = r.chains[t].filter((c) => !BUILTIN.has(c));
    blocks.push({ table: t, block: chainBlock(buildChains(declared, user)) });
  }
  return { iptables: { jumps: r.jumps, builtin, blocks }, ...(ipvs ? { ipvs } : {}) };
}

/**
 * LoadBalancer ingress addresses on a lab network are announced the way MetalLB's layer-2 mode
 * does it: one node answers ARP for the address, so traffic to it arrives at that node, where
 * kube-proxy's rules take it. With externalTrafficPolicy Local only a node with a ready local
 * endpoint may announce. Podpath picks the first such node in lab order.
 */
function announceLoadBalancerIPs(
  lab: Lab,
  model: ServiceModel,
  fnodes: readonly FlannelNode[],
  problems: Problem[],
): Map<string, Map<number, { host: string; ifname: string }>> {
  const out = new Map<string, Map<number, { host: string; ifname: string }>>();
  for (const svc of model.services) {
    if (svc.type !== 'LoadBalancer') continue;
    const eps = (model.endpoints.get(`${svc.namespace}/${svc.name}`)?.slices ?? []).flatMap(
      (sl) => sl.endpoints,
    );
    for (const text of svc.loadBalancerIPs) {
      const ip = parseIpv4(text);
      if (ip === undefined) continue;
      const net = lab.networks.find((n) => {
        const c = parseCidr(n.cidr);
        return c.ok && cidrContains(c.cidr, ip);
      });
      if (!net) continue; // routed elsewhere: a cloud load balancer outside the lab
      const speaker = fnodes.find(
        (fn) =>
          fn.spec.network === net.name &&
          (svc.externalTrafficPolicy !== 'Local' || eps.some((e) => e.ready && e.nodeName === fn.spec.name)),
      );
      if (!speaker) {
        problems.push({
          severity: 'warning',
          path: `objects[${svc.objectIndex}].status.loadBalancer.ingress`,
          ref: `svc/${svc.namespace}/${svc.name}`,
          message: `LoadBalancer IP ${text} of Service ${svc.namespace}/${svc.name} is announced by no node${svc.externalTrafficPolicy === 'Local' ? ' (externalTrafficPolicy Local: no node on that network has a ready endpoint)' : ''}`,
        });
        continue;
      }
      let m = out.get(net.name);
      if (!m) out.set(net.name, (m = new Map<number, { host: string; ifname: string }>()));
      if (!m.has(ip)) m.set(ip, { host: speaker.host.id, ifname: 'eth0' });
    }
  }
  return out;
}

const MODELLED_FAULTS = [
  'firewall',
  'mtu-mismatch',
  'missing-route',
  'hairpin-mode-off',
  'masquerade-off',
  'kube-proxy-down',
  'pod-not-ready',
  'selector-mismatch',
  'target-port-mismatch',
  'coredns-down',
  'network-policy',
];

function applyNodeFaults(lab: Lab, builders: Map<string, HostBuilder>, problems: Problem[]): void {
  lab.faults.forEach((f0, i) => {
    const f = f0 as Record<string, unknown>;
    const path = `faults[${i}]`;
    const nodeName = typeof f['node'] === 'string' ? f['node'] : undefined;
    const routerName = typeof f['router'] === 'string' ? f['router'] : undefined;
    if (nodeName !== undefined && !builders.has(`node/${nodeName}`)) {
      problems.push({
        severity: 'warning',
        path: `${path}.node`,
        message: `${path}.node ${nodeName} is not a node of this lab; the fault has no effect`,
      });
      return;
    }
    if (routerName !== undefined && !builders.has(`router/${routerName}`)) {
      problems.push({
        severity: 'warning',
        path: `${path}.router`,
        message: `${path}.router ${routerName} is not a router of this lab; the fault has no effect`,
      });
      return;
    }
    if (!MODELLED_FAULTS.includes(f0.type)) {
      problems.push({
        severity: 'warning',
        path,
        message: `${path} (${f0.type}) concerns a part of the cluster this version does not simulate yet; it has no effect`,
      });
      return;
    }
    if (f0.type === 'firewall') {
      const rule = {
        action: f['action'] === 'reject' ? 'reject' : 'drop',
        proto: (f['proto'] as string | number | undefined) ?? 'all',
        ...pick(f, ['dport', 'src', 'dst']),
      } as FirewallRule;
      if (nodeName !== undefined) {
        const b = builders.get(`node/${nodeName}`);
        if (b) firewallRules(b, [rule], 'INPUT', 'FORWARD');
      } else if (routerName !== undefined) {
        const b = builders.get(`router/${routerName}`);
        if (b) firewallRules(b, [rule], 'FORWARD');
      }
    }
    if (f0.type === 'missing-route' && nodeName !== undefined) {
      const b = builders.get(`node/${nodeName}`);
      const route = String(f['route']);
      if (!b) return;
      const before = b.routes.length;
      const c =
        route === 'default'
          ? { addr: ZERO, len: 0 }
          : parseCidr(route).ok
            ? (parseCidr(route) as { cidr: Cidr }).cidr
            : undefined;
      const keep = b.routes.filter(
        (r) => !(r.table === 'main' && c !== undefined && r.dst.addr === c.addr && r.dst.len === c.len),
      );
      b.routes.length = 0;
      b.routes.push(...keep);
      if (keep.length === before)
        problems.push({
          severity: 'warning',
          path: `${path}.route`,
          message: `${path}.route ${route}: node ${nodeName} has no such route; the fault has no effect`,
        });
    }
  });
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

export function nodeSpecByName(lab: Lab, name: string): NodeSpec | undefined {
  return lab.nodes.find((n) => n.name === name);
}
