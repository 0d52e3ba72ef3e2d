/**
 * Calico scenarios: IPAM blocks, the routes each mode programs, and packets walked through the
 * VXLAN and IPIP data planes, checked header by header.
 *
 * Facts checked against a real kernel in network namespaces on this machine (iproute2 6.1):
 * the `ip route` lines (`blackhole 10.244.0.0/26 proto 80`, `… dev vxlan.calico proto 80
 * onlink`, `10.244.0.1 dev cali… scope link`), `ip neigh` and `bridge fdb show` entries, the /32
 * pod address without broadcast and the ee:ee:ee:ee:ee:ee veth. IPIP cannot be created here: its
 * behaviour (outer protocol 4, TTL and DF inherited by the fallback tunl0, 20 bytes of overhead)
 * follows the kernel's ip_tunnel_xmit and Calico's documentation.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseLab, runCommand, validateTrace, type Trace, type World } from '../../shared-sim/src/index';
import { calicoLab } from '../fixtures/calicoLab';
import {
  client,
  compileLab,
  hostsOf,
  lastHop,
  layer,
  macOf,
  net,
  node,
  pod,
  podIp,
  router,
  trace,
  type FaultJson,
  type FirewallJson,
} from '../fixtures/labBuilder';

const LABS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../assets/labs');

const PODS = [
  pod('shop/web-1', 'node-1', { ports: [8080] }),
  pod('shop/web-2', 'node-1', { ports: [8080] }),
  pod('shop/api-1', 'node-2', { ports: [8080] }),
  pod('shop/db-1', 'node-3', { ports: [5432] }),
];

/** Three nodes on one switch with a gateway to `outside`. */
function oneLan(mode: 'bgp' | 'ipip' | 'vxlan', extra: { crossSubnet?: boolean; faults?: FaultJson[] } = {}) {
  return calicoLab({
    mode,
    ...(extra.crossSubnet !== undefined ? { crossSubnet: extra.crossSubnet } : {}),
    networks: [net('lan', '192.168.10.0/24'), net('outside', '203.0.113.0/24')],
    routers: [router('gw', { lan: '192.168.10.1', outside: '203.0.113.1' })],
    nodes: [
      node('node-1', '192.168.10.11', { gateway: '192.168.10.1' }),
      node('node-2', '192.168.10.12', { gateway: '192.168.10.1' }),
      node('node-3', '192.168.10.13', { gateway: '192.168.10.1' }),
    ],
    clients: [client('laptop', '203.0.113.10', { gateway: '203.0.113.1' })],
    pods: PODS,
    ...(extra.faults ? { faults: extra.faults } : {}),
  });
}

/** node-1 and node-2 in rack-a, node-3 in rack-b, routed by `core`. */
function twoRacks(
  mode: 'bgp' | 'ipip' | 'vxlan',
  extra: { crossSubnet?: boolean; firewall?: FirewallJson[] } = {},
) {
  return calicoLab({
    mode,
    ...(extra.crossSubnet !== undefined ? { crossSubnet: extra.crossSubnet } : {}),
    networks: [
      net('rack-a', '192.168.1.0/24'),
      net('rack-b', '192.168.2.0/24'),
      net('outside', '203.0.113.0/24'),
    ],
    routers: [
      router(
        'core',
        { 'rack-a': '192.168.1.1', 'rack-b': '192.168.2.1', outside: '203.0.113.1' },
        extra.firewall ? { firewall: extra.firewall } : {},
      ),
    ],
    nodes: [
      node('node-1', '192.168.1.10', { gateway: '192.168.1.1' }),
      node('node-2', '192.168.1.11', { gateway: '192.168.1.1' }),
      node('node-3', '192.168.2.10', { gateway: '192.168.2.1' }),
    ],
    clients: [client('laptop', '203.0.113.10', { gateway: '203.0.113.1' })],
    pods: PODS,
  });
}

function show(world: World, host: string, command: string): string {
  const h = world.fabric.hosts.get(host);
  if (!h) throw new Error(`no host ${host}`);
  const r = runCommand(world, h, command, { now: 0 });
  if (!r.ok) throw new Error(r.error);
  return r.stdout;
}

function valid(t: Trace): Trace {
  expect(validateTrace(t)).toEqual([]);
  if (t.reply) expect(validateTrace(t.reply)).toEqual([]);
  return t;
}

const VXLAN = compileLab(oneLan('vxlan'));

