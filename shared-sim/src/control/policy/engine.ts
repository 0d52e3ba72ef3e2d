import { cidrContains, formatIpv4, parseCidr, type Cidr, type Ipv4Addr } from '../../dataplane/addr/ipv4';
import type { ContainerPort, KubeObject, PodSpec } from '../../model/lab';
import type {
  NetworkPolicy,
  PolicyPeer,
  PolicyPort,
  PolicyProtocol,
  PolicyRule,
} from '../../model/networkPolicy';
import { selectorMatches } from './selector';

/**
 * NetworkPolicy semantics (networking.k8s.io/v1), evaluated the way an enforcing plugin does: by
 * IP address. A pod is isolated for a direction when a policy of that type selects it; an isolated
 * pod accepts only what the union of those policies' rules allows. Selections and selector peers
 * are computed once, so a question costs only the rules of the policies selecting the pod.
 */

export interface PolicyPodInput {
  readonly spec: PodSpec;
  /** The pod's address (the node's for hostNetwork pods); undefined without a sandbox. */
  readonly ip?: Ipv4Addr;
}

export interface PolicyPod {
  readonly ref: string;
  readonly key: string; // ns/name
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ip?: Ipv4Addr;
  readonly ports: readonly ContainerPort[];
  /**
   * Whether the plugin has a workload endpoint for the pod (a sandbox of its own, not
   * hostNetwork). Only these are selected by policies and counted in selector peers.
   */
  readonly endpoint: boolean;
}

type CompiledPeer =
  | { readonly kind: 'pods'; readonly members: Uint8Array }
  | { readonly kind: 'ipBlock'; readonly cidr: Cidr; readonly except: readonly Cidr[] };

interface CompiledRule {
  /** `from`/`to` absent or empty: every source/destination. */
  readonly anyPeer: boolean;
  readonly peers: readonly CompiledPeer[];
  readonly ports: readonly PolicyPort[];
}

interface CompiledPolicy {
  readonly policy: NetworkPolicy;
  readonly key: string; // ns/name
  readonly ingress?: readonly CompiledRule[];
  readonly egress?: readonly CompiledRule[];
}

export type Direction = 'ingress' | 'egress';

/** One connection as the destination sees it: who sends, to which address, protocol and port. */
export interface PolicyFlow {
  readonly src: Ipv4Addr;
  readonly dst: Ipv4Addr;
  /** TCP, UDP or SCTP; anything else (ICMP) matches only rules without ports. */
  readonly proto: PolicyProtocol | 'ICMP' | 'OTHER';
  /** Destination port (0 for protocols without ports). */
  readonly port: number;
}

export interface DirectionVerdict {
  readonly direction: Direction;
  /** `ns/name` of the pod the direction belongs to (the source for egress, the destination for ingress). */
  readonly pod: string;
  readonly allowed: boolean;
  /** Policies selecting the pod for this direction, in evaluation order (empty: not isolated). */
  readonly policies: readonly NetworkPolicy[];
  /** The policy and rule index that allowed the connection. */
  readonly by?: { readonly policy: NetworkPolicy; readonly rule: number };
  /** One sentence a student can read. */
  readonly reason: string;
}

export interface PolicyEngine {
  readonly pods: readonly PolicyPod[];
  readonly policies: readonly NetworkPolicy[];
  readonly podIndex: ReadonlyMap<string, number>;
  /** Pod addresses of workload endpoints → pod index. */
  readonly podByIp: ReadonlyMap<number, number>;
  egress(srcPod: number, flow: PolicyFlow): DirectionVerdict;
  /** The same answer as `egress(…).allowed` / `ingress(…).allowed`, without the explanation (for matrices). */
  allows(dir: Direction, pod: number, flow: PolicyFlow): boolean;
  ingress(dstPod: number, flow: PolicyFlow): DirectionVerdict;
  /**
   * For a pod isolated in `dir`, which peers (by pod index, seen at their own address) its policies
   * allow for this protocol and port: 1 = allowed. Undefined when the pod is not isolated.
   */
  peerVector(dir: Direction, pod: number, proto: PolicyFlow['proto'], port: number): Uint8Array | undefined;
  /** Policies selecting the pod for a direction. */
  selecting(pod: number, dir: Direction): readonly NetworkPolicy[];
}

const META_NAME = 'kubernetes.io/metadata.name';

/** Namespace labels, with the `kubernetes.io/metadata.name` label the API server always sets. */
export function namespaceLabels(
  objects: readonly KubeObject[],
  extra: Iterable<string>,
): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const o of objects) {
    if (o.kind !== 'Namespace') continue;
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.metadata.labels ?? {})) if (typeof v === 'string') labels[k] = v;
    labels[META_NAME] = o.metadata.name;
    out.set(o.metadata.name, labels);
  }
  for (const ns of extra) if (!out.has(ns)) out.set(ns, { [META_NAME]: ns });
  return out;
}

