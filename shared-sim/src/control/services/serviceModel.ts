import { hash32 } from '../../core/hash';
import { warning, type Problem } from '../../core/problem';
import {
  addOffset,
  cidrContains,
  cidrSize,
  formatIpv4,
  parseCidr,
  parseIpv4Sloppy,
  type Cidr,
} from '../../dataplane/addr/ipv4';
import type { KubeObject, Lab, PodSpec } from '../../model/lab';
import type {
  EndpointAddress,
  EndpointPort,
  EndpointsSubset,
  EndpointsSubsetAddress,
  L4Protocol,
  ResolvedEndpointSlice,
  ResolvedService,
  ServiceEndpoints,
  ServiceModel,
  ServicePortSpec,
} from './types';

/**
 * The API server's and the endpoints controllers' view of Services: ClusterIPs and NodePorts
 * allocated where the lab leaves them out, EndpointSlices/Endpoints derived from the pods.
 * `podIps` maps `ns/name` to the pod's IP (from IPAM), for pods that have one.
 *
 * Allocation (deterministic stand-in for the API server's random choice):
 * - Given ClusterIPs and NodePorts are reserved first, in object order; a duplicate is kept as
 *   given with a warning (a real API server would refuse to create the second Service).
 * - A missing ClusterIP is picked by hashing `ns/name` into the upper ("dynamic") band of
 *   cluster.serviceCIDR (above min(max(16, size/16), 256) addresses, as the ServiceIPStaticSubrange
 *   allocator prefers), then probing upwards, then the lower band. Never the network or broadcast
 *   address, never the first address (default/kubernetes's), never cluster.dnsServiceIP (kube-system/
 *   kube-dns's). default/kubernetes and kube-system/kube-dns get those two addresses when they
 *   leave clusterIP out. A hash rather than a counter keeps every other Service's address stable
 *   when a Service is added to or removed from a lab.
 * - A missing NodePort (NodePort, LoadBalancer unless allocateLoadBalancerNodePorts is false) is
 *   picked the same way from 30000-32767, dynamic band first (above min(max(16, size/32), 128)
 *   ports); ports of one Service with the same number but different protocols share one NodePort.
 *   healthCheckNodePort (LoadBalancer with externalTrafficPolicy Local) comes from the same range.
 *
 * Endpoints follow the controllers:
 * - EndpointSlice controller: every selected pod with an IP that is not Succeeded/Failed, terminating
 *   ones included (ready = publishNotReadyAddresses || (ready && !terminating), serving = ready,
 *   terminating = deletionTimestamp set); pods grouped into slices by their resolved port list (a
 *   named targetPort is looked up per pod, by name and protocol; a pod without it is left out of
 *   that port); a placeholder slice with no ports and no endpoints when nothing is selected.
 * - Endpoints controller: the same pods, but terminating ones only with publishNotReadyAddresses;
 *   not-ready pods in notReadyAddresses (unless publishNotReadyAddresses); a headless Service without
 *   ports lists addresses without ports, any other Service without ports lists nothing; subsets
 *   repacked as upstream's RepackSubsets does (ports sharing the same address set form one subset),
 *   addresses sorted by IP text. Subsets and ports are ordered by port list (upstream orders them by
 *   an md5 of their Go representation, which is not worth reproducing).
 * - ExternalName Services get nothing; a Service without selector gets only what the lab gives.
 * - Endpoints/EndpointSlice objects given in the lab are used as they are (CONTRACT.md); a given
 *   Endpoints without EndpointSlices is mirrored into slices as the mirroring controller does.
 *
 * The faults pod-not-ready, coredns-down, selector-mismatch and target-port-mismatch are applied
 * here (they change what the API server holds, so every consumer sees them).
 */
export function buildServiceModel(
  lab: Lab,
  podIps: ReadonlyMap<string, string>,
): { model: ServiceModel; problems: Problem[] } {
  const problems: Problem[] = [];
  const drafts = readServices(lab, problems);
  allocateClusterIPs(lab, drafts, problems);
  allocateNodePorts(drafts, problems);

  const given = readGivenEndpoints(lab);
  const services: ResolvedService[] = drafts.map(resolve);
  const endpoints = new Map<string, ServiceEndpoints>();
  const ctx = podContext(lab, podIps);
  for (const s of services) {
    const key = `${s.namespace}/${s.name}`;
    const g = given.get(key);
    given.delete(key);
    if (g && s.selector) {
      const what = [g.endpoints ? 'Endpoints' : '', g.slices.length ? 'EndpointSlice' : '']
        .filter(Boolean)
        .join(' and ');
      problems.push(
        warning(
          `objects[${g.index}]`,
          `objects[${g.index}] ${what} ${key} is given for Service ${key}, which has a selector: in a cluster the endpoints controllers would replace it with the selected pods' addresses; Podpath uses it as given`,
          `svc/${key}`,
        ),
      );
    }
    endpoints.set(key, serviceEndpoints(s, g, ctx));
  }
  const orphanEndpoints = [...given.entries()].map(([key, g]) => fromGiven(key, g));
  const model: ServiceModel = orphanEndpoints.length
    ? { services, endpoints, orphanEndpoints }
    : { services, endpoints };
  return { model, problems };
}

