import { sha256 } from '../../core/sha256';
import { formatIpv4 } from '../../dataplane/addr/ipv4';
import type { CtState } from '../../dataplane/conntrack/table';
import type { PolicyHopInfo, PolicyStep, WorkloadPolicyHook } from '../../dataplane/walker/policyHook';
import type { Ipv4Packet } from '../../dataplane/wire/packet';
import type { NetworkPolicy } from '../../model/networkPolicy';
import { flowText, type DirectionVerdict, type PolicyEngine, type PolicyFlow } from './engine';

/**
 * Calico's iptables data plane for Kubernetes NetworkPolicy (REFERENCE.md §7.7): Felix inserts
 * cali-FORWARD at the top of filter FORWARD; packets from a workload go through
 * cali-from-wl-dispatch to cali-fw-<iface> (egress policy, cali-po-… chains), packets to a
 * workload through cali-to-wl-dispatch to cali-tw-<iface> (ingress policy, cali-pi-… chains).
 * Each endpoint chain first accepts RELATED,ESTABLISHED (replies of allowed connections); an
 * endpoint that no policy selects falls through to its namespace profile (cali-pro-kns.<ns> /
 * cali-pri-kns.<ns>), which accepts; an endpoint some policy selects drops what no policy accepted.
 */

const MAX_CHAIN_NAME = 28;
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function base64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = i + 2 < bytes.length ? 4 : i + 1 < bytes.length ? 3 : 2;
    for (let k = 0; k < chars; k++) out += B64URL[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

/** Felix's hashutils.GetLengthLimitedID: prefix + suffix, or prefix + "_" + a SHA-256 digest cut to fit. */
export function lengthLimitedId(prefix: string, suffix: string, max = MAX_CHAIN_NAME): string {
  const total = prefix.length + suffix.length;
  if (total > max || (total === max && suffix.startsWith('_')))
    return `${prefix}_${base64Url(sha256(suffix)).slice(0, max - 1 - prefix.length)}`;
  return prefix + suffix;
}

/** The Calico policy a Kubernetes NetworkPolicy becomes: `<ns>/knp.default.<name>` in tier default. */
export function calicoPolicyName(p: NetworkPolicy): string {
  return `${p.namespace}/knp.default.${p.name}`;
}

export function policyChain(p: NetworkPolicy, dir: 'ingress' | 'egress'): string {
  return lengthLimitedId(dir === 'ingress' ? 'cali-pi-' : 'cali-po-', calicoPolicyName(p));
}

export function endpointChain(iface: string, dir: 'ingress' | 'egress'): string {
  return lengthLimitedId(dir === 'ingress' ? 'cali-tw-' : 'cali-fw-', iface);
}

function flowOf(p: Ipv4Packet): PolicyFlow {
  const l4 = p.l4;
  if (l4.proto === 'tcp' || l4.proto === 'udp' || l4.proto === 'sctp')
    return {
      src: p.src,
      dst: p.dst,
      proto: l4.proto.toUpperCase() as 'TCP' | 'UDP' | 'SCTP',
      port: l4.dport,
    };
  return { src: p.src, dst: p.dst, proto: l4.proto === 'icmp' ? 'ICMP' : 'OTHER', port: 0 };
}

/** The trace step for one endpoint chain. */
export function endpointStep(
  engine: PolicyEngine,
  host: string,
  iface: string,
  podIdx: number,
  dir: 'ingress' | 'egress',
  flow: PolicyFlow,
  state: CtState,
  /** INPUT: the packet is for the host itself (cali-INPUT → cali-wl-to-host). */
  toHost = false,
): PolicyStep {
  const pod = engine.pods[podIdx];
  const podKey = pod?.key ?? '?';
  const ns = pod?.namespace ?? '';
  const epChain = endpointChain(iface, dir);
  const chains = toHost
    ? ['INPUT', 'cali-INPUT', 'cali-wl-to-host', 'cali-from-wl-dispatch', epChain]
    : [
        'FORWARD',
        'cali-FORWARD',
        dir === 'egress' ? 'cali-from-wl-dispatch' : 'cali-to-wl-dispatch',
        epChain,
      ];
  const side = dir === 'egress' ? `from ${podKey}` : `to ${podKey}`;
  const info = (v: Omit<PolicyHopInfo, 'direction' | 'pod' | 'chains'>, more: string[]): PolicyHopInfo => ({
    direction: dir,
    pod: podKey,
    chains: [...chains, ...more],
    ...v,
  });
  if (state === 'ESTABLISHED' || state === 'RELATED') {
    const isolatedBy = engine.selecting(podIdx, dir).map((p) => `${p.namespace}/${p.name}`);
    return {
      iface,
      verdict: 'accept',
      reason: '',
      detail: `filter ${chains.join(' → ')}: ACCEPT (ctstate ${state}: part of a connection already allowed; Calico ${dir} policy for ${podKey} is not consulted again)`,
      rule: `-A ${epChain} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
      policy: info({ verdict: 'accept', isolatedBy }, []),
    };
  }
  const v: DirectionVerdict = dir === 'egress' ? engine.egress(podIdx, flow) : engine.ingress(podIdx, flow);
  const isolatedBy = v.policies.map((p) => `${p.namespace}/${p.name}`);
  if (v.policies.length === 0) {
    const profile = `${dir === 'egress' ? 'cali-pro-' : 'cali-pri-'}kns.${ns}`;
    return {
      iface,
      verdict: 'accept',
      reason: '',
      detail: `filter ${[...chains, profile].join(' → ')}: ACCEPT (${flowText(flow)} ${side}: no NetworkPolicy selects ${podKey} for ${dir}, so the namespace profile accepts)`,
      rule: `-A ${profile} -m comment --comment "Profile kns.${ns} ${dir === 'egress' ? 'egress' : 'ingress'}" -j MARK --set-xmark 0x10000/0x10000`,
      policy: info({ verdict: 'accept', isolatedBy }, [profile]),
    };
  }
  if (v.allowed && v.by) {
    const pchain = policyChain(v.by.policy, dir);
    const name = `${v.by.policy.namespace}/${v.by.policy.name}`;
    return {
      iface,
      verdict: 'accept',
      reason: '',
      detail: `filter ${[...chains, pchain].join(' → ')}: ACCEPT (${flowText(flow)} ${side}: NetworkPolicy ${name} ${dir}[${v.by.rule}] allows it)`,
      rule: `-A ${pchain} -m comment --comment "Policy ${calicoPolicyName(v.by.policy)} ${dir}, rule ${v.by.rule}" -j MARK --set-xmark 0x10000/0x10000`,
      policy: info({ verdict: 'accept', policy: name, rule: v.by.rule, isolatedBy }, [pchain]),
    };
  }
  const tried = v.policies.map((p) => policyChain(p, dir));
  const peer = dir === 'egress' ? flow.dst : flow.src;
  const peerPod = engine.podByIp.get(peer);
  const peerText = peerPod !== undefined ? `pod ${engine.pods[peerPod]?.key ?? ''}` : formatIpv4(peer);
  return {
    iface,
    verdict: 'drop',
    reason: `dropped by Calico on ${host} (${epChain}: no policy allowed it): ${podKey} is isolated for ${dir} by NetworkPolicy ${isolatedBy.join(', ')}, and no ${dir} rule allows ${flowText(flow)} ${dir === 'egress' ? 'to' : 'from'} ${peerText}`,
    detail: `filter ${[...chains, ...tried].join(' → ')}: DROP (${flowText(flow)} ${side}: ${podKey} is isolated for ${dir} by ${isolatedBy.join(', ')} and no rule matched)`,
    rule: `-A ${epChain} -m comment --comment "Drop if no policies passed packet" -m mark --mark 0x0/0x20000 -j DROP`,
    policy: info({ verdict: 'drop', isolatedBy }, tried),
  };
}

/**
 * The hook the walker calls at filter FORWARD: `endpoints` maps `host|ifname` of each workload
 * interface (the host side of a pod's veth) to the pod's index in the engine.
 */
export function calicoPolicyHook(
  engine: PolicyEngine,
  endpoints: ReadonlyMap<string, number>,
): WorkloadPolicyHook {
  return {
    forward(host, inIface, outIface, p, state) {
      const from = endpoints.get(`${host}|${inIface}`);
      const to = endpoints.get(`${host}|${outIface}`);
      if (from === undefined && to === undefined) return [];
      const flow = flowOf(p);
      const steps: PolicyStep[] = [];
      if (from !== undefined) {
        const s = endpointStep(engine, host, inIface, from, 'egress', flow, state);
        steps.push(s);
        if (s.verdict === 'drop') return steps;
      }
      if (to !== undefined) steps.push(endpointStep(engine, host, outIface, to, 'ingress', flow, state));
      return steps;
    },
    input(host, inIface, p, state) {
      const from = endpoints.get(`${host}|${inIface}`);
      if (from === undefined) return [];
      return [endpointStep(engine, host, inIface, from, 'egress', flowOf(p), state, true)];
    },
  };
}