describe('Calico IPAM', () => {
  it('gives each node a /26 block in pool order; the tunnel address is the block’s first address, pods follow', () => {
    const ipam = VXLAN.calico?.ipam;
    expect(ipam?.blocks.map((b) => [b.node, `${b.cidr.addr >>> 24}`])).toHaveLength(3);
    expect(show(VXLAN, 'node/node-1', 'ip addr')).toContain('inet 10.244.0.0/32 scope global vxlan.calico');
    expect(show(VXLAN, 'node/node-2', 'ip addr')).toContain('inet 10.244.0.64/32 scope global vxlan.calico');
    expect(show(VXLAN, 'node/node-3', 'ip addr')).toContain('inet 10.244.0.128/32 scope global vxlan.calico');
    expect(podIp(VXLAN, 'shop/web-1')).toBe('10.244.0.1');
    expect(podIp(VXLAN, 'shop/web-2')).toBe('10.244.0.2');
    expect(podIp(VXLAN, 'shop/api-1')).toBe('10.244.0.65');
    expect(podIp(VXLAN, 'shop/db-1')).toBe('10.244.0.129');
  });

  it("takes a node's podCIDR as its first block and keeps given pod IPs", () => {
    const lab = calicoLab({
      mode: 'vxlan',
      networks: [net('lan', '192.168.10.0/24')],
      nodes: [node('node-1', '192.168.10.11', { podCIDR: '10.244.7.0/26' }), node('node-2', '192.168.10.12')],
      pods: [pod('shop/web-1', 'node-1', { ip: '10.244.7.10' }), pod('shop/api-1', 'node-2')],
    });
    const w = compileLab(lab);
    expect(w.calico?.ipam.blocks.map((b) => `${b.node} ${b.cidr.len}`)).toEqual(['node-1 26', 'node-2 26']);
    expect(show(w, 'node/node-1', 'ip route')).toContain('blackhole 10.244.7.0/26 proto 80 \n');
    expect(show(w, 'node/node-2', 'ip route')).toContain('blackhole 10.244.0.0/26 proto 80 \n');
    expect(podIp(w, 'shop/web-1')).toBe('10.244.7.10');
    expect(podIp(w, 'shop/api-1')).toBe('10.244.0.1');
  });

  it('claims another block when a node’s block is full, and borrows when the pool has no free block', () => {
    // a /28 pool of /30 blocks: four blocks of four addresses
    const pods = Array.from({ length: 13 }, (_, i) => pod(`shop/p-${i}`, 'node-1'));
    const lab = calicoLab({
      mode: 'bgp',
      podCIDR: '10.244.0.0/28',
      blockSize: 30,
      networks: [net('lan', '192.168.10.0/24')],
      nodes: [
        node('node-1', '192.168.10.11', { gateway: '192.168.10.1' }),
        node('node-2', '192.168.10.12', { gateway: '192.168.10.1' }),
      ],
      routers: [router('gw', { lan: '192.168.10.1' })],
      pods: [pod('shop/x-0', 'node-2'), ...pods],
    });
    const w = compileLab(lab);
    const ipam = w.calico?.ipam;
    // node-2 claims 10.244.0.0/30 for x-0; node-1 then claims the three others and borrows from node-2's
    expect(ipam?.blocks.map((b) => b.node)).toEqual(['node-2', 'node-1', 'node-1', 'node-1']);
    expect(podIp(w, 'shop/x-0')).toBe('10.244.0.0');
    expect(podIp(w, 'shop/p-0')).toBe('10.244.0.4');
    expect(podIp(w, 'shop/p-11')).toBe('10.244.0.15');
    expect(podIp(w, 'shop/p-12')).toBe('10.244.0.1');
    expect(ipam?.borrowed.map((b) => [b.node, b.block.node])).toEqual([['node-1', 'node-2']]);
    // the borrowed address is routed as a /32 to node-1, beating node-2's block route
    expect(show(w, 'node/node-2', 'ip route')).toContain(
      '10.244.0.1 via 192.168.10.11 dev eth0 proto bird \n',
    );
    const t = valid(trace(w, { from: 'shop/x-0', to: 'shop/p-12', proto: 'icmp' }));
    expect(t.verdict).toBe('delivered');
    expect(t.deliveredTo).toBe('pod/shop/p-12');
  });
});