// --- reading Services ------------------------------------------------------------------------

type ServiceType = ResolvedService['type'];

interface PortDraft {
  name: string;
  protocol: L4Protocol;
  port: number;
  targetPort: number | string;
  nodePort: number;
  nodePortGiven: boolean;
}

interface ServiceDraft {
  index: number;
  namespace: string;
  name: string;
  type: ServiceType;
  clusterIP: string;
  headless: boolean;
  /** A clusterIP given in the lab (normalized), to reserve before allocating. */
  givenClusterIP?: string;
  selector?: Record<string, string>;
  ports: PortDraft[];
  externalIPs: string[];
  loadBalancerIPs: string[];
  loadBalancerSourceRanges: string[];
  externalTrafficPolicy: 'Cluster' | 'Local';
  internalTrafficPolicy: 'Cluster' | 'Local';
  healthCheckNodePort: number;
  hcnpGiven: boolean;
  sessionAffinity: 'None' | 'ClientIP';
  affinityTimeoutSeconds: number;
  publishNotReadyAddresses: boolean;
  externalName?: string;
  labels: Record<string, string>;
  allocateLoadBalancerNodePorts: boolean;
}

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function objOf(v: unknown): Json {
  return isObj(v) ? v : {};
}
function arrOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function strOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(objOf(v))) if (typeof x === 'string') out[k] = x;
  return out;
}
function protocolOf(v: unknown): L4Protocol {
  return v === 'UDP' || v === 'SCTP' ? v : 'TCP';
}
/** An IPv4 address as the kernel and kube-proxy print it (leading zeros dropped), or undefined. */
function normIp(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const a = parseIpv4Sloppy(v.trim());
  return a === undefined ? undefined : formatIpv4(a);
}
function normCidr(v: string): string {
  const t = v.trim();
  const [a, l] = t.split('/');
  const ip = normIp(a);
  const len = l !== undefined && /^\d+$/.test(l) ? Number(l) : undefined;
  return ip !== undefined && len !== undefined && len <= 32 ? `${ip}/${len}` : v;
}

function fault(lab: Lab, type: string): Record<string, unknown>[] {
  return lab.faults.filter((f) => f.type === type);
}

function readServices(lab: Lab, problems: Problem[]): ServiceDraft[] {
  const out: ServiceDraft[] = [];
  lab.objects.forEach((o, index) => {
    if (o.kind !== 'Service') return;
    const namespace = o.metadata.namespace ?? 'default';
    const name = o.metadata.name;
    const key = `${namespace}/${name}`;
    const spec = objOf(o.spec);
    const path = `objects[${index}].spec`;
    const t = spec['type'];
    const type: ServiceType =
      t === 'NodePort' || t === 'LoadBalancer' || t === 'ExternalName' ? t : 'ClusterIP';
    const rawIP = strOf(spec['clusterIP']) ?? '';
    const headless = type !== 'ExternalName' && rawIP === 'None';
    const givenClusterIP = type === 'ExternalName' || headless ? undefined : normIp(rawIP);
    if (type === 'ExternalName' && rawIP !== '' && rawIP !== 'None')
      problems.push(
        warning(
          `${path}.clusterIP`,
          `${path}.clusterIP ${rawIP} is ignored: an ExternalName Service has no ClusterIP (the API server would refuse it)`,
          `svc/${key}`,
        ),
      );

    let selector: Record<string, string> | undefined = strMap(spec['selector']);
    const sm = fault(lab, 'selector-mismatch').find((f) => f['service'] === key);
    if (sm && isObj(sm['selector'])) selector = strMap(sm['selector']);
    // an empty selector is not stored (omitempty): the Service is selector-less
    if (Object.keys(selector).length === 0) selector = undefined;

    const tpm = fault(lab, 'target-port-mismatch').find((f) => f['service'] === key);
    const ports: PortDraft[] = arrOf(spec['ports'])
      .filter(isObj)
      .map((p) => {
        const port = typeof p['port'] === 'number' ? p['port'] : 0;
        const tpRaw = tpm !== undefined ? tpm['targetPort'] : p['targetPort'];
        const targetPort =
          typeof tpRaw === 'string' && tpRaw !== ''
            ? tpRaw
            : typeof tpRaw === 'number' && tpRaw > 0
              ? tpRaw
              : port;
        const np = typeof p['nodePort'] === 'number' && p['nodePort'] > 0 ? p['nodePort'] : 0;
        return {
          name: strOf(p['name']) ?? '',
          protocol: protocolOf(p['protocol']),
          port,
          targetPort,
          nodePort: type === 'NodePort' || type === 'LoadBalancer' ? np : 0,
          nodePortGiven: np > 0,
        };
      });

    const lbIngress = arrOf(objOf(objOf(o.status)['loadBalancer'])['ingress']).filter(isObj);
    const etp = spec['externalTrafficPolicy'] === 'Local' ? 'Local' : 'Cluster';
    const itp = spec['internalTrafficPolicy'] === 'Local' ? 'Local' : 'Cluster';
    const hcnpRaw = typeof spec['healthCheckNodePort'] === 'number' ? spec['healthCheckNodePort'] : 0;
    const needsHcnp = type === 'LoadBalancer' && etp === 'Local';
    if (hcnpRaw > 0 && !needsHcnp)
      problems.push(
        warning(
          `${path}.healthCheckNodePort`,
          `${path}.healthCheckNodePort ${hcnpRaw} is ignored: only a LoadBalancer Service with externalTrafficPolicy Local has one (the API server would refuse it)`,
          `svc/${key}`,
        ),
      );
    const affinity = spec['sessionAffinity'] === 'ClientIP' ? 'ClientIP' : 'None';
    const timeout = objOf(objOf(spec['sessionAffinityConfig'])['clientIP'])['timeoutSeconds'];
    const draft: ServiceDraft = {
      index,
      namespace,
      name,
      type,
      clusterIP: headless ? 'None' : '',
      headless,
      ...(givenClusterIP !== undefined ? { givenClusterIP } : {}),
      ...(selector ? { selector } : {}),
      ports,
      externalIPs: arrOf(spec['externalIPs']).flatMap((x) => normIp(x) ?? []),
      loadBalancerIPs: lbIngress.flatMap((i) => normIp(i['ip']) ?? []),
      loadBalancerSourceRanges: arrOf(spec['loadBalancerSourceRanges']).flatMap((x) =>
        typeof x === 'string' ? [normCidr(x)] : [],
      ),
      externalTrafficPolicy: etp,
      internalTrafficPolicy: itp,
      healthCheckNodePort: needsHcnp ? hcnpRaw : 0,
      hcnpGiven: needsHcnp && hcnpRaw > 0,
      sessionAffinity: affinity,
      affinityTimeoutSeconds: typeof timeout === 'number' && timeout > 0 ? timeout : 10800,
      publishNotReadyAddresses: spec['publishNotReadyAddresses'] === true,
      labels: strMap(o.metadata.labels),
      allocateLoadBalancerNodePorts: spec['allocateLoadBalancerNodePorts'] !== false,
    };
    if (type === 'ExternalName') draft.externalName = strOf(spec['externalName']) ?? '';
    out.push(draft);
  });
  return out;
}

