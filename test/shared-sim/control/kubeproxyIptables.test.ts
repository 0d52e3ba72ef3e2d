import { describe, expect, it } from 'vitest';
import {
  hashedChainName,
  kubeProxyIptables,
  masqueradeMark,
  probability,
  servicePortName,
  type KubeProxyHostFeatures,
  type KubeProxyIptables,
  type KubeProxyNode,
} from '../../../shared-sim/src/control/kubeproxy/iptables';
import type {
  EndpointAddress,
  EndpointPort,
  ResolvedService,
  ServiceEndpoints,
  ServiceModel,
} from '../../../shared-sim/src/control/services/types';
import { formatRule, parseRule } from '../../../shared-sim/src/dataplane/netfilter/rule';
import { NetfilterBuilder } from '../../../shared-sim/src/dataplane/netfilter/tables';
import type { KubeProxyConfig } from '../../../shared-sim/src/model/lab';

// ---------------------------------------------------------------------------------------------
// Hand-made inputs, shaped like the upstream fake proxier (pkg/proxy/iptables/proxier_test.go
// NewFakeProxier): node test-node 192.168.0.2, detect-local by CIDR 10.0.0.0/8, mark bit 14,
// nodePortAddresses unset, localhostNodePorts on, both nfacct counters present.
// ---------------------------------------------------------------------------------------------

const CFG: KubeProxyConfig = {
  mode: 'iptables',
  ipvsScheduler: 'rr',
  masqueradeAll: false,
  masqueradeBit: 14,
  clusterCIDR: '10.0.0.0/8',
  detectLocalMode: 'ClusterCIDR',
  nodePortAddresses: [],
  localhostNodePorts: true,
};

const NODE: KubeProxyNode = {
  name: 'test-node',
  ip: '192.168.0.2',
  addresses: ['192.168.0.2', '192.168.1.2', '192.168.99.11'],
  podCIDR: '10.0.1.0/24',
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

function slice(service: string, endpoints: EndpointAddress[], ports: EndpointPort[] = P80): ServiceEndpoints {
  return {
    service,
    exists: true,
    slices: [{ name: `${service.split('/')[1] ?? ''}-1`, ports, endpoints }],
    source: 'lab',
  };
}

function model(services: ResolvedService[], endpoints: ServiceEndpoints[]): ServiceModel {
  return { services, endpoints: new Map(endpoints.map((e) => [e.service, e])) };
}

function run(
  m: ServiceModel,
  cfg: Partial<KubeProxyConfig> = {},
  features: KubeProxyHostFeatures = {},
  node: KubeProxyNode = NODE,
): KubeProxyIptables {
  return kubeProxyIptables(m, node, { ...CFG, ...cfg }, features);
}

/** The comment of a rule (quoted or bare), as upstream's sort reads it. */
function commentOf(rule: string): string | undefined {
  const m = /--comment (?:"([^"]*)"|(\S+))/.exec(rule);
  return m ? (m[1] ?? m[2]) : undefined;
}

/**
 * Mirror of upstream's sortIPTablesRules (the form TestOverallIPTablesRules states its expected
 * dump in): filter then nat; KUBE-NODEPORTS, KUBE-SERVICES, then the other chains by name;
 * KUBE-NODEPORTS and KUBE-SERVICES rules stably sorted by the service name in their comment
 * (nat KUBE-SERVICES keeps its "must be the last rule" rule last). The canary chain is not part
 * of kube-proxy's restore input and is left out, as are the built-in chains.
 */
function upstreamDump(r: KubeProxyIptables, mark = '0x4000'): string {
  const out: string[] = [];
  const svcName = (rule: string): string => {
    const c = commentOf(rule) ?? '';
    const i = c.search(/[ :]/);
    return i === -1 ? c : c.slice(0, i);
  };
  for (const t of ['filter', 'nat'] as const) {
    const rank = (n: string): number => (n === 'KUBE-NODEPORTS' ? 0 : n === 'KUBE-SERVICES' ? 1 : 2);
    const names = r.chains[t]
      .filter((c) => c !== 'KUBE-PROXY-CANARY')
      .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    out.push(`*${t}`, ...names.map((n) => `:${n} - [0:0]`));
    for (const n of names) {
      let rules = r.rules[t].filter((l) => l.startsWith(`-A ${n} `));
      if (n === 'KUBE-NODEPORTS' || n === 'KUBE-SERVICES') {
        const last = (l: string): boolean => (commentOf(l) ?? '').includes('must be the last rule');
        rules = [...rules].sort((a, b) =>
          last(a) !== last(b)
            ? last(a)
              ? 1
              : -1
            : svcName(a) < svcName(b)
              ? -1
              : svcName(a) > svcName(b)
                ? 1
                : 0,
        );
      }
      out.push(...rules);
    }
    out.push('COMMIT');
  }
  // Real kube-proxy formats the mark with %#08x (0x00004000); the fake proxier passes "0x4000".
  return out.join('\n').replaceAll(masqueradeMark(14), mark);
}

