/**
 * The BGP control plane model: sessions per topology, propagation rules (iBGP split horizon,
 * route reflection, eBGP AS path), best-path choice and next-hop resolution, and the faults.
 */
import { describe, expect, it } from 'vitest';
import type { BgpState, RibEntry } from '../../../shared-sim/src/index';
import { computeBgp, labUnderlay, parseLab } from '../../../shared-sim/src/index';
import { bgpOf, firstBlocks, labJson, parse } from './helpers';

const MESH = 'calico-bgp-fullmesh-3node.podlab.json';
const RR = 'calico-bgp-rr-4node.podlab.json';
const TOR = 'calico-bgp-tor-peering.podlab.json';

function routes(st: BgpState, ref: string): string[] {
  return (st.installed.get(ref) ?? []).map((r) =>
    r.type === 'unicast' ? `${r.prefix} via ${r.via} dev ${r.dev ?? ''}` : `${r.type} ${r.prefix}`,
  );
}

function entry(st: BgpState, ref: string, prefix: string): RibEntry {
  const e = st.rib.get(ref)?.get(prefix);
  if (!e) throw new Error(`${ref} has no ${prefix}`);
  return e;
}

function withFaults(file: string, faults: unknown[]): BgpState {
  const j = labJson(file);
  j.faults = faults;
  return bgpOf(parse(j));
}

describe('full mesh', () => {
  const st = bgpOf(parse(labJson(MESH)));

  it('has N(N-1)/2 iBGP sessions, all Established, named and made one-way as Calico does', () => {
    expect(st.sessions.map((s) => [s.id, s.kind, s.role, s.state, s.aName, s.bName, s.passive])).toEqual([
      [
        'node/node-1~node/node-2',
        'ibgp',
        'mesh',
        'Established',
        'Mesh_192_168_10_12',
        'Mesh_192_168_10_11',
        'node/node-1',
      ],
      [
        'node/node-1~node/node-3',
        'ibgp',
        'mesh',
        'Established',
        'Mesh_192_168_10_13',
        'Mesh_192_168_10_11',
        'node/node-1',
      ],
      [
        'node/node-2~node/node-3',
        'ibgp',
        'mesh',
        'Established',
        'Mesh_192_168_10_13',
        'Mesh_192_168_10_12',
        'node/node-2',
      ],
    ]);
    expect(st.speakers.map((s) => [s.ref, s.routerId, s.asNumber])).toEqual([
      ['node/node-1', '192.168.10.11', 64512],
      ['node/node-2', '192.168.10.12', 64512],
      ['node/node-3', '192.168.10.13', 64512],
    ]);
  });

  it('every node installs the other blocks via their node and a blackhole for its own', () => {
    expect(routes(st, 'node/node-1')).toEqual([
      'blackhole 10.244.0.0/26',
      '10.244.0.64/26 via 192.168.10.12 dev eth0',
      '10.244.0.128/26 via 192.168.10.13 dev eth0',
    ]);
    expect(routes(st, 'node/node-3')).toEqual([
      '10.244.0.0/26 via 192.168.10.11 dev eth0',
      '10.244.0.64/26 via 192.168.10.12 dev eth0',
      'blackhole 10.244.0.128/26',
    ]);
  });

  it('records convergence as ordered events: sessions first, then UPDATEs, best paths, kernel routes', () => {
    const types = st.events.map((e) => e.type);
    expect(types.filter((t) => t === 'established')).toHaveLength(3);
    expect(types.filter((t) => t === 'update-received')).toHaveLength(6);
    expect(types.filter((t) => t === 'installed')).toHaveLength(6);
    expect(types.lastIndexOf('established')).toBeLessThan(types.indexOf('update-received'));
    expect(st.events.every((e, i) => e.seq === i && (i === 0 || st.events[i - 1]!.t <= e.t))).toBe(true);
    const first = st.events.find((e) => e.type === 'installed' && e.at === 'node/node-2');
    expect(first?.detail).toBe('node-2: kernel route 10.244.0.0/26 via 192.168.10.11 dev eth0 proto bird');
    expect(st.counts).toEqual({ events: st.events.length, updates: 6, sessions: 3 });
  });

  it("iBGP split horizon: with the node-1/node-3 session down, node-2 does not pass node-3's block on", () => {
    const cut = withFaults(MESH, [{ type: 'bgp-session-down', between: ['node-1', 'node-3'] }]);
    const s = cut.sessions.find((x) => x.id === 'node/node-1~node/node-3')!;
    expect(s.state).not.toBe('Established');
    expect(s.aView).toEqual({ state: 'down', info: '' });
    expect(s.reason).toMatch(/^bgp-session-down: protocol Mesh_192_168_10_13 is disabled on node-1/);
    expect(routes(cut, 'node/node-2')).toContain('10.244.0.128/26 via 192.168.10.13 dev eth0');
    expect(routes(cut, 'node/node-1')).toEqual([
      'blackhole 10.244.0.0/26',
      '10.244.0.64/26 via 192.168.10.12 dev eth0',
    ]);
    expect(
      cut.events.some(
        (e) => e.type === 'update-sent' && e.at === 'node/node-2' && e.prefix === '10.244.0.128/26',
      ),
    ).toBe(false);
  });
});