function resolve(d: ServiceDraft): ResolvedService {
  const ports: ServicePortSpec[] = d.ports.map((p) => ({
    name: p.name,
    protocol: p.protocol,
    port: p.port,
    targetPort: p.targetPort,
    nodePort: p.nodePort,
  }));
  return {
    namespace: d.namespace,
    name: d.name,
    type: d.type,
    clusterIP: d.clusterIP,
    headless: d.headless,
    ...(d.selector ? { selector: d.selector } : {}),
    ports,
    externalIPs: d.externalIPs,
    loadBalancerIPs: d.loadBalancerIPs,
    loadBalancerSourceRanges: d.loadBalancerSourceRanges,
    externalTrafficPolicy: d.externalTrafficPolicy,
    internalTrafficPolicy: d.internalTrafficPolicy,
    healthCheckNodePort: d.healthCheckNodePort,
    sessionAffinity: d.sessionAffinity,
    affinityTimeoutSeconds: d.affinityTimeoutSeconds,
    publishNotReadyAddresses: d.publishNotReadyAddresses,
    ...(d.externalName !== undefined ? { externalName: d.externalName } : {}),
    objectIndex: d.index,
    labels: d.labels,
    allocateLoadBalancerNodePorts: d.allocateLoadBalancerNodePorts,
  };
}

// --- allocation ------------------------------------------------------------------------------

/** Offset of the first address of the dynamic band: min(max(16, size/16), 256), 0 for tiny ranges. */
function serviceIpBandOffset(size: number): number {
  if (size <= 16) return 0;
  return Math.min(Math.max(16, Math.floor(size / 16)), 256);
}