describe('Calico IPAM: node podCIDRs', () => {
  it('a podCIDR that is not one block: the node gets the block at its start, with a warning', () => {
    const lab = calicoLab({
      mode: 'vxlan',
      networks: [net('lan', '192.168.10.0/24')],
      nodes: [
        node('node-1', '192.168.10.11', { gateway: '192.168.10.1', podCIDR: '10.244.5.0/24' }),
        node('node-2', '192.168.10.12', { gateway: '192.168.10.1' }),
      ],
    });
    const w = compileLab(lab);
    expect(w.problems.map((p) => p.message)).toContain(
      'nodes[0].podCIDR 10.244.5.0/24 is not a /26 (cluster.cni.blockSize): Calico hands out whole blocks, so node node-1 gets the block 10.244.5.0/26',
    );
    expect(show(w, 'node/node-1', 'ip route')).toContain('blackhole 10.244.5.0/26 proto 80 \n');
    expect(show(w, 'node/node-2', 'ip route')).toContain('blackhole 10.244.0.0/26 proto 80 \n');
  });

  it('podCIDRs outside the pool or overlapping are refused by validation', () => {
    const lab = calicoLab({
      mode: 'vxlan',
      networks: [net('lan', '192.168.10.0/24')],
      nodes: [
        node('node-1', '192.168.10.11', { podCIDR: '172.20.0.0/26' }),
        node('node-2', '192.168.10.12', { podCIDR: '10.244.5.0/26' }),
        node('node-3', '192.168.10.13', { podCIDR: '10.244.5.0/26' }),
      ],
    });
    const r = parseLab(lab);
    expect(r.ok ? [] : r.problems.map((p) => p.message)).toEqual([
      'nodes[0].podCIDR 172.20.0.0/26 is not inside cluster.podCIDR 10.244.0.0/16',
      'nodes[2].podCIDR 10.244.5.0/26 overlaps nodes[1].podCIDR',
    ]);
  });
});