describe('route reflector', () => {
  const st = bgpOf(parse(labJson(RR)));

  it('has one session per client (3 instead of 6), node specific on both sides', () => {
    expect(st.sessions.map((s) => [s.id, s.role, s.reflector, s.aName, s.bName, s.state])).toEqual([
      [
        'node/node-1~node/node-2',
        'rr-client',
        'node/node-1',
        'Node_192_168_10_12',
        'Node_192_168_10_11',
        'Established',
      ],
      [
        'node/node-1~node/node-3',
        'rr-client',
        'node/node-1',
        'Node_192_168_10_13',
        'Node_192_168_10_11',
        'Established',
      ],
      [
        'node/node-1~node/node-4',
        'rr-client',
        'node/node-1',
        'Node_192_168_10_14',
        'Node_192_168_10_11',
        'Established',
      ],
    ]);
    expect(st.speakers[0]).toMatchObject({ reflector: true, clusterId: '244.0.0.1' });
  });

  it('clients learn each other through the reflector with ORIGINATOR_ID and CLUSTER_LIST, next hop unchanged', () => {
    const p = entry(st, 'node/node-2', '10.244.0.128/26').paths[0]!;
    expect(p).toMatchObject({
      from: 'node/node-1',
      protocol: 'Node_192_168_10_11',
      nextHop: '192.168.10.13',
      originatorId: '192.168.10.13',
      clusterList: ['244.0.0.1'],
      asPath: [],
      localPref: 100,
    });
    expect(routes(st, 'node/node-2')).toEqual([
      '10.244.0.0/26 via 192.168.10.11 dev eth0',
      'blackhole 10.244.0.64/26',
      '10.244.0.128/26 via 192.168.10.13 dev eth0',
      '10.244.0.192/26 via 192.168.10.14 dev eth0',
    ]);
    const sent = st.events.find(
      (e) => e.type === 'update-sent' && e.at === 'node/node-1' && e.prefix === '10.244.0.128/26',
    );
    expect(sent?.detail).toBe(
      'node-1 → node-2: UPDATE 10.244.0.128/26 next hop 192.168.10.13, AS path (empty), local pref 100, originator 192.168.10.13, cluster list 244.0.0.1',
    );
  });

  it('reflector down: sessions refused, clients lose the routes after the graceful-restart time', () => {
    const down = withFaults(RR, [{ type: 'route-reflector-down', node: 'node-1' }]);
    const s = down.sessions[0]!;
    expect(s.state).toBe('Active');
    expect(s.reason).toBe(
      "node-1's BIRD is stopped (route-reflector-down): connections to 192.168.10.11:179 are refused",
    );
    expect(s.bView).toEqual({ state: 'start', info: 'Active        Socket: Connection refused' });
    expect(routes(down, 'node/node-2')).toEqual(['blackhole 10.244.0.64/26']);
    expect(down.speakers[0]).toMatchObject({ running: false });
    expect((down.installed.get('node/node-1') ?? []).every((r) => /stale/.test(r.reason ?? ''))).toBe(true);
    const flush = down.events.filter((e) => e.type === 'withdraw-received' && e.at === 'node/node-2');
    expect(flush.map((e) => e.prefix)).toEqual(['10.244.0.0/26', '10.244.0.128/26', '10.244.0.192/26']);
    expect(down.events.filter((e) => e.type === 'uninstalled' && e.at === 'node/node-2')).toHaveLength(3);
  });

  it('two reflectors in one cluster: a client prefers the lower neighbor address; reflectors drop their own cluster id', () => {
    const j = labJson(RR);
    j.cluster.cni.bgp.routeReflectors = ['node-1', 'node-2'];
    const st2 = bgpOf(parse(j));
    expect(st2.sessions.map((s) => [s.id, s.role])).toEqual([
      ['node/node-1~node/node-2', 'rr-mesh'],
      ['node/node-1~node/node-3', 'rr-client'],
      ['node/node-2~node/node-3', 'rr-client'],
      ['node/node-1~node/node-4', 'rr-client'],
      ['node/node-2~node/node-4', 'rr-client'],
    ]);
    const e = entry(st2, 'node/node-3', '10.244.0.192/26');
    expect(e.paths.map((p) => p.protocol)).toEqual(['Node_192_168_10_11', 'Node_192_168_10_12']);
    expect(e.why).toBe('lower neighbor address (192.168.10.11)');
    expect(
      st2.events.some(
        (x) =>
          x.type === 'rejected' &&
          x.at === 'node/node-1' &&
          /CLUSTER_LIST 244\.0\.0\.1 contains our cluster id/.test(x.detail),
      ),
    ).toBe(true);
  });
});