function allocateClusterIPs(lab: Lab, drafts: ServiceDraft[], problems: Problem[]): void {
  const parsed = parseCidr(lab.cluster.serviceCIDR);
  const range: Cidr | undefined = parsed.ok ? parsed.cidr : undefined;
  const taken = new Map<string, string>();
  const first = range ? formatIpv4(addOffset(range.addr, 1)) : undefined;
  const dns = normIp(lab.cluster.dnsServiceIP);

  for (const d of drafts) {
    const ip = d.givenClusterIP;
    if (ip === undefined) continue;
    const key = `${d.namespace}/${d.name}`;
    const path = `objects[${d.index}].spec.clusterIP`;
    const a = parseIpv4Sloppy(ip);
    if (range && a !== undefined && !cidrContains(range, a)) {
      problems.push(
        warning(
          path,
          `${path} ${ip} is not inside cluster.serviceCIDR ${lab.cluster.serviceCIDR} (the API server would refuse it: "provided IP is not in the valid range"); kept as given`,
          `svc/${key}`,
        ),
      );
    }
    const other = taken.get(ip);
    if (other !== undefined) {
      problems.push(
        warning(
          path,
          `${path} ${ip} is already the ClusterIP of Service ${other} (the API server would refuse it: "provided IP is already allocated"); kept as given`,
          `svc/${key}`,
        ),
      );
    } else if (ip === first && key !== 'default/kubernetes') {
      problems.push(
        warning(
          path,
          `${path} ${ip} is the first address of cluster.serviceCIDR, which the API server gives to default/kubernetes (it would refuse this Service: "provided IP is already allocated"); kept as given`,
          `svc/${key}`,
        ),
      );
    } else if (ip === dns && key !== 'kube-system/kube-dns') {
      problems.push(
        warning(
          path,
          `${path} ${ip} is cluster.dnsServiceIP, the address of kube-system/kube-dns (pods send their DNS queries there); kept as given`,
          `svc/${key}`,
        ),
      );
    }
    if (other === undefined) taken.set(ip, key);
    d.clusterIP = ip;
  }
  if (!range) return;

  const size = cidrSize(range);
  const lo = 1;
  const hi = size - 2; // broadcast excluded
  const band = Math.max(lo, serviceIpBandOffset(size));
  const reserved = new Set<string>(taken.keys());
  if (first !== undefined) reserved.add(first);
  if (dns !== undefined) reserved.add(dns);
  for (const d of drafts) {
    if (d.type === 'ExternalName' || d.headless || d.givenClusterIP !== undefined) continue;
    const key = `${d.namespace}/${d.name}`;
    if (key === 'default/kubernetes' && first !== undefined && !taken.has(first)) {
      d.clusterIP = first;
      taken.set(first, key);
      continue;
    }
    if (key === 'kube-system/kube-dns' && dns !== undefined && !taken.has(dns)) {
      d.clusterIP = dns;
      taken.set(dns, key);
      continue;
    }
    const off = pick(hash32(key), lo, hi, band, (n) => !reserved.has(formatIpv4(addOffset(range.addr, n))));
    if (off === undefined) {
      problems.push(
        warning(
          `objects[${d.index}].spec.clusterIP`,
          `objects[${d.index}].spec.clusterIP cannot be allocated: cluster.serviceCIDR ${lab.cluster.serviceCIDR} has no free address left`,
          `svc/${key}`,
        ),
      );
      continue;
    }
    const ip = formatIpv4(addOffset(range.addr, off));
    d.clusterIP = ip;
    reserved.add(ip);
    taken.set(ip, key);
  }
}

/**
 * A free value in [lo, hi]: hashed into the dynamic band [band, hi] and probed upwards (wrapping
 * inside the band), then the static band [lo, band) from its bottom.
 */
function pick(
  h: number,
  lo: number,
  hi: number,
  band: number,
  free: (n: number) => boolean,
): number | undefined {
  if (hi < lo) return undefined;
  const start = Math.min(Math.max(band, lo), hi);
  const span = hi - start + 1;
  const base = h % span;
  for (let i = 0; i < span; i++) {
    const n = start + ((base + i) % span);
    if (free(n)) return n;
  }
  for (let n = lo; n < start; n++) if (free(n)) return n;
  return undefined;
}

const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

/** Offset of the dynamic NodePort band: min(max(16, size/32), 128). */
function nodePortBandOffset(size: number): number {
  if (size <= 16) return 0;
  return Math.min(Math.max(16, Math.floor(size / 32)), 128);
}

