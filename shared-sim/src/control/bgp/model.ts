/**
 * The BGP control plane as a protocol model. Speakers are BIRD on each Calico node (configured as
 * calico-node's confd templates configure it: `router id` = node IP, one `protocol bgp` per peer
 * from `bgp_template`, `gateway recursive`, export filter `calico_export_to_bgp_peers`) and the
 * lab's routers that speak BGP. Sessions come up or fail on the underlay; then UPDATE messages are
 * passed through a FIFO queue, each receiver applying loop checks, best-path selection and its
 * export rules (iBGP split horizon, route reflection with ORIGINATOR_ID / CLUSTER_LIST, eBGP
 * AS_PATH prepend and next-hop-self). The order in which the queue is processed is the event list.
 *
 * Deterministic: speakers in lab order (nodes, then routers), sessions in construction order,
 * messages first in first out.
 */
import { cidrCovers, parseCidr, parseIpv4, type Cidr } from '../../dataplane/addr/ipv4';
import type {
  BgpEvent,
  BgpEventType,
  BgpInput,
  BgpPath,
  BgpSession,
  BgpSpeaker,
  BgpState,
  InstalledRoute,
  NextHopResolution,
  ProtocolView,
  RibEntry,
  SessionRole,
  SessionState,
} from './types';
import { labUnderlay } from './underlay';

/** calico-node's BIRD template: `connect delay time 2`. */
const CONNECT_DELAY_MS = 2000;
/** Graceful restart time Calico configures for mesh peers (`graceful restart time 120`). */
const RESTART_TIME_MS = 120_000;
/** One UPDATE's transit and processing time, for the event clock. */
const HOP_MS = 1;
const DEFAULT_LOCAL_PREF = 100;
const DEFAULT_AS = 64512;
const EVENTS_AUTO_LIMIT = 300;

const UP: ProtocolView = { state: 'up', info: 'Established   ' };
const PASSIVE: ProtocolView = { state: 'start', info: 'Passive' };
const EMPTY: readonly never[] = [];

interface Sp {
  readonly idx: number;
  readonly ref: string;
  readonly kind: 'node' | 'router';
  readonly name: string;
  readonly routerId: string;
  readonly as: number;
  readonly reflector: boolean;
  readonly clusterId?: string;
  running: boolean;
  reason?: string;
  /** Established sessions, and the eBGP ones among them. */
  readonly adj: Adj[];
  readonly ebgpAdj: Adj[];
  readonly rib: Map<string, MEntry>;
}

interface Adj {
  readonly peer: number;
  readonly sess: number;
  readonly myAddr: string;
  readonly peerAddr: string;
  readonly ibgp: boolean;
  /** This speaker reflects for the peer (the peer is its route reflector client). */
  readonly peerIsClient: boolean;
  readonly name: string;
  /** The peer's Adj for the same session. */
  rev?: Adj;
  up: boolean;
}

interface MEntry {
  readonly prefix: string;
  paths: MPath[];
  why?: string;
}

type MPath = BgpPath & {
  /** Speaker index it came from (-1 for local). */
  readonly fromIdx: number;
  /** The source peer is this speaker's reflector client. */
  readonly fromClient: boolean;
  readonly stale?: boolean;
};

interface Attrs {
  readonly nextHop: string;
  readonly asPath: readonly number[];
  readonly origin: 'igp' | 'egp' | 'incomplete';
  readonly localPref?: number;
  readonly originatorId?: string;
  readonly clusterList: readonly string[];
}

interface Msg {
  readonly to: number;
  readonly adj: Adj;
  readonly prefix: string;
  readonly attrs: Attrs | null;
  readonly t: number;
}

type Extra = Partial<Pick<BgpEvent, 'peer' | 'session' | 'prefix' | 'attrs'>>;

interface MSession {
  readonly s: Omit<BgpSession, 'state' | 'aView' | 'bView' | 'reason' | 'since'>;
  state: SessionState;
  aView: ProtocolView;
  bView: ProtocolView;
  reason: string;
  since: number;
  aAdj?: Adj;
  bAdj?: Adj;
}

const protoName = (prefix: string, ip: string): string => `${prefix}_${ip.replace(/\./g, '_')}`;
const symbol = (name: string): string => name.replace(/[^A-Za-z0-9_]/g, '_');

