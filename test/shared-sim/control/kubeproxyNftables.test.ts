import { describe, expect, it } from 'vitest';
import type { KubeProxyNode } from '../../../shared-sim/src/control/kubeproxy/iptables';
import {
  kubeProxyNftables,
  nftEndpointChainBase,
  nftServiceChainBase,
} from '../../../shared-sim/src/control/kubeproxy/nftables';
import type {
  EndpointAddress,
  EndpointPort,
  ResolvedService,
  ServiceEndpoints,
  ServiceModel,
} from '../../../shared-sim/src/control/services/types';
import type { NftRuleset } from '../../../shared-sim/src/dataplane/netfilter/nft';
import type { KubeProxyConfig } from '../../../shared-sim/src/model/lab';

// Inputs shaped like upstream's fake proxier (pkg/proxy/nftables/proxier_test.go NewFakeProxier):
// node test-node 192.168.0.2, detect-local by CIDR 10.0.0.0/8, nodePortAddresses 192.168.0.2/32,
// service CIDR 172.30.0.0/16, masquerade mark "0x4000".

const CFG: KubeProxyConfig = {
  mode: 'nftables',
  ipvsScheduler: 'rr',
  masqueradeAll: false,
  masqueradeBit: 14,
  clusterCIDR: '10.0.0.0/8',
  detectLocalMode: 'ClusterCIDR',
  nodePortAddresses: ['192.168.0.2/32'],
  localhostNodePorts: true,
};

const NODE: KubeProxyNode = {
  name: 'test-node',
  ip: '192.168.0.2',
  addresses: ['192.168.0.2', '192.168.1.2', '192.168.99.11'],
};

let objectIndex = 0;
function svc(ns: string, name: string, o: Partial<ResolvedService> = {}): ResolvedService {
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
    objectIndex: objectIndex++,
    ...o,
  };
}

function ep(ip: string, o: Partial<EndpointAddress> = {}): EndpointAddress {
  return { ip, ready: true, serving: true, terminating: false, ...o };
}

const P80: EndpointPort[] = [{ name: 'p80', protocol: 'TCP', port: 80 }];

function slice(service: string, endpoints: EndpointAddress[]): ServiceEndpoints {
  return {
    service,
    exists: true,
    slices: [{ name: `${service.split('/')[1] ?? ''}-1`, ports: P80, endpoints }],
    source: 'lab',
  };
}

const port = (nodePort: number): ResolvedService['ports'] => [
  { name: 'p80', protocol: 'TCP', port: 80, targetPort: 80, nodePort },
];

/** TestOverallNFTablesRules' services and EndpointSlices. */
const OVERALL_MODEL: ServiceModel = {
  services: [
    svc('ns1', 'svc1', { clusterIP: '172.30.0.41' }),
    svc('ns2', 'svc2', {
      type: 'LoadBalancer',
      clusterIP: '172.30.0.42',
      externalTrafficPolicy: 'Local',
      ports: port(3001),
      loadBalancerIPs: ['1.2.3.4'],
      externalIPs: ['192.168.99.22'],
      healthCheckNodePort: 30000,
    }),
    svc('ns3', 'svc3', { type: 'NodePort', clusterIP: '172.30.0.43', ports: port(3003) }),
    svc('ns4', 'svc4', { type: 'NodePort', clusterIP: '172.30.0.44', externalIPs: ['192.168.99.33'] }),
    svc('ns5', 'svc5', {
      type: 'LoadBalancer',
      clusterIP: '172.30.0.45',
      ports: port(3002),
      loadBalancerIPs: ['5.6.7.8'],
      healthCheckNodePort: 30000,
      loadBalancerSourceRanges: [' 203.0.113.0/25'],
      sessionAffinity: 'ClientIP',
      affinityTimeoutSeconds: 10800,
    }),
    svc('ns6', 'svc6', { clusterIP: '172.30.0.46' }),
  ],
  endpoints: new Map(
    [
      slice('ns1/svc1', [ep('10.180.0.1')]),
      slice('ns2/svc2', [ep('10.180.0.2')]),
      slice('ns3/svc3', [ep('10.180.0.3')]),
      slice('ns4/svc4', [ep('10.180.0.4'), ep('10.180.0.5', { nodeName: 'test-node' })]),
      slice('ns5/svc5', [ep('10.180.0.3')]),
    ].map((e) => [e.service, e]),
  ),
};