function allocateNodePorts(drafts: ServiceDraft[], problems: Problem[]): void {
  const taken = new Map<number, string>();
  const reserve = (n: number, key: string, path: string): void => {
    const other = taken.get(n);
    if (other !== undefined && other !== key) {
      problems.push(
        warning(
          path,
          `${path} ${n} is already used by Service ${other} (the API server would refuse it: "provided port is already allocated"); kept as given`,
          `svc/${key}`,
        ),
      );
      return;
    }
    taken.set(n, key);
  };
  for (const d of drafts) {
    const key = `${d.namespace}/${d.name}`;
    const seen = new Map<number, string>(); // nodePort → "port/proto" within this Service
    d.ports.forEach((p, i) => {
      if (p.nodePort === 0) return;
      const path = `objects[${d.index}].spec.ports[${i}].nodePort`;
      const mine = seen.get(p.nodePort);
      if (mine !== undefined && mine !== `${p.port}`) {
        problems.push(
          warning(
            path,
            `${path} ${p.nodePort} is already used by another port of this Service (the API server would refuse it: "duplicate value"); kept as given`,
            `svc/${key}`,
          ),
        );
        return;
      }
      seen.set(p.nodePort, `${p.port}`);
      if (mine === undefined) reserve(p.nodePort, key, path);
    });
    if (d.hcnpGiven) reserve(d.healthCheckNodePort, key, `objects[${d.index}].spec.healthCheckNodePort`);
  }
  const size = NODE_PORT_MAX - NODE_PORT_MIN + 1;
  const band = NODE_PORT_MIN + nodePortBandOffset(size);
  const alloc = (seed: string, key: string, path: string): number => {
    const n = pick(hash32(seed), NODE_PORT_MIN, NODE_PORT_MAX, band, (x) => !taken.has(x));
    if (n === undefined) {
      problems.push(
        warning(path, `${path} cannot be allocated: the NodePort range 30000-32767 is full`, `svc/${key}`),
      );
      return 0;
    }
    taken.set(n, key);
    return n;
  };
  for (const d of drafts) {
    const key = `${d.namespace}/${d.name}`;
    const wants = d.type === 'NodePort' || (d.type === 'LoadBalancer' && d.allocateLoadBalancerNodePorts);
    // A Service that carries its clusterIP is an object the API server has already stored (what
    // `kubectl get -o yaml` prints): it is taken as it is, so a missing nodePort stays missing.
    // A new Service (no clusterIP) gets its NodePorts allocated.
    const stored = d.givenClusterIP !== undefined;
    if (wants && stored) {
      d.ports.forEach((p, i) => {
        if (p.nodePort > 0) return;
        const path = `objects[${d.index}].spec.ports[${i}].nodePort`;
        problems.push(
          warning(
            path,
            `${path} is not set on Service ${key}, which is given with its clusterIP (a stored object), so it has no NodePort; leave out spec.clusterIP to have the NodePort allocated`,
            `svc/${key}`,
          ),
        );
      });
    }
    if (wants && !stored) {
      // ports with the same number but another protocol share one NodePort (53/TCP + 53/UDP)
      const byPort = new Map<number, number>();
      for (const p of d.ports) if (p.nodePort > 0 && !byPort.has(p.port)) byPort.set(p.port, p.nodePort);
      d.ports.forEach((p, i) => {
        if (p.nodePort > 0) return;
        const shared = byPort.get(p.port);
        p.nodePort =
          shared ??
          alloc(`${key}/${p.port}/${p.protocol}`, key, `objects[${d.index}].spec.ports[${i}].nodePort`);
        if (p.nodePort > 0) byPort.set(p.port, p.nodePort);
      });
    }
    if (d.type === 'LoadBalancer' && d.externalTrafficPolicy === 'Local' && !d.hcnpGiven)
      d.healthCheckNodePort = alloc(
        `${key}/healthCheckNodePort`,
        key,
        `objects[${d.index}].spec.healthCheckNodePort`,
      );
  }
}

// --- pods ------------------------------------------------------------------------------------

interface PodView {
  readonly pod: PodSpec;
  readonly ip?: string;
  readonly ready: boolean;
  readonly terminal: boolean;
  readonly terminating: boolean;
  readonly hostname?: string;
  readonly subdomain?: string;
}

interface PodContext {
  readonly byNamespace: ReadonlyMap<string, readonly PodView[]>;
  /** `namespace\u0000key=value` → the pods carrying that label, in byNamespace order. */
  readonly byLabel: ReadonlyMap<string, readonly PodView[]>;
}

/**
 * The pod's Ready condition as the API server holds it: the lab's, turned False by the
 * pod-not-ready fault (for that pod) and the coredns-down fault (for kube-system pods labelled
 * k8s-app=kube-dns).
 */
export function podReady(lab: Lab, p: PodSpec): boolean {
  if (!p.ready) return false;
  const key = `${p.namespace}/${p.name}`;
  if (fault(lab, 'pod-not-ready').some((f) => f['pod'] === key)) return false;
  const dns = p.namespace === 'kube-system' && p.labels['k8s-app'] === 'kube-dns';
  return !(dns && fault(lab, 'coredns-down').length > 0);
}

/** metadata.deletionTimestamp is set on the Pod object (Deployment pods are never terminating here). */
export function podTerminating(lab: Lab, p: PodSpec): boolean {
  const raw = lab.objects[p.objectIndex];
  return raw?.kind === 'Pod' && raw.metadata['deletionTimestamp'] != null;
}

function podContext(lab: Lab, podIps: ReadonlyMap<string, string>): PodContext {
  const nodeIp = new Map(lab.nodes.map((n) => [n.name, n.ip]));
  const byNamespace = new Map<string, PodView[]>();
  for (const p of lab.pods) {
    const key = `${p.namespace}/${p.name}`;
    const raw: KubeObject | undefined = lab.objects[p.objectIndex];
    const fromPod = raw?.kind === 'Pod';
    const spec = fromPod ? objOf(raw.spec) : objOf(objOf(objOf(raw?.spec)['template'])['spec']);
    const ip = p.hostNetwork
      ? p.nodeName !== undefined
        ? nodeIp.get(p.nodeName)
        : undefined
      : podIps.get(key);
    const hostname = strOf(spec['hostname']);
    const subdomain = strOf(spec['subdomain']);
    const v: PodView = {
      pod: p,
      ...(ip !== undefined ? { ip } : {}),
      ready: podReady(lab, p),
      terminal: p.phase === 'Succeeded' || p.phase === 'Failed',
      terminating: podTerminating(lab, p),
      ...(hostname !== undefined ? { hostname } : {}),
      ...(subdomain !== undefined ? { subdomain } : {}),
    };
    let list = byNamespace.get(p.namespace);
    if (!list) byNamespace.set(p.namespace, (list = []));
    list.push(v);
  }
  for (const list of byNamespace.values()) list.sort((a, b) => cmpBytes(a.pod.name, b.pod.name));
  const byLabel = new Map<string, PodView[]>();
  for (const [ns, list] of byNamespace) {
    for (const v of list) {
      for (const [k, val] of Object.entries(v.pod.labels)) {
        const key = `${ns}\u0000${k}=${val}`;
        let l = byLabel.get(key);
        if (!l) byLabel.set(key, (l = []));
        l.push(v);
      }
    }
  }
  return { byNamespace, byLabel };
}