/** pkg/proxy/iptables/proxier_test.go TestOverallIPTablesRules, expected dump (REFERENCE.md §1.8, verbatim). */
const OVERALL = [
  '*filter',
  ':KUBE-NODEPORTS - [0:0]',
  ':KUBE-SERVICES - [0:0]',
  ':KUBE-EXTERNAL-SERVICES - [0:0]',
  ':KUBE-FIREWALL - [0:0]',
  ':KUBE-FORWARD - [0:0]',
  ':KUBE-PROXY-FIREWALL - [0:0]',
  '-A KUBE-NODEPORTS -m comment --comment "ns2/svc2:p80 health check node port" -m tcp -p tcp --dport 30000 -j ACCEPT',
  '-A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT',
  '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j DROP',
  '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j DROP',
  '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP',
  '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
  '-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP',
  '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
  '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  '-A KUBE-PROXY-FIREWALL -m comment --comment "ns5/svc5:p80 traffic not accepted by KUBE-FW-NUKIZ6OKUXPJNT4C" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j DROP',
  'COMMIT',
  '*nat',
  ':KUBE-NODEPORTS - [0:0]',
  ':KUBE-SERVICES - [0:0]',
  ':KUBE-EXT-4SW47YFZTEDKD3PK - [0:0]',
  ':KUBE-EXT-GNZBNJ2PO5MGZ6GT - [0:0]',
  ':KUBE-EXT-NUKIZ6OKUXPJNT4C - [0:0]',
  ':KUBE-EXT-X27LE4BHSL4DOUIK - [0:0]',
  ':KUBE-FW-NUKIZ6OKUXPJNT4C - [0:0]',
  ':KUBE-MARK-MASQ - [0:0]',
  ':KUBE-POSTROUTING - [0:0]',
  ':KUBE-SEP-C6EBXVWJJZMIWKLZ - [0:0]',
  ':KUBE-SEP-I77PXRDZVX7PMWMN - [0:0]',
  ':KUBE-SEP-OYPFS5VJICHGATKP - [0:0]',
  ':KUBE-SEP-RS4RBKLTHTF2IUXJ - [0:0]',
  ':KUBE-SEP-SXIVWICOYRO3J4NJ - [0:0]',
  ':KUBE-SEP-UKSFD7AGPMPPLUHC - [0:0]',
  ':KUBE-SVC-4SW47YFZTEDKD3PK - [0:0]',
  ':KUBE-SVC-GNZBNJ2PO5MGZ6GT - [0:0]',
  ':KUBE-SVC-NUKIZ6OKUXPJNT4C - [0:0]',
  ':KUBE-SVC-X27LE4BHSL4DOUIK - [0:0]',
  ':KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]',
  '-A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3001 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-GNZBNJ2PO5MGZ6GT',
  '-A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp --dport 3001 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT',
  '-A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3003 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-X27LE4BHSL4DOUIK',
  '-A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp --dport 3003 -j KUBE-EXT-X27LE4BHSL4DOUIK',
  '-A KUBE-NODEPORTS -m comment --comment ns5/svc5:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3002 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-NUKIZ6OKUXPJNT4C',
  '-A KUBE-NODEPORTS -m comment --comment ns5/svc5:p80 -m tcp -p tcp --dport 3002 -j KUBE-EXT-NUKIZ6OKUXPJNT4C',
  '-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O',
  '-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT',
  '-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 external IP" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT',
  '-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 loadbalancer IP" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT',
  '-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK',
  '-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK',
  '-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 external IP" -m tcp -p tcp -d 192.168.99.33 --dport 80 -j KUBE-EXT-4SW47YFZTEDKD3PK',
  '-A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 -j KUBE-SVC-NUKIZ6OKUXPJNT4C',
  '-A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 loadbalancer IP" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j KUBE-FW-NUKIZ6OKUXPJNT4C',
  '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
  '-A KUBE-EXT-4SW47YFZTEDKD3PK -m comment --comment "masquerade traffic for ns4/svc4:p80 external destinations" -j KUBE-MARK-MASQ',
  '-A KUBE-EXT-4SW47YFZTEDKD3PK -j KUBE-SVC-4SW47YFZTEDKD3PK',
  '-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "pod traffic for ns2/svc2:p80 external destinations" -s 10.0.0.0/8 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT',
  '-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "masquerade LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ',
  '-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "route LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-GNZBNJ2PO5MGZ6GT',
  '-A KUBE-EXT-NUKIZ6OKUXPJNT4C -m comment --comment "masquerade traffic for ns5/svc5:p80 external destinations" -j KUBE-MARK-MASQ',
  '-A KUBE-EXT-NUKIZ6OKUXPJNT4C -j KUBE-SVC-NUKIZ6OKUXPJNT4C',
  '-A KUBE-EXT-X27LE4BHSL4DOUIK -m comment --comment "masquerade traffic for ns3/svc3:p80 external destinations" -j KUBE-MARK-MASQ',
  '-A KUBE-EXT-X27LE4BHSL4DOUIK -j KUBE-SVC-X27LE4BHSL4DOUIK',
  '-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 loadbalancer IP" -s 203.0.113.0/25 -j KUBE-EXT-NUKIZ6OKUXPJNT4C',
  '-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "other traffic to ns5/svc5:p80 will be dropped by KUBE-PROXY-FIREWALL"',
  '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
  '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
  '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
  '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
  '-A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -s 10.180.0.5 -j KUBE-MARK-MASQ',
  '-A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.5:80',
  '-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ',
  '-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80',
  '-A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ',
  '-A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80',
  '-A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -s 10.180.0.2 -j KUBE-MARK-MASQ',
  '-A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.2:80',
  '-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ',
  '-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80',
  '-A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -s 10.180.0.4 -j KUBE-MARK-MASQ',
  '-A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.4:80',
  '-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
  '-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC',
  '-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.5:80" -j KUBE-SEP-C6EBXVWJJZMIWKLZ',
  '-A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
  '-A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 -> 10.180.0.2:80" -j KUBE-SEP-RS4RBKLTHTF2IUXJ',
  '-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
  '-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --rcheck --seconds 10800 --reap -j KUBE-SEP-I77PXRDZVX7PMWMN',
  '-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -j KUBE-SEP-I77PXRDZVX7PMWMN',
  '-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
  '-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.180.0.3:80" -j KUBE-SEP-OYPFS5VJICHGATKP',
  '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
  '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ',
  'COMMIT',
].join('\n');