/** knftables.Fake's Dump() form of a ruleset ("add table/set/map/chain/rule/element" lines). */
function fakeDump(rs: NftRuleset): string[] {
  const out: string[] = [];
  for (const t of rs.tables) {
    const p = `${t.family} ${t.name}`;
    out.push(`add table ${p}${t.comment !== undefined ? ` { comment "${t.comment}" ; }` : ''}`);
    for (const s of t.sets) {
      const opts = [
        `type ${s.type}`,
        ...(s.flags ? [`flags ${s.flags.join(',')}`] : []),
        ...(s.timeout !== undefined ? [`timeout ${s.timeout}s`] : []),
        ...(s.comment !== undefined ? [`comment "${s.comment}"`] : []),
      ];
      out.push(`add ${s.kind} ${p} ${s.name} { ${opts.join(' ; ')} ; }`);
      for (const e of s.elements)
        out.push(
          `add element ${p} ${s.name} { ${e.key.join(' . ')}${e.comment !== undefined ? ` comment "${e.comment}"` : ''}${e.value !== undefined ? ` : ${e.value}` : ''} }`,
        );
    }
    for (const c of t.chains) {
      const opts = c.base
        ? ` { type ${c.base.type} hook ${c.base.hook} priority ${c.base.priority} ; }`
        : c.comment !== undefined
          ? ` { comment "${c.comment}" ; }`
          : '';
      out.push(`add chain ${p} ${c.name}${opts}`);
      for (const r of c.rules) out.push(`add rule ${p} ${c.name} ${r.source}`);
    }
  }
  return out;
}

/**
 * The expected dump of upstream's TestOverallNFTablesRules (pkg/proxy/nftables/proxier_test.go).
 * The service part is upstream's text; the table scaffolding is the v1.31/v1.32 setupNFTables
 * this generator follows (filter-* at dstnat-10, filter-output-post-dnat at dstnat+10, the
 * masquerade rule keeping `tcp dport`), where later upstream versions renamed the filter base
 * chains and dropped `tcp dport` from that rule.
 */