/** The pods of a namespace a selector matches: the smallest label index, then the rest of the selector. */
function selectPods(
  ctx: PodContext,
  ns: string,
  selector: Readonly<Record<string, string>>,
): readonly PodView[] {
  let base: readonly PodView[] | undefined;
  for (const [k, v] of Object.entries(selector)) {
    const l = ctx.byLabel.get(`${ns}\u0000${k}=${v}`) ?? [];
    if (base === undefined || l.length < base.length) base = l;
  }
  const pool = base ?? ctx.byNamespace.get(ns) ?? [];
  return pool.filter((v) => selects(selector, v.pod.labels));
}

function selects(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** podutil.FindPort: a number is used as is; a name is looked up in the pod's ports, protocol included. */
function findPort(pod: PodSpec, port: ServicePortSpec): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  const name = port.targetPort;
  return pod.ports.find((c) => c.name === name && c.protocol === port.protocol)?.containerPort;
}

/** Byte-wise string order (Go's bytes.Compare), as upstream sorts addresses. */
function cmpBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
/** A generateName suffix (5 characters of the alphabet Kubernetes uses), derived from a key. */
function suffix(key: string): string {
  let s = '';
  let x = hash32(key);
  for (let i = 0; i < 5; i++) {
    s += SAFE[x % SAFE.length] ?? 'b';
    x = Math.floor(x / SAFE.length) ^ hash32(`${key}#${i}`);
    x >>>= 0;
  }
  return s;
}
/** `NAME-xxxxx`, the prefix cut as the API server cuts generateName (63 - 5 characters). */
function generatedName(prefix: string, key: string): string {
  return `${prefix}-`.slice(0, 58) + suffix(key);
}

function portKey(ports: readonly EndpointPort[]): string {
  return ports.map((p) => `${p.name}/${p.protocol}/${p.port}`).join(',');
}

const SLICE_CONTROLLER = 'endpointslice-controller.k8s.io';
const MIRROR_CONTROLLER = 'endpointslicemirroring-controller.k8s.io';
const MAX_ENDPOINTS_PER_SLICE = 100;

function serviceEndpoints(
  s: ResolvedService,
  g: GivenEndpoints | undefined,
  ctx: PodContext,
): ServiceEndpoints {
  const key = `${s.namespace}/${s.name}`;
  const derive = s.selector !== undefined && s.type !== 'ExternalName';
  const selected = derive && s.selector ? selectPods(ctx, s.namespace, s.selector) : [];
  const subsets = g?.endpoints ?? (derive ? endpointsController(s, selected) : undefined);
  let slices: ResolvedEndpointSlice[] = [];
  let source: ServiceEndpoints['source'] = 'controller';
  if (g && g.slices.length) {
    slices = g.slices;
    source = 'lab';
  } else if (g?.endpoints) {
    slices = mirror(s.namespace, s.name, g.endpoints);
    source = 'lab';
  } else if (derive) {
    slices = sliceController(s, selected);
  }
  const exists = subsets !== undefined || slices.length > 0;
  return { service: key, exists, slices, source, ...(subsets !== undefined ? { subsets } : {}) };
}

function podAddress(v: PodView, s: ResolvedService): EndpointsSubsetAddress {
  const withHost = v.hostname !== undefined && v.hostname !== '' && v.subdomain === s.name;
  return {
    ip: v.ip ?? '',
    ...(v.pod.nodeName !== undefined ? { nodeName: v.pod.nodeName } : {}),
    podRef: `pod/${v.pod.namespace}/${v.pod.name}`,
    ...(withHost ? { hostname: v.hostname } : {}),
  };
}