/** pkg/proxy/iptables/proxier_test.go TestBadIPs, expected dump (verbatim). */
const BAD_IPS = [
  '*filter',
  ':KUBE-NODEPORTS - [0:0]',
  ':KUBE-SERVICES - [0:0]',
  ':KUBE-EXTERNAL-SERVICES - [0:0]',
  ':KUBE-FIREWALL - [0:0]',
  ':KUBE-FORWARD - [0:0]',
  ':KUBE-PROXY-FIREWALL - [0:0]',
  '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
  '-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP',
  '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
  '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  '-A KUBE-PROXY-FIREWALL -m comment --comment "ns1/svc1:p80 traffic not accepted by KUBE-FW-XPGD46QRK7WJZT7O" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j DROP',
  'COMMIT',
  '*nat',
  ':KUBE-NODEPORTS - [0:0]',
  ':KUBE-SERVICES - [0:0]',
  ':KUBE-EXT-XPGD46QRK7WJZT7O - [0:0]',
  ':KUBE-FW-XPGD46QRK7WJZT7O - [0:0]',
  ':KUBE-MARK-MASQ - [0:0]',
  ':KUBE-POSTROUTING - [0:0]',
  ':KUBE-SEP-SXIVWICOYRO3J4NJ - [0:0]',
  ':KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]',
  '-A KUBE-NODEPORTS -m comment --comment ns1/svc1:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3001 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-XPGD46QRK7WJZT7O',
  '-A KUBE-NODEPORTS -m comment --comment ns1/svc1:p80 -m tcp -p tcp --dport 3001 -j KUBE-EXT-XPGD46QRK7WJZT7O',
  '-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O',
  '-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 external IP" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j KUBE-EXT-XPGD46QRK7WJZT7O',
  '-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 loadbalancer IP" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j KUBE-FW-XPGD46QRK7WJZT7O',
  '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
  '-A KUBE-EXT-XPGD46QRK7WJZT7O -m comment --comment "masquerade traffic for ns1/svc1:p80 external destinations" -j KUBE-MARK-MASQ',
  '-A KUBE-EXT-XPGD46QRK7WJZT7O -j KUBE-SVC-XPGD46QRK7WJZT7O',
  '-A KUBE-FW-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 loadbalancer IP" -s 203.0.113.0/25 -j KUBE-EXT-XPGD46QRK7WJZT7O',
  '-A KUBE-FW-XPGD46QRK7WJZT7O -m comment --comment "other traffic to ns1/svc1:p80 will be dropped by KUBE-PROXY-FIREWALL"',
  '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
  '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
  '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
  '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
  '-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ',
  '-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80',
  '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
  '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ',
  'COMMIT',
].join('\n');

