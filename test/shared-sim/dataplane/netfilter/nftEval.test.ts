import { describe, expect, it } from 'vitest';
import { kubeProxyNftables } from '../../../../shared-sim/src/control/kubeproxy/nftables';
import type { ResolvedService, ServiceModel } from '../../../../shared-sim/src/control/services/types';
import { ipv4 } from '../../../../shared-sim/src/dataplane/addr/ipv4';
import { nftBaseChains, nftRunHook } from '../../../../shared-sim/src/dataplane/netfilter/nftEval';
import { nftRule } from '../../../../shared-sim/src/dataplane/netfilter/nft';
import type { NfContext } from '../../../../shared-sim/src/dataplane/netfilter/tables';
import type { Ipv4Packet } from '../../../../shared-sim/src/dataplane/wire/packet';
import type { KubeProxyConfig } from '../../../../shared-sim/src/model/lab';

const CFG: KubeProxyConfig = {
  mode: 'nftables',
  ipvsScheduler: 'rr',
  masqueradeAll: false,
  masqueradeBit: 14,
  clusterCIDR: '10.0.0.0/8',
  detectLocalMode: 'ClusterCIDR',
  nodePortAddresses: [],
  localhostNodePorts: true,
};
const NODE = { name: 'test-node', ip: '192.168.0.2', addresses: ['192.168.0.2'] };

function svc(ns: string, name: string, o: Partial<ResolvedService>): ResolvedService {
  return {
    namespace: ns,
    name,
    type: 'ClusterIP',
    clusterIP: '',
    headless: false,
    selector: {},
    ports: [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 0 }],
    externalIPs: [],
    loadBalancerIPs: [],
    loadBalancerSourceRanges: [],
    externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster',
    healthCheckNodePort: 0,
    sessionAffinity: 'None',
    affinityTimeoutSeconds: 10800,
    publishNotReadyAddresses: false,
    objectIndex: 0,
    ...o,
  };
}
const eps = (service: string, ips: string[]) => ({
  service,
  exists: true,
  slices: [
    {
      name: 'x',
      ports: [{ name: 'p80', protocol: 'TCP' as const, port: 80 }],
      endpoints: ips.map((ip) => ({ ip, ready: true, serving: true, terminating: false })),
    },
  ],
  source: 'lab' as const,
});

const MODEL: ServiceModel = {
  services: [
    svc('ns1', 'web', { clusterIP: '172.30.0.41' }),
    svc('ns2', 'np', {
      type: 'NodePort',
      clusterIP: '172.30.0.42',
      ports: [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 30080 }],
      sessionAffinity: 'ClientIP',
    }),
    svc('ns3', 'empty', { clusterIP: '172.30.0.43' }),
  ],
  endpoints: new Map([
    ['ns1/web', eps('ns1/web', ['10.0.1.5', '10.0.2.7', '10.0.3.9'])],
    ['ns2/np', eps('ns2/np', ['10.0.1.6'])],
  ]),
};
const RS = kubeProxyNftables(MODEL, NODE, CFG, { serviceCIDRs: ['172.30.0.0/16'] });

function tcp(src: string, dst: string, dport: number, sport = 40000): Ipv4Packet {
  return {
    src: ipv4(src),
    dst: ipv4(dst),
    ttl: 64,
    df: true,
    l4: { proto: 'tcp', sport, dport, flags: 'S', optionsLen: 20, payloadLen: 0 },
  };
}

function ctx(pkt: Ipv4Packet, o: Partial<NfContext> = {}): NfContext {
  return {
    pkt,
    mark: 0,
    ctstate: 'NEW',
    ctDnat: false,
    ctSnat: false,
    addrType: (a) => (a === ipv4('192.168.0.2') ? 'LOCAL' : 'UNICAST'),
    flowKey: `tcp ${pkt.src}:${pkt.l4.proto === 'tcp' ? pkt.l4.sport : 0}`,
    ...o,
  };
}