/** The endpoints controller (core/v1 Endpoints), with upstream's RepackSubsets. */
function endpointsController(s: ResolvedService, pods: readonly PodView[]): EndpointsSubset[] {
  const SENTINEL: EndpointPort = { name: '', protocol: 'TCP', port: -1 };
  // port → (address key → {address, ready}), in first-seen port order
  const byPort = new Map<
    string,
    { port: EndpointPort; addrs: Map<string, { a: EndpointsSubsetAddress; ready: boolean }> }
  >();
  const add = (port: EndpointPort, a: EndpointsSubsetAddress, ready: boolean): void => {
    const k = portKey([port]);
    let e = byPort.get(k);
    if (!e) byPort.set(k, (e = { port, addrs: new Map() }));
    const ak = `${a.ip}|${a.podRef ?? ''}`;
    const prev = e.addrs.get(ak);
    if (!prev || prev.ready) e.addrs.set(ak, { a, ready });
  };
  for (const v of pods) {
    if (v.ip === undefined || v.terminal) continue;
    if (v.terminating && !s.publishNotReadyAddresses) continue;
    const a = podAddress(v, s);
    const ready = s.publishNotReadyAddresses || v.ready;
    if (s.ports.length === 0) {
      if (s.headless) add(SENTINEL, a, ready);
      continue;
    }
    for (const sp of s.ports) {
      const n = findPort(v.pod, sp);
      if (n === undefined) continue;
      add({ name: sp.name, protocol: sp.protocol, port: n }, a, ready);
    }
  }
  // ports that share the same set of addresses (and readiness) form one subset
  const groups = new Map<
    string,
    { ports: EndpointPort[]; ready: EndpointsSubsetAddress[]; notReady: EndpointsSubsetAddress[] }
  >();
  for (const { port, addrs } of byPort.values()) {
    const entries = [...addrs.entries()].sort((x, y) => cmpBytes(x[0], y[0]));
    const k = entries.map(([ak, e]) => `${ak}=${e.ready ? 1 : 0}`).join(';');
    let g = groups.get(k);
    if (!g) {
      g = {
        ports: [],
        ready: entries.filter(([, e]) => e.ready).map(([, e]) => e.a),
        notReady: entries.filter(([, e]) => !e.ready).map(([, e]) => e.a),
      };
      groups.set(k, g);
    }
    if (port.port >= 0) g.ports.push(port);
  }
  const byIp = (x: EndpointsSubsetAddress, y: EndpointsSubsetAddress): number =>
    cmpBytes(x.ip, y.ip) || cmpBytes(x.podRef ?? '', y.podRef ?? '');
  return [...groups.values()]
    .map((g) => ({
      addresses: [...g.ready].sort(byIp),
      notReadyAddresses: [...g.notReady].sort(byIp),
      ports: g.ports,
    }))
    .sort((x, y) => cmpBytes(portKey(x.ports), portKey(y.ports)));
}

/** The EndpointSlice controller: pods grouped by their resolved port list, up to 100 per slice. */
function sliceController(s: ResolvedService, pods: readonly PodView[]): ResolvedEndpointSlice[] {
  const groups = new Map<string, { ports: EndpointPort[]; eps: EndpointAddress[] }>();
  for (const v of pods) {
    if (v.ip === undefined || v.terminal) continue;
    const ports: EndpointPort[] = [];
    for (const sp of s.ports) {
      const n = findPort(v.pod, sp);
      if (n !== undefined) ports.push({ name: sp.name, protocol: sp.protocol, port: n });
    }
    const k = portKey(ports);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { ports, eps: [] }));
    const a = podAddress(v, s);
    g.eps.push({
      ...a,
      ready: s.publishNotReadyAddresses || (v.ready && !v.terminating),
      serving: v.ready,
      terminating: v.terminating,
    });
  }
  const key = `${s.namespace}/${s.name}`;
  const out: ResolvedEndpointSlice[] = [];
  for (const [k, g] of groups) {
    const eps = g.eps.sort((x, y) => cmpBytes(x.ip, y.ip) || cmpBytes(x.podRef ?? '', y.podRef ?? ''));
    for (let i = 0; i < eps.length; i += MAX_ENDPOINTS_PER_SLICE) {
      out.push({
        name: generatedName(s.name, `${key}|${k}|${i}`),
        addressType: 'IPv4',
        managedBy: SLICE_CONTROLLER,
        ports: g.ports,
        endpoints: eps.slice(i, i + MAX_ENDPOINTS_PER_SLICE),
      });
    }
  }
  if (out.length === 0)
    out.push({
      name: generatedName(s.name, `${key}|placeholder`),
      addressType: 'IPv4',
      managedBy: SLICE_CONTROLLER,
      ports: [],
      endpoints: [],
    });
  return out.sort((x, y) => cmpBytes(x.name, y.name));
}

/** The EndpointSlice mirroring controller: a given Endpoints object as slices, one per port list. */
function mirror(
  namespace: string,
  name: string,
  subsets: readonly EndpointsSubset[],
): ResolvedEndpointSlice[] {
  const groups = new Map<string, { ports: readonly EndpointPort[]; eps: EndpointAddress[] }>();
  for (const ss of subsets) {
    const k = portKey(ss.ports);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { ports: ss.ports, eps: [] }));
    for (const a of ss.addresses) g.eps.push({ ...a, ready: true, serving: true, terminating: false });
    for (const a of ss.notReadyAddresses)
      g.eps.push({ ...a, ready: false, serving: false, terminating: false });
  }
  return [...groups.entries()]
    .map(([k, g]) => ({
      name: generatedName(name, `${namespace}/${name}|mirror|${k}`),
      addressType: 'IPv4',
      managedBy: MIRROR_CONTROLLER,
      ports: g.ports,
      endpoints: g.eps,
    }))
    .sort((x, y) => cmpBytes(x.name, y.name));
}