const OVERALL = `
add table ip kube-proxy { comment "rules for kube-proxy" ; }

add set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }
add set ip kube-proxy nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }
add map ip kube-proxy firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }
add map ip kube-proxy no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }
add map ip kube-proxy no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }
add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }
add map ip kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }

add chain ip kube-proxy cluster-ips-check
add chain ip kube-proxy filter-prerouting { type filter hook prerouting priority -110 ; }
add chain ip kube-proxy filter-forward { type filter hook forward priority -110 ; }
add chain ip kube-proxy filter-input { type filter hook input priority -110 ; }
add chain ip kube-proxy filter-output { type filter hook output priority -110 ; }
add chain ip kube-proxy filter-output-post-dnat { type filter hook output priority -90 ; }
add chain ip kube-proxy firewall-check
add chain ip kube-proxy mark-for-masquerade
add chain ip kube-proxy masquerading
add chain ip kube-proxy nat-output { type nat hook output priority -100 ; }
add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }
add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }
add chain ip kube-proxy nodeport-endpoints-check
add chain ip kube-proxy reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }
add chain ip kube-proxy services
add chain ip kube-proxy service-endpoints-check

add rule ip kube-proxy cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
add rule ip kube-proxy cluster-ips-check ip daddr { 172.30.0.0/16 } drop comment "Drop traffic to unallocated ClusterIPs"
add rule ip kube-proxy filter-prerouting ct state new jump firewall-check
add rule ip kube-proxy filter-forward ct state new jump service-endpoints-check
add rule ip kube-proxy filter-forward ct state new jump cluster-ips-check
add rule ip kube-proxy filter-input ct state new jump nodeport-endpoints-check
add rule ip kube-proxy filter-input ct state new jump service-endpoints-check
add rule ip kube-proxy filter-output ct state new jump service-endpoints-check
add rule ip kube-proxy filter-output ct state new jump firewall-check
add rule ip kube-proxy filter-output-post-dnat ct state new jump cluster-ips-check
add rule ip kube-proxy firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips
add rule ip kube-proxy mark-for-masquerade mark set mark or 0x4000
add rule ip kube-proxy masquerading mark and 0x4000 == 0 return
add rule ip kube-proxy masquerading mark set mark xor 0x4000
add rule ip kube-proxy masquerading masquerade fully-random
add rule ip kube-proxy nat-output jump services
add rule ip kube-proxy nat-postrouting jump masquerading
add rule ip kube-proxy nat-prerouting jump services
add rule ip kube-proxy nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports
add rule ip kube-proxy reject-chain reject
add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips
add rule ip kube-proxy services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports
add element ip kube-proxy nodeport-ips { 192.168.0.2 }
add rule ip kube-proxy service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services

# svc1
add chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80
add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 tcp dport 80 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }
add chain ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80
add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 ip saddr 10.180.0.1 jump mark-for-masquerade
add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 meta l4proto tcp dnat to 10.180.0.1:80
add element ip kube-proxy cluster-ips { 172.30.0.41 }
add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }

# svc2
add chain ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80
add rule ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80 ip daddr 172.30.0.42 tcp dport 80 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 }
add chain ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 ip saddr 10.0.0.0/8 goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit pod traffic"
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit local traffic"
add chain ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80
add rule ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 ip saddr 10.180.0.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 meta l4proto tcp dnat to 10.180.0.2:80
add element ip kube-proxy cluster-ips { 172.30.0.42 }
add element ip kube-proxy service-ips { 172.30.0.42 . tcp . 80 : goto service-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-ips { 192.168.99.22 . tcp . 80 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-ips { 1.2.3.4 . tcp . 80 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3001 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy no-endpoint-nodeports { tcp . 3001 comment "ns2/svc2:p80" : drop }
add element ip kube-proxy no-endpoint-services { 1.2.3.4 . tcp . 80 comment "ns2/svc2:p80" : drop }
add element ip kube-proxy no-endpoint-services { 192.168.99.22 . tcp . 80 comment "ns2/svc2:p80" : drop }

# svc3
add chain ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80
add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 ip daddr 172.30.0.43 tcp dport 80 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 }
add chain ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80
add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 jump mark-for-masquerade
add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 goto service-4AT6LBPK-ns3/svc3/tcp/p80
add chain ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80
add rule ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 ip saddr 10.180.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 meta l4proto tcp dnat to 10.180.0.3:80
add element ip kube-proxy cluster-ips { 172.30.0.43 }
add element ip kube-proxy service-ips { 172.30.0.43 . tcp . 80 : goto service-4AT6LBPK-ns3/svc3/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3003 : goto external-4AT6LBPK-ns3/svc3/tcp/p80 }

# svc4
add chain ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80
add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 ip daddr 172.30.0.44 tcp dport 80 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 numgen random mod 2 vmap { 0 : goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 , 1 : goto endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 }
add chain ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80
add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 jump mark-for-masquerade
add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 goto service-LAUZTJTB-ns4/svc4/tcp/p80
add chain ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80
add rule ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 ip saddr 10.180.0.5 jump mark-for-masquerade
add rule ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 meta l4proto tcp dnat to 10.180.0.5:80
add chain ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80
add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 ip saddr 10.180.0.4 jump mark-for-masquerade
add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 meta l4proto tcp dnat to 10.180.0.4:80
add element ip kube-proxy cluster-ips { 172.30.0.44 }
add element ip kube-proxy service-ips { 172.30.0.44 . tcp . 80 : goto service-LAUZTJTB-ns4/svc4/tcp/p80 }
add element ip kube-proxy service-ips { 192.168.99.33 . tcp . 80 : goto external-LAUZTJTB-ns4/svc4/tcp/p80 }

# svc5
add set ip kube-proxy affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add chain ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80
add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 ip daddr 172.30.0.45 tcp dport 80 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80
add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 }
add chain ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80
add rule ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80 jump mark-for-masquerade
add rule ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80 goto service-HVFWP5L3-ns5/svc5/tcp/p80
add chain ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80
add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 ip saddr 10.180.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 update @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { ip saddr }
add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 meta l4proto tcp dnat to 10.180.0.3:80
add chain ip kube-proxy firewall-HVFWP5L3-ns5/svc5/tcp/p80
add rule ip kube-proxy firewall-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr != { 203.0.113.0/25 } drop
add element ip kube-proxy cluster-ips { 172.30.0.45 }
add element ip kube-proxy service-ips { 172.30.0.45 . tcp . 80 : goto service-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy service-ips { 5.6.7.8 . tcp . 80 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3002 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy firewall-ips { 5.6.7.8 . tcp . 80 : goto firewall-HVFWP5L3-ns5/svc5/tcp/p80 }

# svc6
add element ip kube-proxy cluster-ips { 172.30.0.46 }
add element ip kube-proxy no-endpoint-services { 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }
`;

/** Upstream's assertNFTablesTransactionEqual ignores order: compare as sorted line multisets. */
const norm = (lines: readonly string[]): string[] =>
  lines
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .sort();