/** Builds the speakers and sessions of a lab, brings the sessions up, and propagates routes. */
export function computeBgp(input: BgpInput): BgpState {
  const lab = input.lab;
  const cfg = lab.cluster.cni.bgp;
  const asNumber = cfg.asNumber || DEFAULT_AS;
  const warnings: string[] = [];
  const under = input.resolve ? undefined : labUnderlay(lab);
  const resolveNh = input.resolve ?? ((ref: string, ip: string) => under!.resolve(ref, ip));
  const pool = parseCidr(lab.cluster.podCIDR);
  const poolCidr: Cidr | undefined = pool.ok ? pool.cidr : undefined;

  if (lab.cluster.cni.plugin !== 'calico')
    return empty(asNumber, [
      `cluster.cni.plugin is ${lab.cluster.cni.plugin}: no BGP (BIRD runs only with Calico)`,
    ]);
  if (lab.cluster.cni.mode === 'vxlan')
    return empty(asNumber, [
      'cluster.cni.mode vxlan: calico-node runs without BIRD (networking backend vxlan); Felix programs the routes',
    ]);

  // --- speakers -----------------------------------------------------------------------------
  const rrNames = new Set(cfg.topology === 'route-reflector' ? cfg.routeReflectors : []);
  if (cfg.topology === 'full-mesh' && cfg.routeReflectors.length > 0)
    warnings.push(
      `cluster.cni.bgp.routeReflectors is ignored: topology is full-mesh (the node-to-node mesh is enabled)`,
    );
  const downFaults = (lab.faults as readonly Record<string, unknown>[]).filter(
    (f) => f['type'] === 'route-reflector-down',
  );
  const sps: Sp[] = [];
  const byRef = new Map<string, Sp>();
  const add = (sp: Omit<Sp, 'idx' | 'adj' | 'ebgpAdj' | 'rib'>): Sp => {
    const full: Sp = { ...sp, idx: sps.length, adj: [], ebgpAdj: [], rib: new Map() };
    sps.push(full);
    byRef.set(full.ref, full);
    return full;
  };
  const routerIdOfRouter = (name: string): string => {
    const r = lab.routers.find((x) => x.name === name);
    const ips = (r?.interfaces ?? []).map((f) => f.ip).filter((ip) => parseIpv4(ip) !== undefined);
    // BIRD's default router id: the lowest IPv4 address of a non-loopback interface
    ips.sort((a, b) => (parseIpv4(a) ?? 0) - (parseIpv4(b) ?? 0));
    return ips[0] ?? '0.0.0.0';
  };
  const clusterIdFor = (rid: string): string => cfg.clusterID ?? rid;
  for (const n of lab.nodes) {
    const reflector = rrNames.has(n.name);
    add({
      ref: `node/${n.name}`,
      kind: 'node',
      name: n.name,
      routerId: n.ip,
      as: asNumber,
      reflector,
      ...(reflector ? { clusterId: clusterIdFor(n.ip) } : {}),
      running: true,
    });
  }
  const peerRouters = new Set(cfg.peers.map((p) => p.router));
  for (const r of lab.routers) {
    const reflector = rrNames.has(r.name);
    if (!peerRouters.has(r.name) && !reflector) continue;
    if (!r.bgp) {
      warnings.push(
        `router ${r.name} is named in cluster.cni.bgp but has no "bgp": it does not speak BGP, so sessions to it are refused`,
      );
    }
    const rid = routerIdOfRouter(r.name);
    add({
      ref: `router/${r.name}`,
      kind: 'router',
      name: r.name,
      routerId: rid,
      as: r.bgp?.asNumber ?? asNumber,
      reflector,
      ...(reflector ? { clusterId: clusterIdFor(rid) } : {}),
      running: r.bgp !== undefined,
      ...(r.bgp === undefined ? { reason: `router ${r.name} has no BGP daemon (no "bgp" in the lab)` } : {}),
    });
  }
  for (const name of rrNames)
    if (!byRef.has(`node/${name}`) && !byRef.has(`router/${name}`))
      warnings.push(
        `cluster.cni.bgp.routeReflectors names ${name}, which is neither a node nor a router of this lab`,
      );

  // --- sessions -----------------------------------------------------------------------------
  const msess: MSession[] = [];
  const pairSeen = new Set<string>();
  const nodeSps = sps.filter((s) => s.kind === 'node');
  const addrOfRouterFor = (router: string, nodeName: string): string => {
    const r = lab.routers.find((x) => x.name === router);
    const n = lab.nodes.find((x) => x.name === nodeName);
    if (!r || !n) return '0.0.0.0';
    const same = r.interfaces.find((f) => f.network === n.network);
    if (same) return same.ip;
    const gw = r.interfaces.find((f) => f.ip === n.gateway);
    return (gw ?? r.interfaces[0])?.ip ?? '0.0.0.0';
  };
  const nodeIp = (sp: Sp): string => sp.routerId;
  const addSession = (
    a: Sp,
    b: Sp,
    aAddr: string,
    bAddr: string,
    role: SessionRole,
    aName: string,
    bName: string,
    extra: { reflector?: string; passive?: string },
  ): void => {
    const key = a.idx < b.idx ? `${a.idx}~${b.idx}` : `${b.idx}~${a.idx}`;
    if (pairSeen.has(key)) return;
    pairSeen.add(key);
    msess.push({
      s: {
        id: `${a.ref}~${b.ref}`,
        a: a.ref,
        b: b.ref,
        aAddr,
        bAddr,
        aName,
        bName,
        kind: a.as === b.as ? 'ibgp' : 'ebgp',
        role,
        ...extra,
      },
      state: 'Idle',
      aView: PASSIVE,
      bView: PASSIVE,
      reason: '',
      since: 0,
    });
  };
  /** Calico nodes peering with each other: the lower address (as a string) is passive. */
  const calicoPair = (a: Sp, b: Sp, role: SessionRole, prefix: 'Mesh' | 'Node', reflector?: Sp): void => {
    const ai = nodeIp(a);
    const bi = nodeIp(b);
    addSession(a, b, ai, bi, role, protoName(prefix, bi), protoName(prefix, ai), {
      ...(reflector ? { reflector: reflector.ref } : {}),
      passive: bi > ai ? a.ref : b.ref,
    });
  };
  if (cfg.topology === 'full-mesh') {
    for (let i = 0; i < nodeSps.length; i++)
      for (let j = i + 1; j < nodeSps.length; j++) calicoPair(nodeSps[i]!, nodeSps[j]!, 'mesh', 'Mesh');
  } else {
    const rrs = sps.filter((s) => s.reflector);
    if (rrs.length === 0)
      warnings.push(
        'cluster.cni.bgp.topology is route-reflector but no route reflector is named: the mesh is off and no node has a BGP peer',
      );
    const rrNodes = rrs.filter((s) => s.kind === 'node');
    // reflectors peer among themselves (route-reflector == 'true' selects them too)
    for (let i = 0; i < rrNodes.length; i++)
      for (let j = i + 1; j < rrNodes.length; j++) calicoPair(rrNodes[i]!, rrNodes[j]!, 'rr-mesh', 'Node');
    for (const c of nodeSps) {
      if (c.reflector) continue;
      for (const r of rrNodes) {
        // on the reflector's side the client is its node-specific peer with "rr client"
        calicoPair(r, c, 'rr-client', 'Node', r);
      }
    }
    // routers acting as reflectors: every node peers with them (a global BGPPeer)
    for (const r of rrs.filter((s) => s.kind === 'router'))
      for (const c of nodeSps) {
        const ra = addrOfRouterFor(r.name, c.name);
        addSession(c, r, nodeIp(c), ra, 'rr-client', protoName('Global', ra), symbol(c.name), {
          reflector: r.ref,
        });
      }
  }
  for (const p of cfg.peers) {
    const r = byRef.get(`router/${p.router}`);
    if (!r) {
      warnings.push(`cluster.cni.bgp.peers names router ${p.router}, which is not a router of this lab`);
      continue;
    }
    const nodes = p.nodes.length ? p.nodes : lab.nodes.map((n) => n.name);
    const global = p.nodes.length === 0;
    for (const nn of nodes) {
      const c = byRef.get(`node/${nn}`);
      if (!c) {
        warnings.push(
          `cluster.cni.bgp.peers (router ${p.router}) names node ${nn}, which is not a node of this lab`,
        );
        continue;
      }
      const ra = addrOfRouterFor(r.name, c.name);
      addSession(
        c,
        r,
        nodeIp(c),
        ra,
        global ? 'global' : 'node-specific',
        protoName(global ? 'Global' : 'Node', ra),
        symbol(c.name),
        {},
      );
    }
  }

  // --- the event log ------------------------------------------------------------------------
  const record = input.recordEvents ?? sps.length <= EVENTS_AUTO_LIMIT;
  const events: BgpEvent[] = [];
  let eventCount = 0;
  let updates = 0;
  const ev = (
    t: number,
    type: BgpEventType,
    at: Sp,
    detail: () => string,
    extra: Extra | (() => Extra) = {},
  ): void => {
    eventCount++;
    if (!record) return;
    const x = typeof extra === 'function' ? extra() : extra;
    events.push({ seq: events.length, t, type, at: at.ref, ...x, detail: detail() });
  };

  // --- origination: each node's blocks (protocol static) and borrowed /32s (protocol kernel) ---
  const local = (sp: Sp, prefix: string, source: 'static' | 'kernel'): MPath => ({
    prefix,
    source,
    protocol: source === 'static' ? 'static1' : 'kernel1',
    asPath: EMPTY,
    origin: 'igp',
    localPref: DEFAULT_LOCAL_PREF,
    clusterList: EMPTY,
    ebgp: false,
    resolved: { kind: 'connected', dev: source === 'static' ? 'blackhole' : 'cali' },
    since: 0,
    fromIdx: -1,
    fromClient: false,
  });
  const queue: Msg[] = [];
  let head = 0;
  const ownBlocks: Cidr[][] = sps.map(() => []);
  for (const b of input.blocks) {
    const sp = byRef.get(`node/${b.node}`);
    if (!sp || !sp.running) continue;
    const bc = cidrOf(b.cidr);
    if (bc) ownBlocks[sp.idx]!.push(bc);
    setPaths(sp, b.cidr, [local(sp, b.cidr, 'static')]);
    ev(
      0,
      'originate',
      sp,
      () => `${sp.name}: BIRD's protocol static announces its block ${b.cidr} (blackhole)`,
      {
        prefix: b.cidr,
      },
    );
  }
  for (const br of input.borrowed ?? []) {
    const sp = byRef.get(`node/${br.node}`);
    if (!sp || !sp.running) continue;
    const prefix = `${br.ip}/32`;
    setPaths(sp, prefix, [local(sp, prefix, 'kernel')]);
    ev(
      0,
      'originate',
      sp,
      () =>
        `${sp.name}: the borrowed pod address ${br.ip} is learned from the kernel (/32 route to a cali interface) and announced`,
      {
        prefix,
      },
    );
  }

  function setPaths(sp: Sp, prefix: string, paths: MPath[]): void {
    sp.rib.set(prefix, { prefix, paths });
  }

  // --- route-reflector-down / bgp-session-down ---------------------------------------------
  const stopAfter = new Set<number>();
  downFaults.forEach((f) => {
    const name =
      typeof f['node'] === 'string' ? f['node'] : typeof f['router'] === 'string' ? f['router'] : '';
    const sp = byRef.get(`node/${name}`) ?? byRef.get(`router/${name}`);
    if (!sp) {
      warnings.push(`route-reflector-down names ${name}, which is not a BGP speaker of this lab`);
      return;
    }
    if (!sp.reflector)
      warnings.push(
        `route-reflector-down: ${name} is not a route reflector; its BGP daemon is stopped all the same`,
      );
    stopAfter.add(sp.idx);
  });
  const cut = new Set<string>();
  for (const f of (lab.faults as readonly Record<string, unknown>[]).filter(
    (x) => x['type'] === 'bgp-session-down',
  )) {
    const between = Array.isArray(f['between']) ? (f['between'] as unknown[]).map(String) : [];
    const find = (n: string): Sp | undefined =>
      byRef.get(n) ?? byRef.get(`node/${n}`) ?? byRef.get(`router/${n}`);
    const [x, y] = [find(between[0] ?? ''), find(between[1] ?? '')];
    if (!x || !y) {
      warnings.push(
        `bgp-session-down between ${between.join(', ')}: ${!x ? between[0] : between[1]} is not a BGP speaker of this lab`,
      );
      continue;
    }
    const s = msess.find((m) => (m.s.a === x.ref && m.s.b === y.ref) || (m.s.a === y.ref && m.s.b === x.ref));
    if (!s) {
      warnings.push(
        `bgp-session-down between ${x.name} and ${y.name}: these speakers have no session with each other`,
      );
      continue;
    }
    cut.add(`${s.s.id}|${x.ref}`);
  }

  // --- sessions come up -----------------------------------------------------------------------
  const T0 = CONNECT_DELAY_MS;
  msess.forEach((m, si) => {
    const a = byRef.get(m.s.a)!;
    const b = byRef.get(m.s.b)!;
    const disabledBy = [a, b].find((x) => cut.has(`${m.s.id}|${x.ref}`));
    const failed = (state: SessionState, reason: string, aView: ProtocolView, bView: ProtocolView): void => {
      m.state = state;
      m.reason = reason;
      m.aView = aView;
      m.bView = bView;
      m.since = T0;
      ev(T0, 'session-failed', a, () => `${a.name} ↔ ${b.name} (${m.s.aName}): ${state} — ${reason}`, {
        peer: b.ref,
        session: m.s.id,
      });
    };
    if (disabledBy) {
      const other = disabledBy === a ? b : a;
      const otherName = other === a ? m.s.aName : m.s.bName;
      const disName = disabledBy === a ? m.s.aName : m.s.bName;
      const downView: ProtocolView = { state: 'down', info: '' };
      const otherView: ProtocolView =
        m.s.passive === other.ref
          ? PASSIVE
          : { state: 'start', info: pad('Active') + 'Socket: Connection closed' };
      failed(
        m.s.passive === other.ref ? 'Idle' : 'Active',
        `bgp-session-down: protocol ${disName} is disabled on ${disabledBy.name} (birdc disable ${disName}); ${other.name}'s ${otherName} never gets an OPEN`,
        disabledBy === a ? downView : otherView,
        disabledBy === a ? otherView : downView,
      );
      return;
    }
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      if (!x.running && x.kind === 'router') {
        const view = refusedView(m.s.passive === y.ref);
        failed(
          m.s.passive === y.ref ? 'Idle' : 'Active',
          x.reason ?? `${x.name} does not run BGP`,
          y === a ? view : { state: 'down', info: '' },
          y === b ? view : { state: 'down', info: '' },
        );
        return;
      }
    }
    // who connects: both sides unless one is passive
    const initiators = [a, b].filter((x) => m.s.passive !== x.ref);
    const results = initiators.map((x) => ({
      x,
      r: input.reach(x.ref, x === a ? m.s.bAddr : m.s.aAddr),
    }));
    const okOne = results.find((r) => r.r.ok);
    if (!okOne) {
      const first = results[0]!;
      const failure = first.r.failure ?? 'timeout';
      const info =
        failure === 'timeout'
          ? 'Connect'
          : pad('Active') +
            (failure === 'refused' ? 'Socket: Connection refused' : 'Socket: No route to host');
      const initView: ProtocolView =
        failure === 'timeout' ? { state: 'start', info } : { state: 'start', info };
      const other = first.x === a ? b : a;
      const otherView: ProtocolView = m.s.passive === other.ref ? PASSIVE : initView;
      failed(
        failure === 'timeout' ? 'Connect' : 'Active',
        `TCP ${first.x.name} → ${first.x === a ? m.s.bAddr : m.s.aAddr}:179 fails: ${first.r.reason}`,
        first.x === a ? initView : otherView,
        first.x === a ? otherView : initView,
      );
      return;
    }
    // a node peer expecting a different AS than the router has
    const peerCfg = b.kind === 'router' ? cfg.peers.find((p) => p.router === b.name) : undefined;
    if (peerCfg && peerCfg.asNumber !== b.as) {
      failed(
        'Active',
        `${a.name} expects AS ${peerCfg.asNumber} (cluster.cni.bgp.peers) but ${b.name}'s OPEN says AS ${b.as}: ${a.name} sends NOTIFICATION "Bad peer AS"`,
        { state: 'start', info: pad('Active') + 'BGP Error: Bad peer AS' },
        { state: 'start', info: pad('Active') + 'Received: Bad peer AS' },
      );
      return;
    }
    const initiator = okOne.x;
    const responder = initiator === a ? b : a;
    const t = T0;
    ev(
      t,
      'connect',
      initiator,
      () => `${initiator.name} opens TCP to ${responder.name} port 179 (${m.s.id})`,
      {
        peer: responder.ref,
        session: m.s.id,
      },
    );
    ev(
      t,
      'open',
      initiator,
      () =>
        `${initiator.name} → ${responder.name}: OPEN (AS ${initiator.as}, router id ${initiator.routerId}, hold time 240)`,
      {
        peer: responder.ref,
        session: m.s.id,
      },
    );
    ev(
      t,
      'open',
      responder,
      () =>
        `${responder.name} → ${initiator.name}: OPEN (AS ${responder.as}, router id ${responder.routerId}, hold time 240)`,
      {
        peer: initiator.ref,
        session: m.s.id,
      },
    );
    ev(t + 1, 'keepalive', initiator, () => `${initiator.name} ↔ ${responder.name}: KEEPALIVE both ways`, {
      peer: responder.ref,
      session: m.s.id,
    });
    m.state = 'Established';
    m.aView = UP;
    m.bView = UP;
    m.since = t + 1;
    m.reason = `${m.s.kind === 'ibgp' ? 'iBGP' : 'eBGP'} session established (${initiator.name} connected)`;
    ev(
      t + 1,
      'established',
      a,
      () =>
        `${a.name} ↔ ${b.name}: Established (${m.s.kind === 'ibgp' ? 'iBGP' : 'eBGP'}, ${roleText(m.s.role)})`,
      {
        peer: b.ref,
        session: m.s.id,
      },
    );
    const aIsRr = m.s.reflector === a.ref || (m.s.role === 'rr-mesh' && a.clusterId !== b.clusterId);
    const bIsRr = m.s.reflector === b.ref || (m.s.role === 'rr-mesh' && a.clusterId !== b.clusterId);
    const ibgp = m.s.kind === 'ibgp';
    const aAdj: Adj = {
      peer: b.idx,
      sess: si,
      myAddr: m.s.aAddr,
      peerAddr: m.s.bAddr,
      ibgp,
      peerIsClient: ibgp && aIsRr,
      name: m.s.aName,
      up: true,
    };
    const bAdj: Adj = {
      peer: a.idx,
      sess: si,
      myAddr: m.s.bAddr,
      peerAddr: m.s.aAddr,
      ibgp,
      peerIsClient: ibgp && bIsRr,
      name: m.s.bName,
      up: true,
    };
    aAdj.rev = bAdj;
    bAdj.rev = aAdj;
    a.adj.push(aAdj);
    b.adj.push(bAdj);
    if (!ibgp) {
      a.ebgpAdj.push(aAdj);
      b.ebgpAdj.push(bAdj);
    }
    m.aAdj = aAdj;
    m.bAdj = bAdj;
    // initial table dump over the new session
    for (const [x, xa] of [
      [a, aAdj],
      [b, bAdj],
    ] as const) {
      for (const e of x.rib.values()) {
        const best = e.paths[0];
        const at = best ? exportAttrs(x, best, xa) : null;
        if (at) send(x, xa, e.prefix, at, t + 1);
      }
      ev(
        t + 1,
        'end-of-rib',
        x,
        () => `${x.name} → ${byIdx(xa.peer).name}: End-of-RIB (initial table sent)`,
        {
          peer: byIdx(xa.peer).ref,
          session: m.s.id,
        },
      );
    }
  });

  function byIdx(i: number): Sp {
    return sps[i]!;
  }

  // --- export rules -------------------------------------------------------------------------
  function exportAttrs(sp: Sp, best: MPath, adj: Adj): Attrs | null {
    if (best.fromIdx === adj.peer) return null; // never back to the protocol it came from
    if (best.stale) return null;
    let reflect = false;
    if (best.source === 'bgp' && !best.ebgp && adj.ibgp) {
      // iBGP split horizon: only a reflector passes iBGP routes on, to or from its clients
      if (!best.fromClient && !adj.peerIsClient) return null;
      reflect = true;
    }
    if (sp.kind === 'node' && best.source !== 'static' && !calicoExports(sp, best.prefix)) return null;
    if (!adj.ibgp)
      return {
        nextHop: adj.myAddr,
        asPath: [sp.as, ...best.asPath],
        origin: best.origin,
        clusterList: EMPTY,
      };
    return {
      nextHop: best.nextHop ?? adj.myAddr,
      asPath: best.asPath,
      origin: best.origin,
      localPref: best.localPref,
      ...(reflect
        ? {
            originatorId: best.originatorId ?? best.peerRouterId ?? '',
            clusterList: [sp.clusterId ?? sp.routerId, ...best.clusterList],
          }
        : {
            ...(best.originatorId !== undefined ? { originatorId: best.originatorId } : {}),
            clusterList: best.source === 'bgp' && !best.ebgp ? best.clusterList : EMPTY,
          }),
    };
  }

  /** calico_export_to_bgp_peers: calico_aggr() rejects what lies beneath our blocks; then "net ~ pool". */
  function calicoExports(sp: Sp, prefix: string): boolean {
    const c = cidrOf(prefix);
    if (!c || !poolCidr || !cidrCovers(poolCidr, c)) return false;
    for (const b of ownBlocks[sp.idx] ?? EMPTY) if (b.len < c.len && cidrCovers(b, c)) return false;
    return true;
  }

  function send(from: Sp, adj: Adj, prefix: string, attrs: Attrs | null, t: number): void {
    updates++;
    const to = byIdx(adj.peer);
    queue.push({ to: adj.peer, adj: adj.rev!, prefix, attrs, t: t + HOP_MS });
    if (attrs)
      ev(
        t,
        'update-sent',
        from,
        () => `${from.name} → ${to.name}: UPDATE ${prefix} next hop ${attrs.nextHop}${attrsText(attrs)}`,
        () => ({
          peer: to.ref,
          session: msess[adj.sess]!.s.id,
          prefix,
          attrs: eventAttrs(attrs),
        }),
      );
    else
      ev(t, 'withdraw-sent', from, () => `${from.name} → ${to.name}: UPDATE withdraws ${prefix}`, {
        peer: to.ref,
        session: msess[adj.sess]!.s.id,
        prefix,
      });
  }

  // --- best path ----------------------------------------------------------------------------
  function resolvable(p: MPath): boolean {
    return p.resolved.kind !== 'none';
  }

  function compare(x: MPath, y: MPath, router = false): { c: number; why: string } {
    const pref = (p: MPath): number => (p.source === 'static' ? 200 : p.source === 'kernel' ? 10 : 100);
    if (pref(x) !== pref(y))
      return {
        c: pref(y) - pref(x),
        why: `higher preference (${Math.max(pref(x), pref(y))}: ${pref(x) > pref(y) ? x.protocol : y.protocol})`,
      };
    if (x.source !== 'bgp') return { c: 0, why: 'same' };
    const rx = resolvable(x);
    const ry = resolvable(y);
    if (rx !== ry) return { c: rx ? -1 : 1, why: 'its next hop is resolvable' };
    if (x.localPref !== y.localPref)
      return {
        c: y.localPref - x.localPref,
        why: `higher local preference (${Math.max(x.localPref, y.localPref)})`,
      };
    if (x.asPath.length !== y.asPath.length)
      return {
        c: x.asPath.length - y.asPath.length,
        why: `shorter AS path (${Math.min(x.asPath.length, y.asPath.length)} < ${Math.max(x.asPath.length, y.asPath.length)})`,
      };
    const ox = ORIGIN_RANK[x.origin];
    const oy = ORIGIN_RANK[y.origin];
    if (ox !== oy) return { c: ox - oy, why: 'lower origin' };
    if ((x.asPath[0] ?? 0) === (y.asPath[0] ?? 0) && (x.med ?? 0) !== (y.med ?? 0))
      return { c: (x.med ?? 0) - (y.med ?? 0), why: 'lower MED' };
    if (x.ebgp !== y.ebgp) return { c: x.ebgp ? -1 : 1, why: 'eBGP is preferred over iBGP' };
    const mx = x.resolved.kind === 'connected' ? 0 : 1;
    const my = y.resolved.kind === 'connected' ? 0 : 1;
    if (mx !== my) return { c: mx - my, why: 'lower IGP metric to the next hop (directly connected)' };
    // routers (FRR, Cisco): among eBGP paths the oldest one stays (RFC 5004); BIRD does not do this
    if (router && x.ebgp && y.ebgp && x.since !== y.since)
      return { c: x.since - y.since, why: 'older eBGP path (the router keeps the path it learned first)' };
    const idx = ipNum(x.originatorId ?? x.peerRouterId ?? '');
    const idy = ipNum(y.originatorId ?? y.peerRouterId ?? '');
    if (idx !== idy)
      return {
        c: idx - idy,
        why: `lower router id (${idx < idy ? (x.originatorId ?? x.peerRouterId) : (y.originatorId ?? y.peerRouterId)})`,
      };
    if (x.clusterList.length !== y.clusterList.length)
      return { c: x.clusterList.length - y.clusterList.length, why: 'shorter cluster list' };
    const nx = ipNum(x.fromAddr ?? '');
    const ny = ipNum(y.fromAddr ?? '');
    if (nx !== ny)
      return { c: nx - ny, why: `lower neighbor address (${nx < ny ? x.fromAddr : y.fromAddr})` };
    return { c: 0, why: 'equal' };
  }

  function pathFrom(sp: Sp, adj: Adj, prefix: string, at: Attrs, t: number): MPath {
    const peer = byIdx(adj.peer);
    return {
      prefix,
      source: 'bgp',
      from: peer.ref,
      fromAddr: adj.peerAddr,
      session: msess[adj.sess]!.s.id,
      protocol: adj.name,
      nextHop: at.nextHop,
      asPath: at.asPath,
      origin: at.origin,
      localPref: adj.ibgp ? (at.localPref ?? DEFAULT_LOCAL_PREF) : DEFAULT_LOCAL_PREF,
      ...(at.originatorId !== undefined ? { originatorId: at.originatorId } : {}),
      clusterList: at.clusterList,
      ebgp: !adj.ibgp,
      peerRouterId: peer.routerId,
      resolved: resolveFor(sp, at.nextHop),
      since: t,
      fromIdx: adj.peer,
      fromClient: adj.peerIsClient,
    };
  }

  function resolveFor(sp: Sp, nh: string): NextHopResolution {
    const r = resolveNh(sp.ref, nh);
    // BIRD: a next hop that is one of our own addresses is not valid
    return r.kind === 'connected' && nh === sp.routerId ? { kind: 'none' } : r;
  }

  /** Installs a new candidate list for a prefix and tells the peers when the best path changed. */
  function update(sp: Sp, prefix: string, paths: MPath[], t: number): void {
    const e = sp.rib.get(prefix);
    const old = e?.paths[0];
    if (paths.length > 1) paths.sort((x, y) => compare(x, y, sp.kind === 'router').c);
    if (paths.length === 0) sp.rib.delete(prefix);
    else if (e) e.paths = paths;
    else sp.rib.set(prefix, { prefix, paths });
    const best = paths[0];
    if (best === old) return;
    ev(
      t,
      'best-changed',
      sp,
      () =>
        best
          ? `${sp.name}: best path for ${prefix} is now via ${best.nextHop ?? 'local'} from ${best.protocol}${paths.length > 1 ? ` (${compare(best, paths[1]!, sp.kind === 'router').why} than ${paths[1]!.protocol})` : ''}`
          : `${sp.name}: no path left for ${prefix}`,
      { prefix },
    );
    if (best && record) {
      const k = kernelRoute(sp, best);
      if (k)
        ev(
          t,
          'installed',
          sp,
          () => `${sp.name}: kernel route ${kernelText(k)}${k.reason ? ` (${k.reason})` : ''}`,
          { prefix },
        );
    } else if (best) eventCount++;
    else if (old && kernelRoute(sp, old))
      ev(t, 'uninstalled', sp, () => `${sp.name}: kernel route for ${prefix} removed`, { prefix });
    // a non-reflector passes iBGP-learned paths to eBGP peers only: skip the iBGP sessions
    const onlyEbgp =
      !sp.reflector &&
      (!old || (old.source === 'bgp' && !old.ebgp)) &&
      (!best || (best.source === 'bgp' && !best.ebgp));
    for (const adj of onlyEbgp ? sp.ebgpAdj : sp.adj) {
      if (!adj.up) continue;
      const before = old ? exportAttrs(sp, old, adj) : null;
      const after = best ? exportAttrs(sp, best, adj) : null;
      if (after) {
        if (!before || !sameAttrs(before, after)) send(sp, adj, prefix, after, t);
      } else if (before) send(sp, adj, prefix, null, t);
    }
  }

  function receive(m: Msg): void {
    const sp = byIdx(m.to);
    const adj = m.adj;
    if (!adj.up || !sp.running) return;
    const peer = byIdx(adj.peer);
    const e = sp.rib.get(m.prefix);
    const cur = e ? e.paths : [];
    const i = cur.findIndex((p) => p.fromIdx === adj.peer && p.session === msess[adj.sess]!.s.id);
    const sid = msess[adj.sess]!.s.id;
    if (!m.attrs) {
      ev(m.t, 'withdraw-received', sp, () => `${sp.name} ← ${peer.name}: withdraw ${m.prefix}`, {
        peer: peer.ref,
        session: sid,
        prefix: m.prefix,
      });
      if (i < 0) return;
      update(
        sp,
        m.prefix,
        cur.filter((_, k) => k !== i),
        m.t,
      );
      return;
    }
    const at = m.attrs;
    ev(
      m.t,
      'update-received',
      sp,
      () => `${sp.name} ← ${peer.name}: UPDATE ${m.prefix} next hop ${at.nextHop}${attrsText(at)}`,
      () => ({
        peer: peer.ref,
        session: sid,
        prefix: m.prefix,
        attrs: eventAttrs(at),
      }),
    );
    const loop = loopReason(sp, adj, at);
    if (loop) {
      ev(m.t, 'rejected', sp, () => `${sp.name}: ${m.prefix} from ${peer.name} is ignored: ${loop}`, {
        peer: peer.ref,
        session: sid,
        prefix: m.prefix,
      });
      if (i >= 0)
        update(
          sp,
          m.prefix,
          cur.filter((_, k) => k !== i),
          m.t,
        );
      return;
    }
    const p = pathFrom(sp, adj, m.prefix, at, m.t);
    const next = i >= 0 ? cur.map((x, k) => (k === i ? p : x)) : [...cur, p];
    update(sp, m.prefix, next, m.t);
  }

  function loopReason(sp: Sp, adj: Adj, at: Attrs): string | undefined {
    if (!adj.ibgp && at.asPath.includes(sp.as))
      return `AS path ${at.asPath.join(' ')} contains our AS ${sp.as} (loop)`;
    if (adj.ibgp && at.originatorId === sp.routerId)
      return `ORIGINATOR_ID ${at.originatorId} is our own router id (loop)`;
    if (adj.ibgp && sp.clusterId !== undefined && at.clusterList.includes(sp.clusterId))
      return `CLUSTER_LIST ${at.clusterList.join(' ')} contains our cluster id ${sp.clusterId} (loop)`;
    return undefined;
  }

  function drain(): void {
    while (head < queue.length) {
      const m = queue[head++]!;
      receive(m);
      if (head > 65536) {
        queue.splice(0, head);
        head = 0;
      }
    }
  }

  drain();
  let tEnd = queue.length ? queue[queue.length - 1]!.t : T0 + 1;
  for (const e of events) tEnd = Math.max(tEnd, e.t);

  // --- speakers stopped after convergence (route-reflector-down) ------------------------------
  if (stopAfter.size) {
    const tStop = tEnd + 10_000;
    for (const idx of stopAfter) {
      const sp = byIdx(idx);
      sp.running = false;
      sp.reason = `route-reflector-down: BIRD on ${sp.name} is stopped`;
      ev(
        tStop,
        'session-failed',
        sp,
        () =>
          `${sp.name}: BIRD stops (route-reflector-down); it sends NOTIFICATION Cease to its peers and stops listening on port 179`,
        {},
      );
      for (const adj of sp.adj) {
        adj.up = false;
        const r = adj.rev!;
        r.up = false;
        const m = msess[adj.sess]!;
        const peer = byIdx(adj.peer);
        const peerIsA = m.s.a === peer.ref;
        const view = refusedView(m.s.passive === peer.ref);
        m.state = m.s.passive === peer.ref ? 'Idle' : 'Active';
        m.since = tStop;
        m.reason = `${sp.name}'s BIRD is stopped (route-reflector-down): connections to ${peerIsA ? m.s.bAddr : m.s.aAddr}:179 are refused`;
        const downView: ProtocolView = { state: 'down', info: '' };
        m.aView = peerIsA ? view : downView;
        m.bView = peerIsA ? downView : view;
        ev(
          tStop,
          'session-failed',
          peer,
          () =>
            `${peer.name} ← ${sp.name}: NOTIFICATION Cease (administrative shutdown); session ${r.name} goes down`,
          {
            peer: sp.ref,
            session: m.s.id,
          },
        );
      }
      // graceful restart: the peers keep the routes as stale for the restart time, then flush them
      const tFlush = tStop + RESTART_TIME_MS;
      for (const adj of sp.adj) {
        const peer = byIdx(adj.peer);
        const flushed: string[] = [];
        for (const e of [...peer.rib.values()]) {
          const keep = e.paths.filter((p) => p.fromIdx !== idx);
          if (keep.length !== e.paths.length) flushed.push(e.prefix);
        }
        for (const prefix of flushed) {
          ev(
            tFlush,
            'withdraw-received',
            peer,
            () =>
              `${peer.name}: graceful restart time (120 s) for ${sp.name} expired; stale route ${prefix} flushed`,
            {
              peer: sp.ref,
              prefix,
            },
          );
          const e = peer.rib.get(prefix);
          if (e)
            update(
              peer,
              prefix,
              e.paths.filter((p) => p.fromIdx !== idx),
              tFlush,
            );
        }
      }
      sp.adj.length = 0;
      drain();
    }
  }

  // --- results ------------------------------------------------------------------------------
  // the event list in time order (stable: the processing order within one millisecond)
  if (record) {
    events.sort((x, y) => x.t - y.t || x.seq - y.seq);
    events.forEach((e, i) => ((e as { seq: number }).seq = i));
  }
  const sessions: BgpSession[] = msess.map((m) => ({
    ...m.s,
    state: m.state,
    aView: m.aView,
    bView: m.bView,
    reason: m.reason,
    since: m.since,
  }));
  const rib = new Map<string, ReadonlyMap<string, RibEntry>>();
  const installed = new Map<string, readonly InstalledRoute[]>();
  for (const sp of sps) {
    for (const e of sp.rib.values())
      if (e.paths.length > 1) e.why = compare(e.paths[0]!, e.paths[1]!, sp.kind === 'router').why;
    rib.set(sp.ref, sp.rib);
    const routes: InstalledRoute[] = [];
    const stopped = stopAfter.has(sp.idx);
    for (const e of sp.rib.values()) {
      const best = e.paths[0];
      if (!best) continue;
      const k = kernelRoute(sp, best);
      if (k)
        routes.push(
          stopped
            ? {
                ...k,
                reason: `${k.reason ? k.reason + '; ' : ''}stale: BIRD is stopped and its kernel protocol (persist) left the route`,
              }
            : k,
        );
    }
    routes.sort((x, y) => prefixOrder(x.prefix, y.prefix));
    installed.set(sp.ref, routes);
  }
  const speakers: BgpSpeaker[] = sps.map((sp) => ({
    ref: sp.ref,
    kind: sp.kind,
    name: sp.name,
    routerId: sp.routerId,
    asNumber: sp.as,
    reflector: sp.reflector,
    ...(sp.clusterId !== undefined ? { clusterId: sp.clusterId } : {}),
    running: sp.running,
    ...(sp.reason !== undefined ? { reason: sp.reason } : {}),
  }));
  return {
    asNumber,
    speakers,
    sessions,
    events,
    counts: { events: eventCount, updates, sessions: sessions.length },
    rib,
    installed,
    warnings,
  };

  /** What BIRD's kernel protocol writes for the best path (export filter calico_kernel_programming). */
  function kernelRoute(sp: Sp, best: MPath): InstalledRoute | undefined {
    if (best.source === 'kernel') return undefined; // learned from the kernel: already there
    if (best.source === 'static') return { prefix: best.prefix, via: '', type: 'blackhole' };
    const base = {
      prefix: best.prefix,
      ...(best.nextHop !== undefined ? { nextHop: best.nextHop } : {}),
      ...(best.from ? { from: best.from } : {}),
    };
    const r = best.resolved;
    if (r.kind === 'connected') return { ...base, via: best.nextHop ?? '', dev: r.dev, type: 'unicast' };
    if (r.kind === 'gateway')
      return {
        ...base,
        via: r.gateway,
        dev: r.dev,
        type: 'unicast',
        reason: `next hop ${best.nextHop ?? ''} is not directly connected: BIRD (gateway recursive) resolves it through ${r.gateway}`,
      };
    return {
      ...base,
      via: '',
      type: 'unreachable',
      reason: `next hop ${best.nextHop ?? ''} cannot be resolved: ${sp.name} has no route to it`,
    };
  }
}