describe('peering with a router', () => {
  const st = bgpOf(parse(labJson(TOR)));

  it('eBGP to the ToR: AS path prepended, next hop self; the router keeps the oldest eBGP path', () => {
    const e = entry(st, 'router/tor', '10.244.0.128/26');
    expect(e.paths[0]).toMatchObject({
      from: 'node/node-3',
      asPath: [64512],
      nextHop: '192.168.2.13',
      ebgp: true,
    });
    expect(e.paths).toHaveLength(4);
    expect(e.why).toBe('older eBGP path (the router keeps the path it learned first)');
    expect(routes(st, 'router/tor')).toEqual([
      '10.244.0.0/26 via 192.168.1.11 dev eth0',
      '10.244.0.64/26 via 192.168.1.12 dev eth0',
      '10.244.0.128/26 via 192.168.2.13 dev eth1',
      '10.244.0.192/26 via 192.168.2.14 dev eth1',
    ]);
  });

  it('nodes ignore the copies the ToR sends back (their AS is in the path)', () => {
    const r = st.events.find((x) => x.type === 'rejected' && x.at === 'node/node-1');
    expect(r?.detail).toMatch(
      /^node-1: 10\.244\.0\.\d+\/26 from tor is ignored: AS path 65001 64512 contains our AS 64512 \(loop\)$/,
    );
  });

  it('gateway recursive: a next hop in the other rack is installed via the local router', () => {
    const r = st.installed.get('node/node-1')!.find((x) => x.prefix === '10.244.0.128/26')!;
    expect(r).toMatchObject({ via: '192.168.1.1', nextHop: '192.168.2.13', dev: 'eth0', type: 'unicast' });
    expect(r.reason).toBe(
      'next hop 192.168.2.13 is not directly connected: BIRD (gateway recursive) resolves it through 192.168.1.1',
    );
  });

  it('a firewall on the router dropping TCP 179 leaves the cross-rack mesh sessions in Connect', () => {
    const fw = withFaults(TOR, [
      { type: 'firewall', router: 'tor', action: 'drop', proto: 'tcp', dport: 179 },
    ]);
    const s = fw.sessions.find((x) => x.id === 'node/node-1~node/node-3')!;
    expect(s.state).toBe('Connect');
    expect(s.reason).toBe(
      'TCP node-3 → 192.168.1.11:179 fails: dropped by the firewall of router/tor: -A FORWARD -p tcp -m tcp --dport 179 -j DROP',
    );
    expect(s.bView).toEqual({ state: 'start', info: 'Connect       ' });
    expect(s.aView).toEqual({ state: 'start', info: 'Passive       ' });
    // same-rack sessions and the sessions with tor itself (not forwarded) stay up
    expect(fw.sessions.filter((x) => x.state === 'Established').map((x) => x.id)).toEqual([
      'node/node-1~node/node-2',
      'node/node-3~node/node-4',
      'node/node-1~router/tor',
      'node/node-2~router/tor',
      'node/node-3~router/tor',
      'node/node-4~router/tor',
    ]);
    const rj = withFaults(TOR, [
      { type: 'firewall', router: 'tor', action: 'reject', proto: 'tcp', dport: 179 },
    ]);
    expect(rj.sessions.find((x) => x.id === 'node/node-1~node/node-3')!.bView).toEqual({
      state: 'start',
      info: 'Active        Socket: Connection refused',
    });
  });

  it('a peer AS that does not match the router fails the OPEN with "Bad peer AS"', () => {
    const j = labJson(TOR);
    j.cluster.cni.bgp.peers = [{ router: 'tor', asNumber: 65002 }];
    const s = bgpOf(parse(j)).sessions.find((x) => x.id === 'node/node-1~router/tor')!;
    expect(s.state).toBe('Active');
    expect(s.aView.info).toBe('Active        BGP Error: Bad peer AS');
    expect(s.reason).toMatch(/expects AS 65002 .* OPEN says AS 65001/);
  });

  it('a router without "bgp" refuses the sessions', () => {
    const j = labJson(TOR);
    delete j.routers[0]!.bgp;
    const st2 = bgpOf(parse(j));
    const s = st2.sessions.find((x) => x.id === 'node/node-1~router/tor')!;
    expect(s.state).toBe('Active');
    expect(s.aView.info).toBe('Active        Socket: Connection refused');
    expect(st2.warnings[0]).toMatch(/router tor is named in cluster.cni.bgp but has no "bgp"/);
  });
});