export function buildPolicyEngine(
  objects: readonly KubeObject[],
  policies: readonly NetworkPolicy[],
  inputs: readonly PolicyPodInput[],
): PolicyEngine {
  const pods: PolicyPod[] = inputs.map((p) => ({
    ref: `pod/${p.spec.namespace}/${p.spec.name}`,
    key: `${p.spec.namespace}/${p.spec.name}`,
    namespace: p.spec.namespace,
    name: p.spec.name,
    labels: p.spec.labels,
    ...(p.ip !== undefined ? { ip: p.ip } : {}),
    ports: p.spec.ports,
    endpoint: p.ip !== undefined && !p.spec.hostNetwork,
  }));
  const podIndex = new Map<string, number>();
  const podByIp = new Map<number, number>();
  pods.forEach((p, i) => {
    podIndex.set(p.key, i);
    if (p.endpoint && p.ip !== undefined && !podByIp.has(p.ip)) podByIp.set(p.ip, i);
  });
  const nsLabels = namespaceLabels(
    objects,
    pods.map((p) => p.namespace).concat(policies.map((p) => p.namespace)),
  );
  // pods grouped by namespace, for podSelector-only peers and policy selection
  const byNs = new Map<string, number[]>();
  pods.forEach((p, i) => {
    if (!p.endpoint) return;
    let l = byNs.get(p.namespace);
    if (!l) byNs.set(p.namespace, (l = []));
    l.push(i);
  });

  const peerMembers = (peer: PolicyPeer, policyNs: string): Uint8Array => {
    const m = new Uint8Array(pods.length);
    const nss =
      peer.namespaceSelector === undefined
        ? [policyNs]
        : [...nsLabels].filter(([, l]) => selectorMatches(peer.namespaceSelector!, l)).map(([n]) => n);
    for (const ns of nss)
      for (const i of byNs.get(ns) ?? []) {
        const pod = pods[i];
        if (pod && (peer.podSelector === undefined || selectorMatches(peer.podSelector, pod.labels)))
          m[i] = 1;
      }
    return m;
  };
  const compileRules = (rules: readonly PolicyRule[], ns: string): CompiledRule[] =>
    rules.map((r) => ({
      anyPeer: r.peers.length === 0,
      ports: r.ports,
      peers: r.peers.map((peer): CompiledPeer => {
        if (peer.ipBlock) {
          const c = parseCidr(peer.ipBlock.cidr);
          return {
            kind: 'ipBlock',
            cidr: c.ok ? { addr: c.cidr.addr, len: c.cidr.len } : { addr: 0 as Ipv4Addr, len: 32 },
            except: peer.ipBlock.except.flatMap((x) => {
              const e = parseCidr(x);
              return e.ok ? [e.cidr] : [];
            }),
          };
        }
        return { kind: 'pods', members: peerMembers(peer, ns) };
      }),
    }));

  const sorted = [...policies].sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
  const compiled: CompiledPolicy[] = sorted.map((p) => ({
    policy: p,
    key: `${p.namespace}/${p.name}`,
    ...(p.policyTypes.includes('Ingress') ? { ingress: compileRules(p.ingress, p.namespace) } : {}),
    ...(p.policyTypes.includes('Egress') ? { egress: compileRules(p.egress, p.namespace) } : {}),
  }));
  const ingressOf: CompiledPolicy[][] = pods.map(() => []);
  const egressOf: CompiledPolicy[][] = pods.map(() => []);
  for (const cp of compiled) {
    for (const i of byNs.get(cp.policy.namespace) ?? []) {
      const pod = pods[i];
      if (!pod || !selectorMatches(cp.policy.podSelector, pod.labels)) continue;
      if (cp.ingress) ingressOf[i]?.push(cp);
      if (cp.egress) egressOf[i]?.push(cp);
    }
  }

  /** Whether a port entry admits the flow; named ports resolve on the destination pod's containers. */
  const portOk = (ports: readonly PolicyPort[], flow: PolicyFlow, dstPod: PolicyPod | undefined): boolean => {
    if (ports.length === 0) return true;
    for (const p of ports) {
      if (p.protocol !== flow.proto) continue;
      if (p.port === undefined) return true;
      if (typeof p.port === 'number') {
        if (p.endPort !== undefined ? flow.port >= p.port && flow.port <= p.endPort : flow.port === p.port)
          return true;
        continue;
      }
      if (
        dstPod?.ports.some(
          (c) => c.name === p.port && c.protocol === p.protocol && c.containerPort === flow.port,
        )
      )
        return true;
    }
    return false;
  };
  const peerOk = (rule: CompiledRule, ip: number, idx: number | undefined): boolean => {
    if (rule.anyPeer) return true;
    for (const peer of rule.peers) {
      if (peer.kind === 'pods') {
        if (idx !== undefined && peer.members[idx] === 1) return true;
      } else if (cidrContains(peer.cidr, ip) && !peer.except.some((e) => cidrContains(e, ip))) return true;
    }
    return false;
  };

  const allows = (dir: Direction, podIdx: number, flow: PolicyFlow): boolean => {
    const list = (dir === 'ingress' ? ingressOf : egressOf)[podIdx];
    if (!list || list.length === 0) return true;
    const peerIp = dir === 'ingress' ? flow.src : flow.dst;
    const peerIdx = podByIp.get(peerIp);
    const dstPod = dir === 'ingress' ? pods[podIdx] : pods[peerIdx ?? -1];
    for (const cp of list) {
      const rules = (dir === 'ingress' ? cp.ingress : cp.egress) ?? [];
      for (const rule of rules)
        if (portOk(rule.ports, flow, dstPod) && peerOk(rule, peerIp, peerIdx)) return true;
    }
    return false;
  };

  const peerVector = (
    dir: Direction,
    podIdx: number,
    proto: PolicyFlow['proto'],
    port: number,
  ): Uint8Array | undefined => {
    const list = (dir === 'ingress' ? ingressOf : egressOf)[podIdx];
    if (!list || list.length === 0) return undefined;
    const n = pods.length;
    const out = new Uint8Array(n);
    const flow: PolicyFlow = { src: 0 as Ipv4Addr, dst: 0 as Ipv4Addr, proto, port };
    const self = pods[podIdx];
    const addPeers = (rule: CompiledRule, only?: (q: number) => boolean): void => {
      if (rule.anyPeer) {
        for (let q = 0; q < n; q++) if (!only || only(q)) out[q] = 1;
        return;
      }
      for (const peer of rule.peers) {
        if (peer.kind === 'pods') {
          for (let q = 0; q < n; q++) if (peer.members[q] === 1 && (!only || only(q))) out[q] = 1;
        } else {
          for (let q = 0; q < n; q++) {
            const ip = pods[q]?.ip;
            if (
              out[q] !== 1 &&
              ip !== undefined &&
              cidrContains(peer.cidr, ip) &&
              !peer.except.some((e) => cidrContains(e, ip)) &&
              (!only || only(q))
            )
              out[q] = 1;
          }
        }
      }
    };
    for (const cp of list) {
      for (const rule of (dir === 'ingress' ? cp.ingress : cp.egress) ?? []) {
        if (dir === 'ingress') {
          if (portOk(rule.ports, flow, self)) addPeers(rule);
        } else if (rule.ports.some((p) => typeof p.port === 'string')) {
          // named ports resolve on each destination
          addPeers(rule, (q) => portOk(rule.ports, flow, pods[q]));
        } else if (portOk(rule.ports, flow, undefined)) addPeers(rule);
      }
    }
    return out;
  };

  const decide = (dir: Direction, podIdx: number, flow: PolicyFlow): DirectionVerdict => {
    const pod = pods[podIdx];
    const key = pod?.key ?? '?';
    const list = (dir === 'ingress' ? ingressOf : egressOf)[podIdx] ?? [];
    const selecting = list.map((c) => c.policy);
    if (list.length === 0)
      return {
        direction: dir,
        pod: key,
        allowed: true,
        policies: selecting,
        reason: `no NetworkPolicy selects ${key} for ${dir}: it is not isolated`,
      };
    const peerIp = dir === 'ingress' ? flow.src : flow.dst;
    const peerIdx = podByIp.get(peerIp);
    const dstPod = dir === 'ingress' ? pod : pods[peerIdx ?? -1];
    for (const cp of list) {
      const rules = (dir === 'ingress' ? cp.ingress : cp.egress) ?? [];
      for (let r = 0; r < rules.length; r++) {
        const rule = rules[r];
        if (rule && portOk(rule.ports, flow, dstPod) && peerOk(rule, peerIp, peerIdx))
          return {
            direction: dir,
            pod: key,
            allowed: true,
            policies: selecting,
            by: { policy: cp.policy, rule: r },
            reason: `allowed by NetworkPolicy ${cp.key} ${dir}[${r}]`,
          };
      }
    }
    const peer = podByIp.get(peerIp);
    const peerText = peer !== undefined ? `pod ${pods[peer]?.key ?? ''}` : formatIpv4(peerIp);
    return {
      direction: dir,
      pod: key,
      allowed: false,
      policies: selecting,
      reason: `${key} is isolated for ${dir} by ${selecting.map((p) => `${p.namespace}/${p.name}`).join(', ')} and no ${dir} rule allows ${flowText(flow)} ${dir === 'ingress' ? 'from' : 'to'} ${peerText}`,
    };
  };

  return {
    pods,
    policies: sorted,
    podIndex,
    podByIp,
    egress: (i, f) => decide('egress', i, f),
    allows,
    peerVector,
    ingress: (i, f) => decide('ingress', i, f),
    selecting: (i, dir) => ((dir === 'ingress' ? ingressOf : egressOf)[i] ?? []).map((c) => c.policy),
  };
}

export function flowText(f: PolicyFlow): string {
  return f.proto === 'ICMP' || f.proto === 'OTHER' ? f.proto : `${f.proto} ${f.port}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