describe('Calico VXLAN (Felix, no BGP)', () => {
  it('node-1: blackhole for its block, /32 routes to its pods, onlink routes via the other VTEPs', () => {
    const routes = show(VXLAN, 'node/node-1', 'ip route');
    const web1 = routes.match(/10\.244\.0\.1 dev (cali[0-9a-f]{11}) scope link/);
    expect(web1).not.toBeNull();
    expect(routes).toBe(
      [
        'default via 192.168.10.1 dev eth0 proto static ',
        'blackhole 10.244.0.0/26 proto 80 ',
        `10.244.0.1 dev ${web1?.[1] ?? ''} scope link `,
        expect.any(String),
        '10.244.0.64/26 via 10.244.0.64 dev vxlan.calico proto 80 onlink ',
        '10.244.0.128/26 via 10.244.0.128 dev vxlan.calico proto 80 onlink ',
        '192.168.10.0/24 dev eth0 proto kernel scope link src 192.168.10.11 ',
        '',
      ]
        .map((x) => (typeof x === 'string' ? x : '*'))
        .join('\n')
        .replace('*', routes.split('\n')[3] ?? ''),
    );
    expect(show(VXLAN, 'node/node-1', 'ip neigh')).toContain(
      `10.244.0.64 dev vxlan.calico lladdr ${macOf(VXLAN, 'node/node-2', 'vxlan.calico')} PERMANENT \n`,
    );
    expect(show(VXLAN, 'node/node-1', 'bridge fdb show')).toContain(
      `${macOf(VXLAN, 'node/node-2', 'vxlan.calico')} dev vxlan.calico dst 192.168.10.12 self permanent\n`,
    );
  });

  it('names the host veth cali + sha1("<namespace>.<pod>")[:11] (as `echo -n shop.web-1 | sha1sum` gives)', () => {
    // printf 'shop.web-1' | sha1sum → 751425ce8276…
    expect(show(VXLAN, 'node/node-1', 'ip route')).toContain('10.244.0.1 dev cali751425ce827 scope link \n');
    expect(show(VXLAN, 'node/node-1', 'ip link')).toContain(
      'cali751425ce827@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n    link/ether ee:ee:ee:ee:ee:ee brd ff:ff:ff:ff:ff:ff link-netns cni-',
    );
  });

  it('the pod routes everything through 169.254.1.1, which proxy ARP on its cali interface answers', () => {
    expect(show(VXLAN, 'pod/shop/web-1', 'ip route')).toBe(
      'default via 169.254.1.1 dev eth0 \n169.254.1.1 dev eth0 scope link \n',
    );
    const t = valid(trace(VXLAN, { from: 'shop/web-1', to: 'shop/api-1', port: 8080 }));
    const arp = t.hops.find((h) => h.stage === 'arp' && h.host === 'pod/shop/web-1');
    expect(arp?.detail).toContain(
      'Reply 169.254.1.1 is-at ee:ee:ee:ee:ee:ee (proxy ARP on cali751425ce827 of node/node-1)',
    );
  });

  it('pod to pod across nodes: VXLAN VNI 4096 on UDP 4789 between the node IPs, inner TTL 63', () => {
    const t = valid(trace(VXLAN, { from: 'shop/web-1', to: 'shop/api-1', port: 8080 }));
    expect(t.verdict).toBe('delivered');
    expect(t.deliveredTo).toBe('pod/shop/api-1');
    expect(hostsOf(t)).toEqual(['pod/shop/web-1', 'node/node-1', 'node/node-2', 'pod/shop/api-1']);
    expect(t.wire).toHaveLength(1);
    const w = t.wire[0];
    expect(w?.network).toBe('lan');
    const L = w?.layers ?? [];
    expect(L.map((l) => l.type)).toEqual(['eth', 'ipv4', 'udp', 'vxlan', 'eth', 'ipv4', 'tcp']);
    expect(layer(L, 'eth')).toEqual({
      type: 'eth',
      src: macOf(VXLAN, 'node/node-1', 'eth0'),
      dst: macOf(VXLAN, 'node/node-2', 'eth0'),
    });
    expect(layer(L, 'ipv4')).toEqual({
      type: 'ipv4',
      src: '192.168.10.11',
      dst: '192.168.10.12',
      ttl: 64,
      protocol: 'udp',
      df: false,
      length: 110,
    });
    expect(layer(L, 'udp')).toMatchObject({ dst: 4789, length: 90 });
    expect(layer(L, 'vxlan')).toEqual({ type: 'vxlan', vni: 4096 });
    expect(layer(L, 'eth', 1)).toEqual({
      type: 'eth',
      src: macOf(VXLAN, 'node/node-1', 'vxlan.calico'),
      dst: macOf(VXLAN, 'node/node-2', 'vxlan.calico'),
    });
    expect(layer(L, 'ipv4', 1)).toEqual({
      type: 'ipv4',
      src: '10.244.0.1',
      dst: '10.244.0.65',
      ttl: 63,
      protocol: 'tcp',
      df: true,
      length: 60,
    });
    // the receiving node accepts VXLAN only from Calico hosts (cali-INPUT)
    const input = t.hops.find((h) => h.host === 'node/node-2' && h.detail.startsWith('filter INPUT'));
    expect(input?.rule).toContain('-m set --match-set cali40all-vxlan-net src');
    expect(t.reply?.verdict).toBe('delivered');
  });

  it('pods on one node are routed by the node (not bridged): TTL 63, nothing on the wire', () => {
    const t = valid(trace(VXLAN, { from: 'shop/web-1', to: 'shop/web-2', proto: 'icmp' }));
    expect(t.verdict).toBe('delivered');
    expect(t.wire).toEqual([]);
    expect(layer(lastHop(t).layers, 'ipv4')).toMatchObject({ src: '10.244.0.1', dst: '10.244.0.2', ttl: 63 });
  });

  it('a DF packet too big for vxlan.calico (1450) gets ICMP fragmentation needed from the node', () => {
    // a host on the LAN that routes the pool via node-1: its 1500-byte packet must go into vxlan.calico
    const lab = oneLan('vxlan');
    lab.clients.push({ name: 'ops', network: 'lan', ip: '192.168.10.50', gateway: '192.168.10.11' });
    const w = compileLab(lab);
    // 1422 bytes of ICMP payload: a 1450-byte packet fits, 1423 does not
    const fits = valid(
      trace(w, { from: 'client/ops', to: 'shop/api-1', proto: 'icmp', size: 1422, df: true }),
    );
    expect(fits.verdict).toBe('delivered');
    expect(layer(fits.wire[1]?.layers ?? [], 'ipv4')).toMatchObject({ length: 1500, df: false });
    const t = valid(trace(w, { from: 'client/ops', to: 'shop/api-1', proto: 'icmp', size: 1423, df: true }));
    expect(t.verdict).toBe('fragmentation-needed');
    expect(t.reason).toBe(
      'node/node-1 cannot forward a 1451-byte packet with DF set through vxlan.calico (mtu 1450): ICMP fragmentation needed from 192.168.10.11 (ping: From 192.168.10.11 icmp_seq=1 Frag needed and DF set (mtu = 1450))',
    );
    const icmp = t.hops.find(
      (h) => h.stage === 'tx' && h.host === 'node/node-1' && h.detail.includes('need to frag'),
    );
    expect(layer(icmp?.layers ?? [], 'icmp')).toMatchObject({ icmpType: 3, code: 4, mtu: 1450 });
  });

  it('natOutgoing: a pod reaching outside the pool is masqueraded to the node address', () => {
    const t = valid(trace(VXLAN, { from: 'shop/web-1', to: '203.0.113.10', proto: 'icmp' }));
    expect(t.verdict).toBe('delivered');
    const masq = t.hops.find((h) => h.detail.includes('MASQUERADE to'));
    expect(masq?.rule).toBe(
      '-A cali-nat-outgoing -m comment --comment "cali:flqWnvo8yq4ULQLa" -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst -j MASQUERADE --random-fully',
    );
    expect(layer(lastHop(t).layers, 'ipv4')).toMatchObject({ src: '192.168.10.11', dst: '203.0.113.10' });
  });

  it('a node without a default route does not answer its pods’ ARP for 169.254.1.1 (calico#3270)', () => {
    const lab = calicoLab({
      mode: 'vxlan',
      networks: [net('lan', '192.168.10.0/24')],
      nodes: [node('node-1', '192.168.10.11'), node('node-2', '192.168.10.12')],
      pods: [pod('shop/web-1', 'node-1'), pod('shop/api-1', 'node-2', { ports: [8080] })],
    });
    const w = compileLab(lab);
    expect(w.problems.map((p) => p.message)).toContain(
      'node node-1 has no default route: with proxy ARP the kernel answers a pod’s ARP for 169.254.1.1 only when it has a route to that address, so the pods on node-1 get no answer and reach nothing (projectcalico/calico#3270); give the node a gateway'.replace(
        '’',
        "'",
      ),
    );
    const t = valid(trace(w, { from: 'shop/web-1', to: 'shop/api-1', port: 8080 }));
    expect(t.verdict).toBe('unreachable');
    expect(t.reason).toBe(
      'pod/shop/web-1: ARP for 169.254.1.1 on eth0 got no answer (Destination Host Unreachable)',
    );
  });
});