function refusedView(passive: boolean): ProtocolView {
  return passive ? PASSIVE : { state: 'start', info: pad('Active') + 'Socket: Connection refused' };
}

/** BIRD pads the state in the info column to 14 characters (`%-14s`). */
function pad(s: string): string {
  return s.padEnd(14, ' ');
}

const ORIGIN_RANK = { igp: 0, egp: 1, incomplete: 2 } as const;

function ipNum(ip: string): number {
  return parseIpv4(ip) ?? 0;
}

const cidrCache = new Map<string, Cidr | null>();
function cidrOf(prefix: string): Cidr | undefined {
  let c = cidrCache.get(prefix);
  if (c === undefined) {
    const p = parseCidr(prefix);
    c = p.ok ? p.cidr : null;
    if (cidrCache.size > 100_000) cidrCache.clear();
    cidrCache.set(prefix, c);
  }
  return c ?? undefined;
}

function prefixOrder(a: string, b: string): number {
  const [pa, la] = a.split('/');
  const [pb, lb] = b.split('/');
  return ipNum(pa ?? '') - ipNum(pb ?? '') || Number(lb) - Number(la);
}

function sameAttrs(x: Attrs, y: Attrs): boolean {
  return (
    x.nextHop === y.nextHop &&
    x.origin === y.origin &&
    x.localPref === y.localPref &&
    x.originatorId === y.originatorId &&
    arrEq(x.asPath, y.asPath) &&
    arrEq(x.clusterList, y.clusterList)
  );
}