describe('scale', () => {
  it('a 60-node mesh: 1,770 sessions, 59 learned routes per node, same result with or without the event list', () => {
    const j = labJson(MESH);
    j.networks[0]!.cidr = '192.168.0.0/16';
    j.routers[0]!.interfaces[0]!.ip = '192.168.0.1';
    j.nodes = Array.from({ length: 60 }, (_, i) => ({
      name: `n${i + 1}`,
      network: 'lan',
      ip: `192.168.1.${i + 10}`,
      gateway: '192.168.0.1',
    }));
    j.objects = [];
    const lab = parse(j);
    const a = bgpOf(lab, { recordEvents: true });
    const b = bgpOf(lab, { recordEvents: false });
    expect(a.sessions).toHaveLength(1770);
    expect(b.events).toHaveLength(0);
    expect(b.counts).toEqual(a.counts);
    for (const [ref, r] of a.installed) {
      expect(r).toHaveLength(60);
      expect(b.installed.get(ref)).toEqual(r);
    }
  });
});

describe('borrowed addresses', () => {
  it('the node that holds a borrowed pod address announces its /32; the block owner keeps its blackhole', () => {
    const lab = parse(labJson(MESH));
    const st = computeBgp({
      lab,
      blocks: firstBlocks(lab),
      borrowed: [{ ip: '10.244.0.5', node: 'node-2' }],
      reach: labUnderlay(lab).reach,
    });
    expect(routes(st, 'node/node-3')).toContain('10.244.0.5/32 via 192.168.10.12 dev eth0');
    expect(routes(st, 'node/node-1')).toEqual([
      'blackhole 10.244.0.0/26',
      '10.244.0.5/32 via 192.168.10.12 dev eth0',
      '10.244.0.64/26 via 192.168.10.12 dev eth0',
      '10.244.0.128/26 via 192.168.10.13 dev eth0',
    ]);
    // node-2 has the /32 to the pod's cali interface already: BIRD learned it, installs nothing
    expect(routes(st, 'node/node-2')).not.toContain('10.244.0.5/32 via 192.168.10.12 dev eth0');
    expect(entry(st, 'node/node-2', '10.244.0.5/32').paths[0]).toMatchObject({
      source: 'kernel',
      protocol: 'kernel1',
    });
  });
});

describe('lab validation of the BGP faults', () => {
  it('names the field, the value and why', () => {
    const j = labJson(MESH);
    j.faults = [{ type: 'bgp-session-down', between: ['node-1'] }, { type: 'route-reflector-down' }];
    const p = parseLab(j);
    if (p.ok) throw new Error('the lab should be refused');
    expect(p.problems.filter((x) => x.severity === 'error').map((x) => x.message)).toEqual([
      'faults[0].between ["node-1"] must name the two BGP speakers of the session, e.g. ["node-1", "node-2"]',
      'faults[1].node is missing: route-reflector-down names the reflector (a node, or a router)',
    ]);
  });

  it('a session fault between speakers that have no session is a warning of the model', () => {
    const j = labJson(RR);
    j.faults = [{ type: 'bgp-session-down', between: ['node-2', 'node-3'] }];
    expect(bgpOf(parse(j)).warnings).toEqual([
      'bgp-session-down between node-2 and node-3: these speakers have no session',
    ]);
  });
});