describe('Calico IPIP', () => {
  const CROSS = compileLab(twoRacks('ipip', { crossSubnet: true }));
  const ALWAYS = compileLab(twoRacks('ipip'));

  it('tunl0: the node’s tunnel address as a /32, MTU 1480; pods get a down tunl0 of their own', () => {
    expect(show(CROSS, 'node/node-1', 'ip addr')).toContain(
      '3: tunl0@NONE: <NOARP,UP,LOWER_UP> mtu 1480 qdisc noqueue state UNKNOWN group default qlen 1000\n' +
        '    link/ipip 0.0.0.0 brd 0.0.0.0\n' +
        '    inet 10.244.0.0/32 scope global tunl0\n' +
        '       valid_lft forever preferred_lft forever\n4: cali',
    );
    expect(show(CROSS, 'pod/shop/web-1', 'ip link')).toContain(
      '2: tunl0@NONE: <NOARP> mtu 1480 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n' +
        '    link/ipip 0.0.0.0 brd 0.0.0.0\n3: eth0@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1480 ',
    );
  });

  it('CrossSubnet: plain BIRD routes to the same subnet, tunl0 onlink routes to the other', () => {
    const routes = show(CROSS, 'node/node-1', 'ip route');
    expect(routes).toContain('blackhole 10.244.0.0/26 proto bird \n');
    expect(routes).toContain('10.244.0.64/26 via 192.168.1.11 dev eth0 proto bird \n');
    expect(routes).toContain('10.244.0.128/26 via 192.168.2.10 dev tunl0 proto bird onlink \n');
    // IPIP Always: every remote block through tunl0
    const always = show(ALWAYS, 'node/node-1', 'ip route');
    expect(always).toContain('10.244.0.64/26 via 192.168.1.11 dev tunl0 proto bird onlink \n');
    expect(always).toContain('10.244.0.128/26 via 192.168.2.10 dev tunl0 proto bird onlink \n');
  });

  it('across the router: outer IPv4 protocol 4 between the node IPs, TTL and DF copied from the inner packet', () => {
    const t = valid(trace(CROSS, { from: 'shop/web-1', to: 'shop/db-1', port: 5432 }));
    expect(t.verdict).toBe('delivered');
    expect(hostsOf(t)).toEqual([
      'pod/shop/web-1',
      'node/node-1',
      'router/core',
      'node/node-3',
      'pod/shop/db-1',
    ]);
    expect(t.wire.map((w) => w.network)).toEqual(['rack-a', 'rack-b']);
    const a = t.wire[0]?.layers ?? [];
    expect(a.map((l) => l.type)).toEqual(['eth', 'ipv4', 'ipv4', 'tcp']);
    expect(layer(a, 'ipv4')).toEqual({
      type: 'ipv4',
      src: '192.168.1.10',
      dst: '192.168.2.10',
      ttl: 63,
      protocol: 'ipip',
      df: true,
      length: 80,
    });
    expect(layer(a, 'ipv4', 1)).toEqual({
      type: 'ipv4',
      src: '10.244.0.1',
      dst: '10.244.0.129',
      ttl: 63,
      protocol: 'tcp',
      df: true,
      length: 60,
    });
    // the router decrements the outer TTL only
    const b = t.wire[1]?.layers ?? [];
    expect(layer(b, 'ipv4')).toMatchObject({ ttl: 62, protocol: 'ipip', length: 80 });
    expect(layer(b, 'ipv4', 1)).toMatchObject({ ttl: 63 });
    const decap = t.hops.find((h) => h.stage === 'decap');
    expect(decap).toMatchObject({ host: 'node/node-3', iface: 'tunl0' });
    expect(t.reply?.verdict).toBe('delivered');
  });

  it('same subnet with CrossSubnet: no encapsulation', () => {
    const t = valid(trace(CROSS, { from: 'shop/web-1', to: 'shop/api-1', port: 8080 }));
    expect(t.verdict).toBe('delivered');
    expect(t.wire[0]?.layers.map((l) => l.type)).toEqual(['eth', 'ipv4', 'tcp']);
  });

  it('a DF packet too big for tunl0 (1480) gets ICMP fragmentation needed from the node', () => {
    const lab = twoRacks('ipip', { crossSubnet: true });
    lab.clients.push({ name: 'ops', network: 'rack-a', ip: '192.168.1.50', gateway: '192.168.1.10' });
    const w = compileLab(lab);
    const fits = valid(
      trace(w, { from: 'client/ops', to: 'shop/db-1', proto: 'icmp', size: 1452, df: true }),
    );
    expect(fits.verdict).toBe('delivered');
    expect(layer(fits.wire[1]?.layers ?? [], 'ipv4')).toMatchObject({
      length: 1500,
      protocol: 'ipip',
      df: true,
    });
    const t = valid(trace(w, { from: 'client/ops', to: 'shop/db-1', proto: 'icmp', size: 1453, df: true }));
    expect(t.verdict).toBe('fragmentation-needed');
    expect(t.reason).toContain('through tunl0 (mtu 1480): ICMP fragmentation needed from 192.168.1.10');
  });

  it('a router firewall dropping IP protocol 4 breaks cross-subnet pod traffic at the router', () => {
    const w = compileLab(
      twoRacks('ipip', { crossSubnet: true, firewall: [{ action: 'drop', proto: 'ipip' }] }),
    );
    const t = valid(trace(w, { from: 'shop/web-1', to: 'shop/db-1', port: 5432 }));
    expect(t.verdict).toBe('dropped');
    expect(lastHop(t)).toMatchObject({
      host: 'router/core',
      stage: 'netfilter',
      rule: '-A FORWARD -p ipencap -j DROP',
    });
    // same-subnet traffic is not encapsulated and still flows
    expect(trace(w, { from: 'shop/web-1', to: 'shop/api-1', port: 8080 }).verdict).toBe('delivered');
  });
});