function overall(): NftRuleset {
  return kubeProxyNftables(OVERALL_MODEL, NODE, CFG, {
    serviceCIDRs: ['172.30.0.0/16'],
    masqueradeMark: '0x4000',
  });
}

describe('kubeProxyNftables', () => {
  it('names chains with the 8-character hash (REFERENCE.md §3)', () => {
    expect(nftServiceChainBase('ns1', 'svc1', 'tcp', 'p80')).toBe('ULMVA6XW-ns1/svc1/tcp/p80');
    expect(nftEndpointChainBase('ns1', 'svc1', 'tcp', 'p80', '10.180.0.1', 80)).toBe(
      '5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80',
    );
    // names seen on real nodes (`nft list table ip kube-proxy`), unnamed port included
    expect(nftServiceChainBase('default', 'kubernetes', 'tcp', 'https')).toBe(
      '2QRHZV4L-default/kubernetes/tcp/https',
    );
    expect(nftEndpointChainBase('default', 'kubernetes', 'tcp', 'https', '10.34.4.142', 6443)).toBe(
      'MIBO4EMV-default/kubernetes/tcp/https__10.34.4.142/6443',
    );
    expect(nftEndpointChainBase('riset', 'hellopod-np-svc', 'tcp', '', '10.42.2.218', 8080)).toBe(
      'VNXJG24O-riset/hellopod-np-svc/tcp/__10.42.2.218/8080',
    );
  });

  it('matches upstream TestOverallNFTablesRules', () => {
    expect(norm(fakeDump(overall()))).toEqual(norm(OVERALL.split('\n')));
  });

  it('creates objects in the order the first sync does (the order nft lists them in)', () => {
    const t = overall().tables[0];
    expect(t?.sets.map((s) => s.name).slice(0, 7)).toEqual([
      'cluster-ips',
      'nodeport-ips',
      'no-endpoint-services',
      'no-endpoint-nodeports',
      'firewall-ips',
      'service-ips',
      'service-nodeports',
    ]);
    expect(t?.chains.map((c) => c.name).slice(0, 16)).toEqual([
      'filter-prerouting',
      'filter-input',
      'filter-forward',
      'filter-output',
      'filter-output-post-dnat',
      'nat-prerouting',
      'nat-output',
      'nat-postrouting',
      'nodeport-endpoints-check',
      'service-endpoints-check',
      'firewall-check',
      'services',
      'masquerading',
      'cluster-ips-check',
      'mark-for-masquerade',
      'reject-chain',
    ]);
  });

  it('uses fib daddr type local and the real mark text without --nodeport-addresses', () => {
    const rs = kubeProxyNftables(OVERALL_MODEL, NODE, { ...CFG, nodePortAddresses: [] });
    const t = rs.tables[0];
    expect(t?.sets.some((s) => s.name === 'nodeport-ips')).toBe(false);
    const rules = (name: string): string[] =>
      t?.chains.find((c) => c.name === name)?.rules.map((r) => r.text) ?? [];
    expect(rules('services')).toEqual([
      'ip daddr . meta l4proto . th dport vmap @service-ips',
      'fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports',
    ]);
    expect(rules('nodeport-endpoints-check')).toEqual([
      'ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports',
    ]);
    expect(rules('masquerading')).toEqual([
      'meta mark & 0x00004000 == 0x00000000 return',
      'meta mark set meta mark ^ 0x00004000',
      'masquerade fully-random',
    ]);
    expect(rules('cluster-ips-check')).toEqual([
      'ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"',
    ]);
  });

  it('writes a local- chain and the final goto for Local policy with a local endpoint', () => {
    const m: ServiceModel = {
      services: [
        svc('ns1', 'svc1', {
          type: 'NodePort',
          clusterIP: '172.30.0.41',
          ports: port(3001),
          externalTrafficPolicy: 'Local',
        }),
      ],
      endpoints: new Map([
        ['ns1/svc1', slice('ns1/svc1', [ep('10.180.0.1', { nodeName: 'test-node' }), ep('10.180.2.1')])],
      ]),
    };
    const t = kubeProxyNftables(m, NODE, CFG).tables[0];
    const ext = t?.chains.find((c) => c.name.startsWith('external-'));
    expect(ext?.rules.map((r) => r.text).at(-1)).toBe('goto local-ULMVA6XW-ns1/svc1/tcp/p80');
    const local = t?.chains.find((c) => c.name === 'local-ULMVA6XW-ns1/svc1/tcp/p80');
    expect(local?.rules.map((r) => r.text)).toEqual([
      'numgen random mod 1 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }',
    ]);
  });
});
