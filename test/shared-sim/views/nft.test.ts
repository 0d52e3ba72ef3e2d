import { describe, expect, it } from 'vitest';
import { kubeProxyNftables } from '../../../shared-sim/src/control/kubeproxy/nftables';
import type { ResolvedService, ServiceModel } from '../../../shared-sim/src/control/services/types';
import { nftList, nftPriority, nftTime } from '../../../shared-sim/src/views/nft';
import type { KubeProxyConfig } from '../../../shared-sim/src/model/lab';

const CFG: KubeProxyConfig = {
  mode: 'nftables',
  ipvsScheduler: 'rr',
  masqueradeAll: false,
  masqueradeBit: 14,
  clusterCIDR: '10.244.0.0/16',
  detectLocalMode: 'ClusterCIDR',
  nodePortAddresses: [],
  localhostNodePorts: true,
};
const NODE = { name: 'node1', ip: '192.168.0.231', addresses: ['192.168.0.231'] };

function svc(ns: string, name: string, o: Partial<ResolvedService>): ResolvedService {
  return {
    namespace: ns,
    name,
    type: 'ClusterIP',
    clusterIP: '',
    headless: false,
    selector: {},
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 9898, nodePort: 0 }],
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

const MODEL: ServiceModel = {
  services: [
    svc('kproxy-lab', 'backend-api', { clusterIP: '10.100.192.23' }),
    svc('default', 'kubernetes', {
      clusterIP: '10.96.0.1',
      ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 6443, nodePort: 0 }],
    }),
    svc('ns', 'gone', { clusterIP: '10.96.0.10' }),
  ],
  endpoints: new Map([
    [
      'kproxy-lab/backend-api',
      {
        service: 'kproxy-lab/backend-api',
        exists: true,
        slices: [
          {
            name: 'backend-api-k47lx',
            ports: [{ name: 'http', protocol: 'TCP' as const, port: 9898 }],
            endpoints: [
              { ip: '10.244.0.8', ready: true, serving: true, terminating: false },
              { ip: '10.244.0.10', ready: true, serving: true, terminating: false },
            ],
          },
        ],
        source: 'controller' as const,
      },
    ],
    [
      'default/kubernetes',
      {
        service: 'default/kubernetes',
        exists: true,
        slices: [
          {
            name: 'kubernetes',
            ports: [{ name: 'https', protocol: 'TCP' as const, port: 6443 }],
            endpoints: [{ ip: '192.168.0.231', ready: true, serving: true, terminating: false }],
          },
        ],
        source: 'lab' as const,
      },
    ],
  ]),
};

const RS = kubeProxyNftables(MODEL, NODE, CFG, { serviceCIDRs: ['10.96.0.0/12'] });

const EXPECTED = `table ip kube-proxy {
	comment "rules for kube-proxy"
	set cluster-ips {
		type ipv4_addr
		comment "Active ClusterIPs"
		elements = { 10.96.0.1, 10.96.0.10,
			     10.100.192.23 }
	}

	map no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service : verdict
		comment "vmap to drop or reject packets to services with no endpoints"
		elements = { 10.96.0.10 . tcp . 80 comment "ns/gone:http" : goto reject-chain }
	}

	map no-endpoint-nodeports {
		type inet_proto . inet_service : verdict
		comment "vmap to drop or reject packets to service nodeports with no endpoints"
	}

	map firewall-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		comment "destinations that are subject to LoadBalancerSourceRanges"
	}

	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		comment "ClusterIP, ExternalIP and LoadBalancer IP traffic"
		elements = { 10.100.192.23 . tcp . 80 : goto service-YVSKLJHA-kproxy-lab/backend-api/tcp/http,
			     10.96.0.1 . tcp . 443 : goto service-2QRHZV4L-default/kubernetes/tcp/https }
	}

	map service-nodeports {
		type inet_proto . inet_service : verdict
		comment "NodePort traffic"
	}

	chain filter-prerouting {
		type filter hook prerouting priority dstnat - 10; policy accept;
		ct state new jump firewall-check
	}

	chain filter-input {
		type filter hook input priority -110; policy accept;
		ct state new jump nodeport-endpoints-check
		ct state new jump service-endpoints-check
	}

	chain filter-forward {
		type filter hook forward priority -110; policy accept;
		ct state new jump service-endpoints-check
		ct state new jump cluster-ips-check
	}

	chain filter-output {
		type filter hook output priority -110; policy accept;
		ct state new jump service-endpoints-check
		ct state new jump firewall-check
	}

	chain filter-output-post-dnat {
		type filter hook output priority -90; policy accept;
		ct state new jump cluster-ips-check
	}

	chain nat-prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		jump services
	}

	chain nat-output {
		type nat hook output priority -100; policy accept;
		jump services
	}

	chain nat-postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		jump masquerading
	}

	chain nodeport-endpoints-check {
		ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports
	}

	chain service-endpoints-check {
		ip daddr . meta l4proto . th dport vmap @no-endpoint-services
	}

	chain firewall-check {
		ip daddr . meta l4proto . th dport vmap @firewall-ips
	}

	chain services {
		ip daddr . meta l4proto . th dport vmap @service-ips
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports
	}

	chain masquerading {
		meta mark & 0x00004000 == 0x00000000 return
		meta mark set meta mark ^ 0x00004000
		masquerade fully-random
	}

	chain cluster-ips-check {
		ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
		ip daddr 10.96.0.0/12 drop comment "Drop traffic to unallocated ClusterIPs"
	}

	chain mark-for-masquerade {
		meta mark set meta mark | 0x00004000
	}

	chain reject-chain {
		comment "helper for @no-endpoint-services / @no-endpoint-nodeports"
		reject
	}

	chain endpoint-JNAVVSAD-default/kubernetes/tcp/https__192.168.0.231/6443 {
		ip saddr 192.168.0.231 jump mark-for-masquerade
		meta l4proto tcp dnat to 192.168.0.231:6443
	}

	chain service-2QRHZV4L-default/kubernetes/tcp/https {
		ip daddr 10.96.0.1 tcp dport 443 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
		numgen random mod 1 vmap { 0 : goto endpoint-JNAVVSAD-default/kubernetes/tcp/https__192.168.0.231/6443 }
	}

	chain endpoint-IP5CPKSK-kproxy-lab/backend-api/tcp/http__10.244.0.10/9898 {
		ip saddr 10.244.0.10 jump mark-for-masquerade
		meta l4proto tcp dnat to 10.244.0.10:9898
	}

	chain endpoint-PCZCWYX3-kproxy-lab/backend-api/tcp/http__10.244.0.8/9898 {
		ip saddr 10.244.0.8 jump mark-for-masquerade
		meta l4proto tcp dnat to 10.244.0.8:9898
	}

	chain service-YVSKLJHA-kproxy-lab/backend-api/tcp/http {
		ip daddr 10.100.192.23 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
		numgen random mod 2 vmap { 0 : goto endpoint-IP5CPKSK-kproxy-lab/backend-api/tcp/http__10.244.0.10/9898, 1 : goto endpoint-PCZCWYX3-kproxy-lab/backend-api/tcp/http__10.244.0.8/9898 }
	}
}
`;