describe('Calico VXLAN across a router', () => {
  it('a router firewall dropping UDP 4789 breaks VXLAN at the router', () => {
    const w = compileLab(
      twoRacks('vxlan', { crossSubnet: true, firewall: [{ action: 'drop', proto: 'udp', dport: 4789 }] }),
    );
    expect(show(w, 'node/node-1', 'ip route')).toContain(
      '10.244.0.64/26 via 192.168.1.11 dev eth0 proto 80 \n',
    );
    const t = valid(trace(w, { from: 'shop/web-1', to: 'shop/db-1', port: 5432 }));
    expect(t.verdict).toBe('dropped');
    expect(lastHop(t)).toMatchObject({
      host: 'router/core',
      stage: 'netfilter',
      rule: '-A FORWARD -p udp -m udp --dport 4789 -j DROP',
    });
    expect(trace(w, { from: 'shop/web-1', to: 'shop/api-1', port: 8080 }).verdict).toBe('delivered');
  });
});

describe('Calico BGP without encapsulation behind a router that does not learn pod routes', () => {
  it('BIRD resolves the remote node through the gateway; the router has no pod route, and none back to the sender', () => {
    const w = compileLab(twoRacks('bgp'));
    expect(show(w, 'node/node-1', 'ip route')).toContain(
      '10.244.0.128/26 via 192.168.1.1 dev eth0 proto bird \n',
    );
    const t = valid(trace(w, { from: 'shop/web-1', to: 'shop/db-1', port: 5432 }));
    expect(t.verdict).toBe('no-route');
    expect(t.reason).toBe(
      'router/core has no route to 10.244.0.128 (and none back to 10.244.0.0, so the sender hears nothing)',
    );
    expect(lastHop(t).host).toBe('router/core');
  });
});