describe('nftRunHook', () => {
  it('lists the base chains of a hook in priority order', () => {
    expect(nftBaseChains(RS, 'output').map((r) => [r.chain.name, r.priority])).toEqual([
      ['filter-output', -110],
      ['nat-output', -100],
      ['filter-output-post-dnat', -90],
    ]);
  });

  it('DNATs a pod → ClusterIP flow to the endpoint numgen derives from the flow, listing the alternatives', () => {
    const res = nftRunHook(RS, 'prerouting', ctx(tcp('10.0.9.9', '172.30.0.41', 80)));
    expect(res.map((r) => r.chain)).toEqual(['filter-prerouting', 'nat-prerouting']);
    const nat = res[1];
    expect(nat?.verdict.kind).toBe('DNAT');
    expect(nat?.chains.slice(0, 3)).toEqual([
      'nat-prerouting',
      'services',
      'service-LV5ZVUGQ-ns1/web/tcp/p80',
    ]);
    const ng = nat?.numgen[0];
    expect(ng?.modulus).toBe(3);
    expect(ng?.alternatives.map((a) => a.dnat)).toEqual(['10.0.1.5:80', '10.0.2.7:80', '10.0.3.9:80']);
    const chosen = ng?.alternatives.find((a) => a.chosen);
    expect(nat?.rule).toBe(`meta l4proto tcp dnat to ${chosen?.dnat ?? ''}`);
    expect(nat?.mark).toBe(0); // pod source: no masquerade mark
    // deterministic: the same flow picks the same endpoint
    const again = nftRunHook(RS, 'prerouting', ctx(tcp('10.0.9.9', '172.30.0.41', 80)));
    expect(again[1]?.rule).toBe(nat?.rule);
  });

  it('marks off-cluster sources for masquerade, and nat-postrouting masquerades and clears the mark', () => {
    const res = nftRunHook(RS, 'prerouting', ctx(tcp('203.0.113.2', '172.30.0.41', 80)));
    expect(res[1]?.mark).toBe(0x4000);
    const post = nftRunHook(RS, 'postrouting', ctx(tcp('203.0.113.2', '10.0.1.5', 80), { mark: 0x4000 }));
    expect(post[0]?.verdict).toEqual({ kind: 'MASQUERADE', randomFully: true });
    expect(post[0]?.rule).toBe('masquerade fully-random');
    expect(post[0]?.mark).toBe(0);
    const noMark = nftRunHook(RS, 'postrouting', ctx(tcp('10.0.9.9', '10.0.1.5', 80)));
    expect(noMark[0]?.verdict.kind).toBe('ACCEPT');
    expect(noMark[0]?.byPolicy).toBe(true);
  });

  it('rejects a service without endpoints in filter-input/forward/output, before DNAT', () => {
    const res = nftRunHook(RS, 'forward', ctx(tcp('10.0.9.9', '172.30.0.43', 80)));
    expect(res[0]?.verdict).toEqual({ kind: 'REJECT', rejectWith: 'icmp-port-unreachable' });
    expect(res[0]?.chains).toEqual(['filter-forward', 'service-endpoints-check', 'reject-chain']);
    expect(res[0]?.rule).toBe('reject');
  });

  it('rejects a wrong port of a ClusterIP and drops an unallocated ClusterIP (cluster-ips-check)', () => {
    const wrong = nftRunHook(RS, 'forward', ctx(tcp('10.0.9.9', '172.30.0.41', 443)));
    expect(wrong[0]?.rule).toBe(
      'ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"',
    );
    const unalloc = nftRunHook(RS, 'forward', ctx(tcp('10.0.9.9', '172.30.0.99', 80)));
    expect(unalloc[0]?.verdict.kind).toBe('DROP');
    expect(unalloc[0]?.rule).toBe(
      'ip daddr 172.30.0.0/16 drop comment "Drop traffic to unallocated ClusterIPs"',
    );
  });

  it('sends a NodePort through fib daddr type local to the external chain, and keeps affinity', () => {
    const lists = new Map<string, Set<number>>();
    const recent = {
      has: (l: string, a: number) => lists.get(l)?.has(a) ?? false,
      set: (l: string, a: number) => {
        lists.set(l, (lists.get(l) ?? new Set()).add(a));
      },
    };
    const c = ctx(tcp('203.0.113.2', '192.168.0.2', 30080), { recent });
    const res = nftRunHook(RS, 'prerouting', c);
    const nat = res[1];
    expect(nat?.verdict).toEqual({ kind: 'DNAT', toAddr: ipv4('10.0.1.6'), toPort: 80 });
    expect(nat?.chains[2]).toMatch(/^external-/);
    expect(nat?.mark).toBe(0x4000);
    expect(nat?.affinityUpdates).toHaveLength(1);
    // the same client from another port comes back through the affinity set
    const back = nftRunHook(
      RS,
      'prerouting',
      ctx(tcp('203.0.113.2', '192.168.0.2', 30080, 50000), { recent }),
    );
    expect(back[1]?.affinityHits).toHaveLength(1);
    expect(back[1]?.numgen).toHaveLength(0);
  });

  it('skips nat chains for a connection that is not NEW', () => {
    const res = nftRunHook(RS, 'prerouting', ctx(tcp('10.0.9.9', '172.30.0.41', 80)), { skipNat: true });
    expect(res.map((r) => r.chain)).toEqual(['filter-prerouting']);
  });
});

describe('nftRule', () => {
  it('prints rules back the way nft list does', () => {
    expect(nftRule('mark set mark or 0x4000').text).toBe('meta mark set meta mark | 0x00004000');
    expect(nftRule('ip saddr != { 203.0.113.0/25 , 1.2.3.4 } drop').text).toBe(
      'ip saddr != { 1.2.3.4, 203.0.113.0/25 } drop',
    );
    expect(nftRule('iifname != veth* jump mark-for-masquerade').text).toBe(
      'iifname != "veth*" jump mark-for-masquerade',
    );
    expect(nftRule('numgen random mod 2 vmap { 0 : goto a , 1 : goto b }').text).toBe(
      'numgen random mod 2 vmap { 0 : goto a, 1 : goto b }',
    );
  });
});