describe('nft list', () => {
  it('prints table ip kube-proxy as nft does', () => {
    const r = nftList(RS, ['list', 'table', 'ip', 'kube-proxy']);
    expect(r).toEqual({ ok: true, stdout: EXPECTED });
    expect(nftList(RS, ['list', 'table', 'kube-proxy'])).toEqual(r);
    expect(nftList(RS, ['list', 'ruleset'])).toEqual(r);
  });

  it('lists tables, one chain, one map', () => {
    expect(nftList(RS, ['list', 'tables'])).toEqual({ ok: true, stdout: 'table ip kube-proxy\n' });
    expect(nftList(RS, ['list', 'chain', 'ip', 'kube-proxy', 'mark-for-masquerade'])).toEqual({
      ok: true,
      stdout:
        'table ip kube-proxy {\n\tchain mark-for-masquerade {\n\t\tmeta mark set meta mark | 0x00004000\n\t}\n}\n',
    });
    expect(nftList(RS, ['list', 'map', 'kube-proxy', 'service-nodeports'])).toEqual({
      ok: true,
      stdout:
        'table ip kube-proxy {\n\tmap service-nodeports {\n\t\ttype inet_proto . inet_service : verdict\n\t\tcomment "NodePort traffic"\n\t}\n}\n',
    });
  });

  it('fails like nft for a table that does not exist', () => {
    expect(nftList(undefined, ['list', 'table', 'ip', 'kube-proxy'])).toEqual({
      ok: false,
      error: 'Error: No such file or directory\nlist table ip kube-proxy\n              ^^^^^^^^^^',
    });
    expect(nftList(undefined, ['list', 'ruleset'])).toEqual({ ok: true, stdout: '' });
  });

  it('prints priorities and timeouts symbolically where nft does', () => {
    expect(nftPriority(-100, 'prerouting')).toBe('dstnat');
    expect(nftPriority(-110, 'prerouting')).toBe('dstnat - 10');
    expect(nftPriority(-100, 'output')).toBe('-100');
    expect(nftPriority(100, 'postrouting')).toBe('srcnat');
    expect(nftPriority(-90, 'output')).toBe('-90');
    expect(nftPriority(0, 'input')).toBe('filter');
    expect(nftTime(10800)).toBe('3h');
    expect(nftTime(5400)).toBe('1h30m');
  });

  it('prints an affinity set with its flags and timeout', () => {
    const m: ServiceModel = {
      services: [svc('ns5', 'svc5', { clusterIP: '10.96.0.45', sessionAffinity: 'ClientIP' })],
      endpoints: new Map([
        [
          'ns5/svc5',
          {
            service: 'ns5/svc5',
            exists: true,
            slices: [
              {
                name: 's',
                ports: [{ name: 'http', protocol: 'TCP' as const, port: 80 }],
                endpoints: [{ ip: '10.244.0.3', ready: true, serving: true, terminating: false }],
              },
            ],
            source: 'lab' as const,
          },
        ],
      ]),
    };
    const rs = kubeProxyNftables(m, NODE, CFG);
    const name = rs.tables[0]?.sets.find((s) => s.name.startsWith('affinity-'))?.name ?? '';
    expect(nftList(rs, ['list', 'set', 'ip', 'kube-proxy', name])).toEqual({
      ok: true,
      stdout: `table ip kube-proxy {\n\tset ${name} {\n\t\ttype ipv4_addr\n\t\tflags dynamic,timeout\n\t\ttimeout 3h\n\t}\n}\n`,
    });
  });
});