describe('Calico BGP with the fabric peering', () => {
  function peered(firewall?: FirewallJson[]) {
    const lab = calicoLab({
      mode: 'bgp',
      bgp: { peers: [{ router: 'core', asNumber: 65001, nodes: ['node-1', 'node-2', 'node-3'] }] },
      networks: [net('rack-a', '192.168.1.0/24'), net('rack-b', '192.168.2.0/24')],
      routers: [
        {
          ...router(
            'core',
            { 'rack-a': '192.168.1.1', 'rack-b': '192.168.2.1' },
            firewall ? { firewall } : {},
          ),
          bgp: { asNumber: 65001 },
        },
      ],
      nodes: [
        node('node-1', '192.168.1.10', { gateway: '192.168.1.1' }),
        node('node-2', '192.168.1.11', { gateway: '192.168.1.1' }),
        node('node-3', '192.168.2.10', { gateway: '192.168.2.1' }),
      ],
      pods: PODS,
    });
    return compileLab(lab);
  }

  it('the router learns the pod blocks by BGP and forwards pod traffic natively', () => {
    const w = peered();
    const routes = show(w, 'router/core', 'ip route');
    expect(routes).toContain('10.244.0.0/26 via 192.168.1.10 dev eth0 proto bird \n');
    expect(routes).toContain('10.244.0.128/26 via 192.168.2.10 dev eth1 proto bird \n');
    const t = valid(trace(w, { from: 'shop/web-1', to: 'shop/db-1', port: 5432 }));
    expect(t.verdict).toBe('delivered');
    expect(hostsOf(t)).toEqual([
      'pod/shop/web-1',
      'node/node-1',
      'router/core',
      'node/node-3',
      'pod/shop/db-1',
    ]);
    // no encapsulation: the pod addresses are on the wire, TTL 63 after node-1, 62 after the router
    expect(t.wire.map((x) => x.layers.map((l) => l.type).join(' '))).toEqual([
      'eth ipv4 tcp',
      'eth ipv4 tcp',
    ]);
    expect(layer(t.wire[1]?.layers ?? [], 'ipv4')).toMatchObject({
      src: '10.244.0.0',
      dst: '10.244.0.128',
      ttl: 62,
    });
  });

  it('a router firewall dropping TCP 179 breaks the node-to-node sessions across it, not the sessions to the router itself', () => {
    const w = peered([{ action: 'drop', proto: 'tcp', dport: 179 }]);
    const sessions = w.calico?.bgp?.sessions ?? [];
    expect(sessions.find((x) => x.id === 'node/node-1~node/node-3')).toMatchObject({
      state: 'Connect',
      reason:
        'TCP node-3 → 192.168.1.10:179 fails: dropped by the firewall of router/core: -A FORWARD -p tcp -m tcp --dport 179 -j DROP',
    });
    expect(sessions.find((x) => x.id === 'node/node-1~router/core')?.state).toBe('Established');
    // node-1 learns node-3's block from nobody (the router's copy carries AS 64512 again: loop);
    // its default route still takes the packets to the router, which knows the block
    expect(show(w, 'node/node-1', 'ip route')).not.toContain('10.244.0.128/26');
    expect(show(w, 'router/core', 'ip route')).toContain(
      '10.244.0.128/26 via 192.168.2.10 dev eth1 proto bird \n',
    );
    const t = valid(trace(w, { from: 'shop/web-1', to: 'shop/db-1', port: 5432 }));
    expect(t.verdict).toBe('delivered');
    expect(t.hops.find((h) => h.host === 'node/node-1' && h.stage === 'route')?.rule).toBe(
      'default via 192.168.1.1 dev eth0 proto static',
    );
  });
});