function arrEq<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function attrsText(a: Attrs): string {
  const parts: string[] = [];
  parts.push(`AS path ${a.asPath.length ? a.asPath.join(' ') : '(empty)'}`);
  if (a.localPref !== undefined) parts.push(`local pref ${a.localPref}`);
  if (a.originatorId !== undefined) parts.push(`originator ${a.originatorId}`);
  if (a.clusterList.length) parts.push(`cluster list ${a.clusterList.join(' ')}`);
  return `, ${parts.join(', ')}`;
}

function eventAttrs(a: Attrs): NonNullable<BgpEvent['attrs']> {
  return {
    nextHop: a.nextHop,
    asPath: a.asPath,
    ...(a.localPref !== undefined ? { localPref: a.localPref } : {}),
    ...(a.originatorId !== undefined ? { originatorId: a.originatorId } : {}),
    ...(a.clusterList.length ? { clusterList: a.clusterList } : {}),
  };
}

function kernelText(k: InstalledRoute): string {
  if (k.type === 'blackhole') return `blackhole ${k.prefix} proto bird`;
  if (k.type === 'unreachable') return `unreachable ${k.prefix} proto bird`;
  return `${k.prefix} via ${k.via}${k.dev ? ` dev ${k.dev}` : ''} proto bird`;
}

function roleText(r: SessionRole): string {
  return r === 'mesh'
    ? 'node-to-node mesh'
    : r === 'rr-client'
      ? 'route reflector and client'
      : r === 'rr-mesh'
        ? 'between route reflectors'
        : r === 'global'
          ? 'global peer'
          : 'node-specific peer';
}

function empty(asNumber: number, warnings: string[]): BgpState {
  return {
    asNumber,
    speakers: [],
    sessions: [],
    events: [],
    counts: { events: 0, updates: 0, sessions: 0 },
    rib: new Map(),
    installed: new Map(),
    warnings,
  };
}
