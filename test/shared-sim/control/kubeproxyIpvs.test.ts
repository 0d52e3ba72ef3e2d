import { describe, expect, it } from 'vitest';
import { kubeProxyIpvs } from '../../../shared-sim/src/control/kubeproxy/ipvs';
import type { ResolvedService, ServiceModel } from '../../../shared-sim/src/control/services/types';
import { formatIpv4 } from '../../../shared-sim/src/dataplane/addr/ipv4';
import type { KubeProxyConfig } from '../../../shared-sim/src/model/lab';

const CFG: KubeProxyConfig = {
  mode: 'ipvs',
  ipvsScheduler: 'rr',
  masqueradeAll: false,
  masqueradeBit: 14,
  clusterCIDR: '10.244.0.0/16',
  detectLocalMode: 'ClusterCIDR',
  nodePortAddresses: [],
  localhostNodePorts: true,
};

const NODE = { name: 'node-1', ip: '192.168.1.10', addresses: ['127.0.0.1', '192.168.1.10', '10.244.0.1'] };

function svc(name: string, o: Partial<ResolvedService>): ResolvedService {
  return {
    namespace: 'shop',
    name,
    type: 'ClusterIP',
    clusterIP: '10.96.0.50',
    headless: false,
    selector: { app: name },
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 0 }],
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

function model(
  services: ResolvedService[],
  eps: Record<string, { ip: string; nodeName: string }[]>,
): ServiceModel {
  return {
    services,
    endpoints: new Map(
      Object.entries(eps).map(([k, list]) => [
        k,
        {
          service: k,
          exists: true,
          source: 'controller' as const,
          slices: [
            {
              name: `${k}-abc`,
              ports: [{ name: 'http', protocol: 'TCP' as const, port: 8080 }],
              endpoints: list.map((e) => ({ ...e, ready: true, serving: true, terminating: false })),
            },
          ],
        },
      ]),
    ),
  };
}

describe('kubeProxyIpvs', () => {
  const m = model(
    [
      svc('api', {
        type: 'NodePort',
        ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }],
      }),
      svc('web', {
        clusterIP: '10.96.0.60',
        externalTrafficPolicy: 'Local',
        type: 'LoadBalancer',
        loadBalancerIPs: ['203.0.113.5'],
        sessionAffinity: 'ClientIP',
        ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30090 }],
        healthCheckNodePort: 32000,
      }),
    ],
    {
      'shop/api': [
        { ip: '10.244.0.5', nodeName: 'node-1' },
        { ip: '10.244.1.5', nodeName: 'node-2' },
      ],
      'shop/web': [{ ip: '10.244.1.9', nodeName: 'node-2' }],
    },
  );
  const r = kubeProxyIpvs(m, NODE, CFG);

  it('binds ClusterIPs and LB IPs to kube-ipvs0', () => {
    expect(r.dummyAddrs).toEqual(['10.96.0.50', '10.96.0.60', '203.0.113.5']);
  });

  it('creates one virtual server per address, NodePorts on every non-loopback node address', () => {
    const lines = r.ipvs.virtualServers.map(
      (v) =>
        `${v.proto} ${formatIpv4(v.addr)}:${v.port} ${v.scheduler}${v.persistent ? ` p${v.persistent}` : ''} → ${v.realServers.map((d) => `${formatIpv4(d.addr)}:${d.port}/${d.weight}`).join(' ')}`,
    );
    expect(lines).toEqual([
      'TCP 10.96.0.50:80 rr → 10.244.0.5:8080/1 10.244.1.5:8080/1',
      'TCP 192.168.1.10:30080 rr → 10.244.0.5:8080/1 10.244.1.5:8080/1',
      'TCP 10.244.0.1:30080 rr → 10.244.0.5:8080/1 10.244.1.5:8080/1',
      'TCP 10.96.0.60:80 rr p10800 → 10.244.1.9:8080/1',
      // externalTrafficPolicy Local without a local endpoint: IPVS falls back to cluster endpoints
      'TCP 203.0.113.5:80 rr p10800 → 10.244.1.9:8080/1',
      'TCP 192.168.1.10:30090 rr p10800 → 10.244.1.9:8080/1',
      'TCP 10.244.0.1:30090 rr p10800 → 10.244.1.9:8080/1',
    ]);
  });

  it('fills the ipsets', () => {
    const sets = Object.fromEntries(r.ipsets.map((s) => [s.name, s.members]));
    expect(sets['KUBE-CLUSTER-IP']).toEqual(['10.96.0.50,tcp:80', '10.96.0.60,tcp:80']);
    expect(sets['KUBE-LOOP-BACK']).toEqual(['10.244.0.5,tcp:8080,10.244.0.5']);
    expect(sets['KUBE-NODE-PORT-TCP']).toEqual(['30080', '30090']);
    expect(sets['KUBE-NODE-PORT-LOCAL-TCP']).toEqual(['30090']);
    expect(sets['KUBE-LOAD-BALANCER']).toEqual(['203.0.113.5,tcp:80']);
    expect(sets['KUBE-LOAD-BALANCER-LOCAL']).toEqual(['203.0.113.5,tcp:80']);
    expect(sets['KUBE-HEALTH-CHECK-NODE-PORT']).toEqual(['32000']);
    expect(sets['KUBE-IPVS-IPS']).toEqual(['10.96.0.50', '10.96.0.60', '203.0.113.5']);
    expect(r.ipsets.map((s) => s.name)).toHaveLength(17);
  });

  it('writes the iptables rules IPVS mode needs, in kube-proxy order', () => {
    expect(r.iptables.rules.nat).toEqual([
      '-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN',
      '-A KUBE-POSTROUTING -m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE',
      '-A KUBE-SERVICES -m comment --comment "Kubernetes service lb portal" -m set --match-set KUBE-LOAD-BALANCER dst,dst -j KUBE-LOAD-BALANCER',
      '-A KUBE-LOAD-BALANCER -m comment --comment "Kubernetes service load balancer ip + port with externalTrafficPolicy=local" -m set --match-set KUBE-LOAD-BALANCER-LOCAL dst,dst -j RETURN',
      '-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port with externalTrafficPolicy=local" -m set --match-set KUBE-NODE-PORT-LOCAL-TCP dst -j RETURN',
      '-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ',
      '-A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ',
      '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT',
      '-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ',
      '-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT',
      '-A KUBE-SERVICES -m set --match-set KUBE-LOAD-BALANCER dst,dst -j ACCEPT',
      '-A KUBE-POSTROUTING -m mark ! --mark 0x00004000/0x00004000 -j RETURN',
      '-A KUBE-POSTROUTING -j MARK --xor-mark 0x00004000',
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
      '-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000',
    ]);
    expect(r.iptables.rules.filter.slice(-1)).toEqual([
      '-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT',
    ]);
    expect(r.iptables.jumps.map((j) => `${j.table} ${j.line}`)).toContain(
      'filter -A INPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-FILTER',
    );
  });
});