// --- Endpoints / EndpointSlices given in the lab ---------------------------------------------

interface GivenEndpoints {
  /** Index of the first object given, for messages. */
  index: number;
  endpoints?: EndpointsSubset[];
  slices: ResolvedEndpointSlice[];
}

function readAddress(v: unknown): EndpointsSubsetAddress | undefined {
  if (!isObj(v)) return undefined;
  const ip = normIp(v['ip']) ?? strOf(v['ip']);
  if (ip === undefined) return undefined;
  const nodeName = strOf(v['nodeName']);
  const hostname = strOf(v['hostname']);
  const ref = objOf(v['targetRef']);
  const podRef =
    ref['kind'] === 'Pod' && typeof ref['name'] === 'string'
      ? `pod/${strOf(ref['namespace']) ?? ''}/${ref['name']}`
      : undefined;
  return {
    ip,
    ...(nodeName !== undefined ? { nodeName } : {}),
    ...(podRef !== undefined ? { podRef } : {}),
    ...(hostname !== undefined ? { hostname } : {}),
  };
}

function readPort(v: unknown): EndpointPort | undefined {
  if (!isObj(v) || typeof v['port'] !== 'number') return undefined;
  return { name: strOf(v['name']) ?? '', protocol: protocolOf(v['protocol']), port: v['port'] };
}

function readGivenEndpoints(lab: Lab): Map<string, GivenEndpoints> {
  const out = new Map<string, GivenEndpoints>();
  const entry = (key: string, index: number): GivenEndpoints => {
    let g = out.get(key);
    if (!g) out.set(key, (g = { index, slices: [] }));
    return g;
  };
  lab.objects.forEach((o, index) => {
    const ns = o.metadata.namespace ?? 'default';
    if (o.kind === 'Endpoints') {
      const subsets: EndpointsSubset[] = arrOf(o['subsets']).flatMap((ss) => {
        if (!isObj(ss)) return [];
        return [
          {
            addresses: arrOf(ss['addresses']).flatMap((a) => readAddress(a) ?? []),
            notReadyAddresses: arrOf(ss['notReadyAddresses']).flatMap((a) => readAddress(a) ?? []),
            ports: arrOf(ss['ports']).flatMap((p) => readPort(p) ?? []),
          },
        ];
      });
      entry(`${ns}/${o.metadata.name}`, index).endpoints = subsets;
    } else if (o.kind === 'EndpointSlice') {
      // a slice without the service-name label belongs to no Service: keyed so that none matches
      const svc =
        o.metadata.labels?.['kubernetes.io/service-name'] ?? `${o.metadata.name} (no service-name label)`;
      const addressType = strOf(o['addressType']) ?? 'IPv4';
      const endpoints: EndpointAddress[] = arrOf(o['endpoints']).flatMap((e) => {
        if (!isObj(e)) return [];
        const cond = objOf(e['conditions']);
        const ready = cond['ready'] !== false;
        const serving = typeof cond['serving'] === 'boolean' ? cond['serving'] : ready;
        const terminating = cond['terminating'] === true;
        const nodeName = strOf(e['nodeName']);
        const hostname = strOf(e['hostname']);
        const ref = objOf(e['targetRef']);
        const podRef =
          ref['kind'] === 'Pod' && typeof ref['name'] === 'string'
            ? `pod/${strOf(ref['namespace']) ?? ns}/${ref['name']}`
            : undefined;
        return arrOf(e['addresses']).flatMap((a) => {
          const ip = addressType === 'IPv4' ? (normIp(a) ?? strOf(a)) : strOf(a);
          if (ip === undefined) return [];
          return [
            {
              ip,
              ...(nodeName !== undefined ? { nodeName } : {}),
              ...(podRef !== undefined ? { podRef } : {}),
              ...(hostname !== undefined ? { hostname } : {}),
              ready,
              serving,
              terminating,
            },
          ];
        });
      });
      const ports = arrOf(o['ports']).flatMap((p) => readPort(p) ?? []);
      const managedBy = o.metadata.labels?.['endpointslice.kubernetes.io/managed-by'];
      entry(`${ns}/${svc}`, index).slices.push({
        name: o.metadata.name,
        addressType,
        ...(managedBy !== undefined ? { managedBy } : {}),
        ports,
        endpoints,
      });
    }
  });
  return out;
}

/** Objects whose Service does not exist: listed by kubectl, mirrored by nobody, ignored by kube-proxy. */
function fromGiven(key: string, g: GivenEndpoints): ServiceEndpoints {
  return {
    service: key,
    exists: true,
    slices: g.slices,
    source: 'lab',
    ...(g.endpoints ? { subsets: g.endpoints } : {}),
  };
}