const OVERALL_MODEL = model(
  [
    svc('ns1', 'svc1', { clusterIP: '172.30.0.41' }),
    svc('ns2', 'svc2', {
      type: 'LoadBalancer',
      clusterIP: '172.30.0.42',
      ports: [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 3001 }],
      externalTrafficPolicy: 'Local',
      loadBalancerIPs: ['1.2.3.4'],
      externalIPs: ['192.168.99.22'],
      healthCheckNodePort: 30000,
    }),
    svc('ns3', 'svc3', {
      type: 'NodePort',
      clusterIP: '172.30.0.43',
      ports: [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 3003 }],
    }),
    svc('ns4', 'svc4', { type: 'NodePort', clusterIP: '172.30.0.44', externalIPs: ['192.168.99.33'] }),
    svc('ns5', 'svc5', {
      type: 'LoadBalancer',
      clusterIP: '172.30.0.45',
      ports: [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 3002 }],
      loadBalancerIPs: ['5.6.7.8'],
      loadBalancerSourceRanges: [' 203.0.113.0/25'],
      healthCheckNodePort: 30000,
      sessionAffinity: 'ClientIP',
      affinityTimeoutSeconds: 10800,
    }),
    svc('ns6', 'svc6', { clusterIP: '172.30.0.46' }),
  ],
  [
    slice('ns1/svc1', [ep('10.180.0.1')]),
    slice('ns2/svc2', [ep('10.180.0.2')]),
    slice('ns3/svc3', [ep('10.180.0.3')]),
    slice('ns4/svc4', [ep('10.180.0.4'), ep('10.180.0.5', { nodeName: 'test-node' })]),
    slice('ns5/svc5', [ep('10.180.0.3')]),
  ],
);