describe('Calico lab validation', () => {
  it('refuses a block size that does not fit in the pool, naming the field, the value and why', () => {
    const lab = calicoLab({
      mode: 'vxlan',
      podCIDR: '10.244.0.0/24',
      blockSize: 22,
      networks: [net('lan', '192.168.10.0/24')],
      nodes: [node('node-1', '192.168.10.11')],
    });
    const r = parseLab(lab);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems.map((p) => p.message)).toContain(
        'cluster.cni.blockSize 22 is shorter than the prefix of cluster.podCIDR 10.244.0.0/24: a Calico IPAM block (/22) must fit inside the IP pool',
      );
  });

  it('compiles without the old "calico is not simulated yet" warning', () => {
    expect(VXLAN.problems.map((p) => p.message).join('\n')).not.toContain('not simulated');
  });
});

describe('the Calico example labs', () => {
  function load(name: string): World {
    return compileLab(JSON.parse(readFileSync(path.join(LABS, `${name}.podlab.json`), 'utf8')));
  }

  it('calico-ipip-crosssubnet: web-1 → api-1 crosses core in IPIP, web-1 → web-2 stays plain', () => {
    const w = load('calico-ipip-crosssubnet');
    const t = valid(trace(w, { from: 'shop/web-1', to: 'shop/api-1', port: 8080 }));
    expect(t.verdict).toBe('delivered');
    expect(t.wire.map((x) => layer(x.layers, 'ipv4').protocol)).toEqual(['ipip', 'ipip']);
    const u = valid(trace(w, { from: 'shop/web-1', to: 'shop/web-2', port: 8080 }));
    expect(u.verdict).toBe('delivered');
    expect(u.wire.map((x) => layer(x.layers, 'ipv4').protocol)).toEqual(['tcp']);
  });

  it('calico-bgp-two-subnets-no-peering: the route via core is there, the packet dies at core, and the trace says why', () => {
    const w = load('calico-bgp-two-subnets-no-peering');
    expect(w.problems.map((p) => p.message)).toContain(
      'node/node-1: 10.244.0.128/26 next hop 192.168.2.13 is not directly connected: BIRD (gateway recursive) resolves it through 192.168.1.1, and router/core has no route for 10.244.0.128/26: pod traffic to it is lost there (peer the router with the nodes, or use IPIP/VXLAN)',
    );
    const t = valid(trace(w, { from: 'shop/web-1', to: 'shop/api-1', port: 8080 }));
    expect(t.verdict).toBe('no-route');
    expect(lastHop(t).host).toBe('router/core');
    const fwd = t.hops.find((h) => h.host === 'node/node-1' && h.stage === 'route');
    expect(fwd?.detail).toBe(
      'forward: 10.244.0.128 leaves by eth0 via 192.168.1.1 (BIRD learned 10.244.0.128/26 with BGP next hop 192.168.2.13, not directly connected; gateway recursive resolved it through 192.168.1.1)',
    );
    expect(fwd?.rule).toBe('10.244.0.128/26 via 192.168.1.1 dev eth0 proto bird');
  });
});

describe('Calico faults', () => {
  it('a firewall fault on the router dropping IP protocol 4 stops IPIP there (same as a firewall entry)', () => {
    const lab = twoRacks('ipip', { crossSubnet: true });
    lab.faults.push({ type: 'firewall', router: 'core', action: 'drop', proto: 'ipip' });
    const w = compileLab(lab);
    const t = valid(trace(w, { from: 'shop/web-1', to: 'shop/db-1', port: 5432 }));
    expect(t.verdict).toBe('dropped');
    expect(lastHop(t)).toMatchObject({ host: 'router/core', rule: '-A FORWARD -p ipencap -j DROP' });
    expect(layer(lastHop(t).layers, 'ipv4')).toMatchObject({ protocol: 'ipip', src: '192.168.1.10' });
  });

  it('mtu-mismatch on vxlan.calico: the pods follow the tunnel MTU, as Calico’s MTU detection writes it', () => {
    const w = compileLab(
      oneLan('vxlan', {
        faults: [{ type: 'mtu-mismatch', node: 'node-1', interface: 'vxlan.calico', mtu: 1400 }],
      }),
    );
    expect(show(w, 'node/node-1', 'ip link')).toContain(
      'vxlan.calico: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 ',
    );
    expect(show(w, 'pod/shop/web-1', 'ip link')).toContain(
      'eth0@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 ',
    );
    // a 1422-byte payload fits node-2's pods (1450) but not web-1's eth0 (1400): ping says so locally
    const t = valid(trace(w, { from: 'shop/web-1', to: 'shop/api-1', proto: 'icmp', size: 1422, df: true }));
    expect(t.verdict).toBe('fragmentation-needed');
    expect(t.reason).toContain('mtu=1400');
  });
});