describe('kubeProxyIptables: upstream TestOverallIPTablesRules (REFERENCE.md §1.8)', () => {
  it('reproduces the expected dump exactly, after upstream’s own sort', () => {
    expect(upstreamDump(run(OVERALL_MODEL))).toBe(OVERALL);
  });

  it('writes the mark as kube-proxy formats it (%#08x) and no --random-fully by default', () => {
    const r = run(OVERALL_MODEL);
    expect(r.rules.nat.slice(0, 4)).toEqual([
      '-A KUBE-POSTROUTING -m mark ! --mark 0x00004000/0x00004000 -j RETURN',
      '-A KUBE-POSTROUTING -j MARK --xor-mark 0x00004000',
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
      '-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000',
    ]);
  });

  it('emits the nat rules of one service in kube-proxy’s writing order', () => {
    const r = run(OVERALL_MODEL);
    const svc5 = r.rules.nat.filter((l) => l.includes('ns5/svc5'));
    expect(svc5).toEqual([
      '-A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 -j KUBE-SVC-NUKIZ6OKUXPJNT4C',
      '-A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 loadbalancer IP" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j KUBE-FW-NUKIZ6OKUXPJNT4C',
      '-A KUBE-NODEPORTS -m comment --comment ns5/svc5:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3002 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-NUKIZ6OKUXPJNT4C',
      '-A KUBE-NODEPORTS -m comment --comment ns5/svc5:p80 -m tcp -p tcp --dport 3002 -j KUBE-EXT-NUKIZ6OKUXPJNT4C',
      '-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
      '-A KUBE-EXT-NUKIZ6OKUXPJNT4C -m comment --comment "masquerade traffic for ns5/svc5:p80 external destinations" -j KUBE-MARK-MASQ',
      '-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 loadbalancer IP" -s 203.0.113.0/25 -j KUBE-EXT-NUKIZ6OKUXPJNT4C',
      '-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "other traffic to ns5/svc5:p80 will be dropped by KUBE-PROXY-FIREWALL"',
      '-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --rcheck --seconds 10800 --reap -j KUBE-SEP-I77PXRDZVX7PMWMN',
      '-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -j KUBE-SEP-I77PXRDZVX7PMWMN',
      '-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ',
      '-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80',
    ]);
  });

  it('declares the canary in all three tables and the per-service chains in nat', () => {
    const r = run(OVERALL_MODEL);
    expect(r.chains.mangle).toEqual(['KUBE-PROXY-CANARY']);
    expect(r.chains.filter).toEqual([
      'KUBE-PROXY-CANARY',
      'KUBE-FIREWALL',
      'KUBE-EXTERNAL-SERVICES',
      'KUBE-NODEPORTS',
      'KUBE-SERVICES',
      'KUBE-FORWARD',
      'KUBE-PROXY-FIREWALL',
    ]);
    expect(r.chains.nat.slice(0, 5)).toEqual([
      'KUBE-PROXY-CANARY',
      'KUBE-SERVICES',
      'KUBE-POSTROUTING',
      'KUBE-NODEPORTS',
      'KUBE-MARK-MASQ',
    ]);
    expect(r.rules.mangle).toEqual([]);
  });

  it('every line is one the netfilter layer parses, and prints back as iptables-save does', () => {
    const r = run(OVERALL_MODEL);
    const b = new NetfilterBuilder();
    for (const t of ['mangle', 'filter', 'nat'] as const) for (const c of r.chains[t]) b.ensureChain(t, c);
    for (const j of r.jumps) b.add(j.table, j.line, true);
    for (const t of ['filter', 'nat'] as const) for (const l of r.rules[t]) b.add(t, l);
    const nf = b.build();
    const saved = (t: 'filter' | 'nat', chain: string): string[] =>
      (nf[t].chains.find((c) => c.name === chain)?.rules ?? []).map(formatRule);
    expect(saved('filter', 'INPUT')).toEqual([
      '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
      '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
      '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
      '-A INPUT -j KUBE-FIREWALL',
    ]);
    expect(saved('filter', 'FORWARD')).toEqual([
      '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
      '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
      '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    ]);
    expect(saved('filter', 'OUTPUT')).toEqual([
      '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
      '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-A OUTPUT -j KUBE-FIREWALL',
    ]);
    expect(saved('nat', 'PREROUTING')).toEqual([
      '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    ]);
    expect(saved('nat', 'POSTROUTING')).toEqual([
      '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    ]);
    expect(saved('nat', 'KUBE-MARK-MASQ')).toEqual(['-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000']);
    expect(saved('nat', 'KUBE-POSTROUTING')).toEqual([
      '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
      '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
    ]);
    expect(saved('nat', 'KUBE-SVC-4SW47YFZTEDKD3PK')[1]).toBe(
      '-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC',
    );
    expect(saved('nat', 'KUBE-SEP-I77PXRDZVX7PMWMN')).toEqual([
      '-A KUBE-SEP-I77PXRDZVX7PMWMN -s 10.180.0.3/32 -m comment --comment "ns5/svc5:p80" -j KUBE-MARK-MASQ',
      '-A KUBE-SEP-I77PXRDZVX7PMWMN -p tcp -m comment --comment "ns5/svc5:p80" -m recent --set --name KUBE-SEP-I77PXRDZVX7PMWMN --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.180.0.3:80',
    ]);
    expect(saved('filter', 'KUBE-SERVICES')).toEqual([
      '-A KUBE-SERVICES -d 172.30.0.46/32 -p tcp -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable',
    ]);
    for (const t of ['filter', 'nat'] as const)
      for (const l of r.rules[t]) expect(() => parseRule(l)).not.toThrow();
  });
});

describe('kubeProxyIptables: upstream TestBadIPs (legacy leading-zero spellings)', () => {
  it('canonicalises every address as ParseIPSloppy does', () => {
    const m = model(
      [
        svc('ns1', 'svc1', {
          type: 'LoadBalancer',
          clusterIP: '172.30.0.041',
          ports: [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 3001 }],
          externalIPs: ['192.168.099.022'],
          loadBalancerIPs: ['1.2.3.004'],
          loadBalancerSourceRanges: ['203.0.113.000/025'],
        }),
      ],
      [slice('ns1/svc1', [ep('10.180.00.001')])],
    );
    expect(upstreamDump(run(m))).toBe(BAD_IPS);
  });
});

describe('kubeProxyIptables: endpoints', () => {
  it('orders endpoints by their "ip:port" string and splits with 1/(n-i) probabilities', () => {
    const m = model(
      [svc('ns3', 'svc3', { clusterIP: '172.30.0.43' })],
      [slice('ns3/svc3', [ep('10.0.3.2'), ep('10.0.3.10'), ep('10.0.3.3'), ep('10.0.3.1')])],
    );
    const chain = hashedChainName('KUBE-SVC-', 'ns3/svc3:p80tcp');
    const lines = run(m).rules.nat.filter((l) => l.startsWith(`-A ${chain} `));
    expect(lines.map((l) => /-> (\S+)"/.exec(l)?.[1])).toEqual([
      undefined,
      '10.0.3.10:80',
      '10.0.3.1:80',
      '10.0.3.2:80',
      '10.0.3.3:80',
    ]);
    expect(lines.map((l) => /--probability (\S+)/.exec(l)?.[1])).toEqual([
      undefined,
      '0.2500000000',
      '0.3333333333',
      '0.5000000000',
      undefined,
    ]);
  });

  it('matches slice ports by name and protocol, and prefers a non-terminating duplicate', () => {
    const m = model(
      [
        svc('ns', 'dns', {
          clusterIP: '172.30.0.10',
          ports: [
            { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53, nodePort: 0 },
            { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 53, nodePort: 0 },
          ],
        }),
      ],
      [
        {
          service: 'ns/dns',
          exists: true,
          source: 'controller',
          slices: [
            {
              name: 'dns-a',
              ports: [
                { name: 'dns', protocol: 'UDP', port: 53 },
                { name: 'dns-tcp', protocol: 'TCP', port: 5353 },
              ],
              endpoints: [ep('10.0.1.5', { ready: false, terminating: true })],
            },
            {
              name: 'dns-b',
              ports: [{ name: 'dns', protocol: 'UDP', port: 53 }],
              endpoints: [ep('10.0.1.5')],
            },
          ],
        },
      ],
    );
    const nat = run(m).rules.nat;
    expect(nat).toContain(
      '-A KUBE-SERVICES -m comment --comment "ns/dns:dns cluster IP" -m udp -p udp -d 172.30.0.10 --dport 53 -j KUBE-SVC-' +
        hashedChainName('', 'ns/dns:dnsudp'),
    );
    // UDP: one endpoint (the ready copy won), TCP: the terminating endpoint on 5353 as fallback.
    expect(nat.filter((l) => l.includes('DNAT'))).toEqual([
      `-A ${hashedChainName('KUBE-SEP-', 'ns/dns:dnsudp10.0.1.5:53')} -m comment --comment ns/dns:dns -m udp -p udp -j DNAT --to-destination 10.0.1.5:53`,
      `-A ${hashedChainName('KUBE-SEP-', 'ns/dns:dns-tcptcp10.0.1.5:5353')} -m comment --comment ns/dns:dns-tcp -m tcp -p tcp -j DNAT --to-destination 10.0.1.5:5353`,
    ]);
  });

  it('uses no endpoint that is neither ready nor serving-terminating', () => {
    const m = model(
      [svc('ns', 'a', { clusterIP: '172.30.0.5' })],
      [slice('ns/a', [ep('10.0.1.9', { ready: false, serving: false })])],
    );
    const r = run(m);
    expect(r.rules.filter).toContain(
      '-A KUBE-SERVICES -m comment --comment "ns/a:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.5 --dport 80 -j REJECT',
    );
    expect(r.chains.nat.some((c) => c.startsWith('KUBE-SVC-') || c.startsWith('KUBE-SEP-'))).toBe(false);
  });

  it('skips headless and ExternalName Services, and names unnamed ports ns/name', () => {
    const m = model(
      [
        svc('ns', 'headless', { clusterIP: 'None', headless: true }),
        svc('ns', 'ext', { type: 'ExternalName', clusterIP: '', externalName: 'example.com' }),
        svc('ns', 'plain', {
          clusterIP: '172.30.0.7',
          ports: [{ name: '', protocol: 'SCTP', port: 9, targetPort: 9, nodePort: 0 }],
        }),
      ],
      [
        slice('ns/headless', [ep('10.0.1.2')]),
        slice('ns/plain', [ep('10.0.1.3')], [{ name: '', protocol: 'SCTP', port: 9 }]),
      ],
    );
    const r = run(m);
    expect(r.rules.nat.filter((l) => l.startsWith('-A KUBE-SERVICES '))).toEqual([
      `-A KUBE-SERVICES -m comment --comment "ns/plain cluster IP" -m sctp -p sctp -d 172.30.0.7 --dport 9 -j ${hashedChainName('KUBE-SVC-', 'ns/plainsctp')}`,
      '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    ]);
    expect(r.rules.filter.some((l) => l.includes('headless') || l.includes('ext'))).toBe(false);
  });

  it('drops the comments from SVC/SEP rules above 1000 endpoints (large-cluster mode)', () => {
    const eps = Array.from({ length: 1001 }, (_, i) => ep(`10.1.${i >> 8}.${i & 255}`));
    const r = run(model([svc('ns', 'big', { clusterIP: '172.30.0.9' })], [slice('ns/big', eps)]));
    const sep = hashedChainName('KUBE-SEP-', 'ns/big:p80tcp10.1.0.0:80');
    expect(r.rules.nat.filter((l) => l.startsWith(`-A ${sep} `))).toEqual([
      `-A ${sep} -s 10.1.0.0 -j KUBE-MARK-MASQ`,
      `-A ${sep} -m tcp -p tcp -j DNAT --to-destination 10.1.0.0:80`,
    ]);
    const svcChain = hashedChainName('KUBE-SVC-', 'ns/big:p80tcp');
    const svcRules = r.rules.nat.filter((l) => l.startsWith(`-A ${svcChain} `));
    expect(svcRules[0]).toContain('--comment "ns/big:p80 cluster IP"');
    expect(svcRules[1]).toBe(
      `-A ${svcChain} -m statistic --mode random --probability 0.0009990010 -j ${hashedChainName('KUBE-SEP-', 'ns/big:p80tcp10.1.0.0:80')}`,
    );
  });
});

describe('kubeProxyIptables: traffic policies', () => {
  const lb = (o: Partial<ResolvedService> = {}): ResolvedService =>
    svc('ns1', 'svc1', {
      type: 'LoadBalancer',
      clusterIP: '172.30.0.41',
      ports: [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 3001 }],
      loadBalancerIPs: ['1.2.3.4'],
      externalTrafficPolicy: 'Local',
      healthCheckNodePort: 30000,
      ...o,
    });
  const H = 'XPGD46QRK7WJZT7O';

  it('externalTrafficPolicy Local with a local endpoint: KUBE-EXT ends in KUBE-SVL', () => {
    const m = model(
      [lb()],
      [slice('ns1/svc1', [ep('10.180.0.1', { nodeName: 'test-node' }), ep('10.180.0.2')])],
    );
    const r = run(m);
    expect(r.rules.nat.filter((l) => l.startsWith(`-A KUBE-EXT-${H} `))).toEqual([
      `-A KUBE-EXT-${H} -m comment --comment "pod traffic for ns1/svc1:p80 external destinations" -s 10.0.0.0/8 -j KUBE-SVC-${H}`,
      `-A KUBE-EXT-${H} -m comment --comment "masquerade LOCAL traffic for ns1/svc1:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
      `-A KUBE-EXT-${H} -m comment --comment "route LOCAL traffic for ns1/svc1:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-${H}`,
      `-A KUBE-EXT-${H} -j KUBE-SVL-${H}`,
    ]);
    expect(r.chains.nat).toContain(`KUBE-SVL-${H}`);
    expect(r.rules.nat.filter((l) => l.startsWith(`-A KUBE-SVL-${H} `))).toEqual([
      `-A KUBE-SVL-${H} -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j ${hashedChainName('KUBE-SEP-', 'ns1/svc1:p80tcp10.180.0.1:80')}`,
    ]);
    expect(r.rules.filter.filter((l) => l.includes('KUBE-EXTERNAL-SERVICES'))).toEqual([]);
    expect(r.rules.filter).toContain(
      '-A KUBE-NODEPORTS -m comment --comment "ns1/svc1:p80 health check node port" -m tcp -p tcp --dport 30000 -j ACCEPT',
    );
  });

  it('a NodePort Service has no health-check rule even with a healthCheckNodePort set', () => {
    const m = model(
      [lb({ type: 'NodePort', loadBalancerIPs: [] })],
      [slice('ns1/svc1', [ep('10.180.0.1', { nodeName: 'test-node' })])],
    );
    expect(run(m).rules.filter.some((l) => l.includes('health check'))).toBe(false);
  });

  it('internalTrafficPolicy Local: ClusterIP to KUBE-SVL (with the masquerade rule), or DROP without local endpoints', () => {
    const itp = svc('ns1', 'svc1', { clusterIP: '172.30.0.41', internalTrafficPolicy: 'Local' });
    const withLocal = run(model([itp], [slice('ns1/svc1', [ep('10.180.0.1', { nodeName: 'test-node' })])]));
    expect(withLocal.rules.nat.filter((l) => l.includes(H))).toEqual([
      `-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVL-${H}`,
      `-A KUBE-SVL-${H} -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ`,
      `-A KUBE-SVL-${H} -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ`,
    ]);
    expect(withLocal.chains.nat).not.toContain(`KUBE-SVC-${H}`);

    const remote = run(model([itp], [slice('ns1/svc1', [ep('10.180.0.1', { nodeName: 'other' })])]));
    expect(remote.rules.filter).toContain(
      '-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 has no local endpoints" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j DROP',
    );
    expect(remote.rules.nat.some((l) => l.includes(H))).toBe(false);
  });

  it('masqueradeAll drops the source condition; an empty clusterCIDR is a no-op detector', () => {
    const m = model([lb()], [slice('ns1/svc1', [ep('10.180.0.1')])]);
    expect(run(m, { masqueradeAll: true }).rules.nat).toContain(
      `-A KUBE-SVC-${H} -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-MARK-MASQ`,
    );
    const noop = run(m, { clusterCIDR: '' }).rules.nat;
    expect(noop.some((l) => l.includes('cluster IP') && l.includes('KUBE-MARK-MASQ'))).toBe(false);
    expect(noop.some((l) => l.includes('pod traffic'))).toBe(false);
  });

  it('the other local-traffic detectors', () => {
    const m = model([lb()], [slice('ns1/svc1', [ep('10.180.0.1')])]);
    const masq = (cfg: Partial<KubeProxyConfig>): string | undefined =>
      run(m, cfg).rules.nat.find((l) => l.startsWith(`-A KUBE-SVC-${H} `) && l.includes('KUBE-MARK-MASQ'));
    expect(masq({ detectLocalMode: 'NodeCIDR' })).toContain('--dport 80 ! -s 10.0.1.0/24 -j');
    expect(masq({ detectLocalMode: 'BridgeInterface' })).toContain('--dport 80 ! -i cni0 -j');
    expect(masq({ detectLocalMode: 'InterfaceNamePrefix' })).toContain('--dport 80 ! -i veth+ -j');
  });

  it('loadBalancerSourceRanges covering the node IP also admit the LB IP as a source', () => {
    const m = model(
      [
        lb({
          externalTrafficPolicy: 'Cluster',
          healthCheckNodePort: 0,
          loadBalancerSourceRanges: ['192.168.0.0/16'],
        }),
      ],
      [slice('ns1/svc1', [ep('10.180.0.1')])],
    );
    expect(run(m).rules.nat.filter((l) => l.startsWith(`-A KUBE-FW-${H} `))).toEqual([
      `-A KUBE-FW-${H} -m comment --comment "ns1/svc1:p80 loadbalancer IP" -s 192.168.0.0/16 -j KUBE-EXT-${H}`,
      `-A KUBE-FW-${H} -m comment --comment "ns1/svc1:p80 loadbalancer IP" -s 1.2.3.4 -j KUBE-EXT-${H}`,
      `-A KUBE-FW-${H} -m comment --comment "other traffic to ns1/svc1:p80 will be dropped by KUBE-PROXY-FIREWALL"`,
    ]);
  });
});

describe('kubeProxyIptables: node options', () => {
  const m = model(
    [
      svc('ns3', 'svc3', {
        type: 'NodePort',
        clusterIP: '172.30.0.43',
        ports: [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 3003 }],
      }),
    ],
    [slice('ns3/svc3', [ep('10.180.0.3')])],
  );
  const LAST =
    '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain"';

  it('localhostNodePorts off: no localnet block, no 127/8 NodePort twin, and the tail call excludes 127/8', () => {
    const r = run(m, { localhostNodePorts: false });
    expect(r.rules.filter.some((l) => l.startsWith('-A KUBE-FIREWALL'))).toBe(false);
    expect(r.chains.filter).toContain('KUBE-FIREWALL'); // still the target of the kubelet jumps
    expect(r.rules.nat.filter((l) => l.startsWith('-A KUBE-NODEPORTS'))).toEqual([
      '-A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp --dport 3003 -j KUBE-EXT-X27LE4BHSL4DOUIK',
    ]);
    expect(r.rules.nat.at(-1)).toBe(
      `${LAST} -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS`,
    );
  });

  it('nodePortAddresses: one tail call per matching node address; without loopback no localhost NodePorts', () => {
    const r = run(m, { nodePortAddresses: ['192.168.0.0/24', '192.168.99.0/24'] });
    expect(r.rules.nat.filter((l) => l.startsWith(LAST))).toEqual([
      `${LAST} -d 192.168.0.2 -j KUBE-NODEPORTS`,
      `${LAST} -d 192.168.99.11 -j KUBE-NODEPORTS`,
    ]);
    expect(r.rules.nat.some((l) => l.includes('127.0.0.0/8'))).toBe(false);
    expect(r.rules.filter.some((l) => l.startsWith('-A KUBE-FIREWALL'))).toBe(false);

    const withLo = run(m, { nodePortAddresses: ['127.0.0.0/8', 'primary'] });
    expect(withLo.rules.nat.filter((l) => l.startsWith(LAST))).toEqual([
      `${LAST} -d 127.0.0.1 -j KUBE-NODEPORTS`,
      `${LAST} -d 192.168.0.2 -j KUBE-NODEPORTS`,
    ]);
    expect(withLo.rules.filter.some((l) => l.startsWith('-A KUBE-FIREWALL'))).toBe(true);
  });

  it('host features: --random-fully, missing nfacct counters, liberal conntrack', () => {
    const r = run(m, {}, { randomFully: true, nfacct: false });
    expect(r.rules.nat).toContain(
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    );
    expect(r.rules.nat.some((l) => l.includes('nfacct'))).toBe(false);
    expect(r.rules.filter).toContain('-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP');
    const liberal = run(m, {}, { conntrackTcpLiberal: true });
    expect(liberal.rules.filter.some((l) => l.includes('INVALID'))).toBe(false);
  });

  it('a different masquerade bit', () => {
    const r = run(m, { masqueradeBit: 31 });
    expect(r.rules.nat).toContain('-A KUBE-MARK-MASQ -j MARK --or-mark 0x80000000');
  });
});

describe('kubeProxyIptables helpers', () => {
  it('probability is Go %0.10f of 1/n', () => {
    expect([2, 3, 4, 7, 1001].map(probability)).toEqual([
      '0.5000000000',
      '0.3333333333',
      '0.2500000000',
      '0.1428571429',
      '0.0009990010',
    ]);
  });
  it('masqueradeMark is Go %#08x of 1<<bit', () => {
    expect(masqueradeMark(14)).toBe('0x00004000');
    expect(masqueradeMark(0)).toBe('0x00000001');
  });
  it('servicePortName omits the colon for an unnamed port', () => {
    expect(servicePortName('ns', 'a', '')).toBe('ns/a');
    expect(servicePortName('ns', 'a', 'http')).toBe('ns/a:http');
  });
});

describe('probability ties', () => {
  it('breaks an exact tie to even, as Go does (1/2048 = 0.00048828125)', () => {
    expect(probability(2048)).toBe('0.0004882812');
    expect(probability(4096)).toBe('0.0002441406');
    expect(probability(1024)).toBe('0.0009765625');
  });
});
