/**
 * The BGP control plane as a protocol model. Speakers are BIRD on each Calico node (configured as
 * calico-node's confd templates configure it: `router id` = node IP, one `protocol bgp` per peer
 * from `bgp_template`, `multihop`, `gateway recursive`, export filter `calico_export_to_bgp_peers`)
 * and the lab's routers that speak BGP. Sessions come up or fail on the underlay; then UPDATE
 * messages go through a FIFO queue, each receiver applying loop checks, best-path selection and
 * its export rules (iBGP split horizon, route reflection with ORIGINATOR_ID / CLUSTER_LIST, eBGP
 * AS_PATH prepend and next-hop-self). The order in which the queue is processed is the event list.
 *
 * Deterministic: speakers in lab order (nodes, then routers), sessions in construction order,
 * messages first in first out.
 *
 * Large labs: the model is the same message passing, made cheap where the result is provably the
 * same — one UPDATE sent to many peers with the same attributes is one queue entry delivered to
 * each in order (what the per-peer queue would do), and receivers that would build identical
 * paths share one path object (same sender, attributes, next-hop resolution and arrival time).
 */
import { cidrCovers, formatIpv4, parseCidr, parseIpv4, type Cidr } from '../../dataplane/addr/ipv4';
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
  Rib,
  RibEntry,
  SessionRole,
  SessionState,
} from './types';
import { labUnderlay } from './underlay';

/** calico-node's BIRD template: `connect delay time`. */
const CONNECT_DELAY_MS = 1000;
/** Graceful restart time Calico configures for mesh peers (`graceful restart time 120`). */
const RESTART_TIME_MS = 120_000;
/** One UPDATE's transit and processing time, for the event clock. */
const HOP_MS = 1;
const DEFAULT_LOCAL_PREF = 100;
const DEFAULT_AS = 64512;
const EVENTS_AUTO_LIMIT = 300;

const UP: ProtocolView = { state: 'up', info: 'Established   ' };
/** BIRD prints the state as `%-14s` before the error text: `Passive       `, `Connect       `. */
const PASSIVE: ProtocolView = { state: 'start', info: 'Passive       ' };
const DOWN: ProtocolView = { state: 'down', info: '' };
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
  /** Candidates per prefix id (best first); undefined where the speaker has no path. */
  rib: (MPath[] | undefined)[];
}

interface Adj {
  readonly peer: number;
  readonly sess: Session;
  /** Which side of the session this speaker is. */
  readonly side: 'a' | 'b';
  readonly myAddr: string;
  readonly peerAddr: string;
  readonly ibgp: boolean;
  /** This speaker reflects for the peer (the peer is its route reflector client). */
  readonly peerIsClient: boolean;
  rev?: Adj;
  up: boolean;
}

interface MPath extends BgpPath {
  /** Speaker index it came from (-1 for local). */
  readonly fromIdx: number;
  /** The source peer is this speaker's reflector client. */
  readonly fromClient: boolean;
  /** Router id used in the tie-break (ORIGINATOR_ID or the peer's), and the neighbor address, as numbers. */
  readonly rid: number;
  readonly nbr: number;
  kernel?: InstalledRoute | null;
}

interface Attrs {
  readonly nextHop: string;
  readonly asPath: readonly number[];
  readonly origin: 'igp' | 'egp' | 'incomplete';
  readonly localPref?: number;
  readonly originatorId?: string;
  readonly clusterList: readonly string[];
}

/** One UPDATE (or withdrawal) from a speaker to one or more of its sessions, in order. */
interface Batch {
  readonly from: Sp;
  readonly adjs: Adj[];
  readonly pid: number;
  readonly attrs: Attrs | null;
  readonly t: number;
}

type Extra = Partial<Pick<BgpEvent, 'peer' | 'session' | 'prefix' | 'attrs'>>;

const protoName = (prefix: string, ip: string): string => `${prefix}_${ip.replace(/\./g, '_')}`;
const symbol = (name: string): string => name.replace(/[^A-Za-z0-9_]/g, '_');

/** A session; names and ids are derived on demand (a 1,000-node mesh has 499,500 of them). */
class Session implements BgpSession {
  state: SessionState = 'Idle';
  aView: ProtocolView = PASSIVE;
  bView: ProtocolView = PASSIVE;
  reason = '';
  since = 0;
  readonly reflector?: string;
  readonly passive?: string;
  constructor(
    readonly aSp: Sp,
    readonly bSp: Sp,
    readonly aAddr: string,
    readonly bAddr: string,
    readonly role: SessionRole,
    /** Protocol name prefix on each side (`Mesh`, `Node`, `Global`), or null for a router's side. */
    private readonly aPrefix: string | null,
    private readonly bPrefix: string | null,
    extra: { reflector?: string; passive?: string },
  ) {
    if (extra.reflector !== undefined) this.reflector = extra.reflector;
    if (extra.passive !== undefined) this.passive = extra.passive;
  }
  get id(): string {
    return `${this.aSp.ref}~${this.bSp.ref}`;
  }
  get a(): string {
    return this.aSp.ref;
  }
  get b(): string {
    return this.bSp.ref;
  }
  get kind(): 'ibgp' | 'ebgp' {
    return this.aSp.as === this.bSp.as ? 'ibgp' : 'ebgp';
  }
  get aName(): string {
    return this.aPrefix === null ? symbol(this.bSp.name) : protoName(this.aPrefix, this.bAddr);
  }
  get bName(): string {
    return this.bPrefix === null ? symbol(this.aSp.name) : protoName(this.bPrefix, this.aAddr);
  }
  toJSON(): BgpSession {
    return {
      id: this.id,
      a: this.a,
      b: this.b,
      aAddr: this.aAddr,
      bAddr: this.bAddr,
      aName: this.aName,
      bName: this.bName,
      kind: this.kind,
      role: this.role,
      ...(this.reflector !== undefined ? { reflector: this.reflector } : {}),
      ...(this.passive !== undefined ? { passive: this.passive } : {}),
      state: this.state,
      aView: this.aView,
      bView: this.bView,
      reason: this.reason,
      since: this.since,
    };
  }
}

/** Builds the speakers and sessions of a lab, brings the sessions up, and propagates routes. */
export function computeBgp(input: BgpInput): BgpState {
  const lab = input.lab;
  const cfg = lab.cluster.cni.bgp;
  const asNumber = cfg.asNumber || DEFAULT_AS;
  const warnings: string[] = [];
  const under = input.resolve ? undefined : labUnderlay(lab);
  const resolveNh = input.resolve ?? ((ref: string, ip: string) => under!.resolve(ref, ip));
  const poolCidr = cidrOf(lab.cluster.podCIDR);

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
      'cluster.cni.bgp.routeReflectors is ignored: topology is full-mesh (the node-to-node mesh is enabled)',
    );
  const faults = lab.faults as readonly Record<string, unknown>[];
  const sps: Sp[] = [];
  const byRef = new Map<string, Sp>();
  const add = (sp: Omit<Sp, 'idx' | 'adj' | 'ebgpAdj' | 'rib'>): Sp => {
    const full: Sp = { ...sp, idx: sps.length, adj: [], ebgpAdj: [], rib: [] };
    sps.push(full);
    byRef.set(full.ref, full);
    return full;
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
    if (!r.bgp)
      warnings.push(
        `router ${r.name} is named in cluster.cni.bgp but has no "bgp": it does not speak BGP, so sessions to it are refused`,
      );
    // BIRD's (and most routers') default router id: the lowest IPv4 address of an interface
    const ips = r.interfaces
      .map((f) => parseIpv4(f.ip))
      .filter((a): a is NonNullable<typeof a> => a !== undefined);
    const rid = ips.length ? formatIpv4(Math.min(...ips)) : '0.0.0.0';
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
  const sessions: Session[] = [];
  const pairSeen = new Set<number>();
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
  const addSession = (
    a: Sp,
    b: Sp,
    aAddr: string,
    bAddr: string,
    role: SessionRole,
    aPrefix: string | null,
    bPrefix: string | null,
    extra: { reflector?: string; passive?: string },
  ): void => {
    const key = Math.min(a.idx, b.idx) * sps.length + Math.max(a.idx, b.idx);
    if (pairSeen.has(key)) return;
    pairSeen.add(key);
    sessions.push(new Session(a, b, aAddr, bAddr, role, aPrefix, bPrefix, extra));
  };
  /** Calico nodes peering with each other: the side whose peer's address sorts greater is passive. */
  const calicoPair = (a: Sp, b: Sp, role: SessionRole, prefix: 'Mesh' | 'Node', reflector?: Sp): void => {
    const ai = a.routerId;
    const bi = b.routerId;
    addSession(a, b, ai, bi, role, prefix, prefix, {
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
    // BGPPeer {nodeSelector: all(), peerSelector: route-reflector == 'true'}: reflectors peer too
    for (let i = 0; i < rrNodes.length; i++)
      for (let j = i + 1; j < rrNodes.length; j++) calicoPair(rrNodes[i]!, rrNodes[j]!, 'rr-mesh', 'Node');
    for (const c of nodeSps) {
      if (c.reflector) continue;
      for (const r of rrNodes) calicoPair(r, c, 'rr-client', 'Node', r);
    }
    // a router acting as reflector is a global BGPPeer of every node
    for (const r of rrs.filter((s) => s.kind === 'router'))
      for (const c of nodeSps)
        addSession(c, r, c.routerId, addrOfRouterFor(r.name, c.name), 'rr-client', 'Global', null, {
          reflector: r.ref,
        });
  }
  for (const p of cfg.peers) {
    const r = byRef.get(`router/${p.router}`);
    if (!r) {
      warnings.push(`cluster.cni.bgp.peers names router ${p.router}, which is not a router of this lab`);
      continue;
    }
    const global = p.nodes.length === 0;
    for (const nn of global ? lab.nodes.map((n) => n.name) : p.nodes) {
      const c = byRef.get(`node/${nn}`);
      if (!c) {
        warnings.push(
          `cluster.cni.bgp.peers (router ${p.router}) names node ${nn}, which is not a node of this lab`,
        );
        continue;
      }
      addSession(
        c,
        r,
        c.routerId,
        addrOfRouterFor(r.name, c.name),
        global ? 'global' : 'node-specific',
        global ? 'Global' : 'Node',
        null,
        {},
      );
    }
  }

  // --- the event log ------------------------------------------------------------------------
  const record = input.recordEvents ?? sps.length <= EVENTS_AUTO_LIMIT;
  const events: BgpEvent[] = [];
  let eventCount = 0;
  let updates = 0;
  const ev = (t: number, type: BgpEventType, at: Sp, detail: string, extra: Extra = {}): void => {
    eventCount++;
    if (record) events.push({ seq: events.length, t, type, at: at.ref, ...extra, detail });
  };

  // --- origination: each node's blocks (protocol static), borrowed /32s (protocol kernel) -----
  const ownBlocks: Cidr[][] = sps.map(() => []);
  /** Every prefix anyone originates, by id (routes are only ever learned for these). */
  const prefixes: string[] = [];
  const pidOf = new Map<string, number>();
  const pcidr: Cidr[] = [];
  const local = (prefix: string, source: 'static' | 'kernel'): MPath =>
    mkPath(
      prefix,
      source,
      undefined,
      undefined,
      source === 'static' ? 'static1' : 'kernel1',
      undefined,
      EMPTY,
      'igp',
      DEFAULT_LOCAL_PREF,
      undefined,
      EMPTY,
      false,
      undefined,
      { kind: 'connected', dev: source === 'static' ? 'blackhole' : 'cali' },
      0,
      -1,
      false,
      0,
      0,
    );
  const setLocal = (sp: Sp, prefix: string, source: 'static' | 'kernel'): boolean => {
    const c = cidrOf(prefix);
    if (!c) {
      warnings.push(`${sp.name}: ${prefix} is not a CIDR; not announced`);
      return false;
    }
    let pid = pidOf.get(prefix);
    if (pid === undefined) {
      pid = prefixes.length;
      pidOf.set(prefix, pid);
      prefixes.push(prefix);
      pcidr.push(c);
    }
    sp.rib[pid] = [local(prefix, source)];
    if (source === 'static') ownBlocks[sp.idx]!.push(c);
    return true;
  };
  for (const b of input.blocks) {
    const sp = byRef.get(`node/${b.node}`);
    if (!sp || !setLocal(sp, b.cidr, 'static')) continue;
    ev(0, 'originate', sp, `${sp.name}: BIRD's protocol static announces its block ${b.cidr} (blackhole)`, {
      prefix: b.cidr,
    });
  }
  for (const br of input.borrowed ?? []) {
    const sp = byRef.get(`node/${br.node}`);
    const prefix = `${br.ip}/32`;
    if (!sp || !setLocal(sp, prefix, 'kernel')) continue;
    ev(
      0,
      'originate',
      sp,
      `${sp.name}: the borrowed pod address ${br.ip} is learned from the kernel (/32 route to its cali interface) and announced`,
      { prefix },
    );
  }

  // one dense slot per prefix on every speaker (a holey array would fall back to a dictionary)
  for (const sp of sps) {
    const dense = new Array<MPath[] | undefined>(prefixes.length).fill(undefined);
    sp.rib.forEach((paths, pid) => (dense[pid] = paths));
    sp.rib = dense;
  }

  // --- faults -------------------------------------------------------------------------------
  const stopAfter: number[] = [];
  for (const f of faults.filter((x) => x['type'] === 'route-reflector-down')) {
    const name =
      typeof f['node'] === 'string' ? f['node'] : typeof f['router'] === 'string' ? f['router'] : '';
    const sp = byRef.get(`node/${name}`) ?? byRef.get(`router/${name}`);
    if (!sp) {
      warnings.push(`route-reflector-down names ${name}, which is not a BGP speaker of this lab`);
      continue;
    }
    if (!sp.reflector)
      warnings.push(
        `route-reflector-down: ${name} is not a route reflector; its BGP daemon is stopped all the same`,
      );
    if (!stopAfter.includes(sp.idx)) stopAfter.push(sp.idx);
  }
  /** session → the speaker on which it is disabled (bgp-session-down) */
  const cut = new Map<Session, Sp>();
  const find = (n: string): Sp | undefined =>
    byRef.get(n) ?? byRef.get(`node/${n}`) ?? byRef.get(`router/${n}`);
  for (const f of faults.filter((x) => x['type'] === 'bgp-session-down')) {
    const between = Array.isArray(f['between']) ? (f['between'] as unknown[]).map((x) => String(x)) : [];
    const x = find(between[0] ?? '');
    const y = find(between[1] ?? '');
    if (!x || !y) {
      warnings.push(
        `bgp-session-down between ${between.join(', ')}: ${!x ? between[0] : between[1]} is not a BGP speaker of this lab`,
      );
      continue;
    }
    const s = sessions.find((m) => (m.aSp === x && m.bSp === y) || (m.aSp === y && m.bSp === x));
    if (!s) warnings.push(`bgp-session-down between ${x.name} and ${y.name}: these speakers have no session`);
    else cut.set(s, x);
  }

  // --- sessions come up -----------------------------------------------------------------------
  const T0 = CONNECT_DELAY_MS;
  const queue: Batch[] = [];
  let head = 0;
  const sid = (s: Session): Extra => ({ session: s.id });
  for (const m of sessions) {
    const a = m.aSp;
    const b = m.bSp;
    const failed = (state: SessionState, reason: string, aView: ProtocolView, bView: ProtocolView): void => {
      m.state = state;
      m.reason = reason;
      m.aView = aView;
      m.bView = bView;
      m.since = T0;
      if (record)
        ev(T0, 'session-failed', a, `${a.name} ↔ ${b.name} (${m.aName}): ${state} — ${reason}`, {
          peer: b.ref,
          ...sid(m),
        });
      else eventCount++;
    };
    const disabledBy = cut.get(m);
    if (disabledBy) {
      const other = disabledBy === a ? b : a;
      const disName = disabledBy === a ? m.aName : m.bName;
      const otherName = other === a ? m.aName : m.bName;
      const otherView: ProtocolView =
        m.passive === other.ref
          ? PASSIVE
          : { state: 'start', info: pad('Active') + 'Socket: Connection closed' };
      failed(
        m.passive === other.ref ? 'Idle' : 'Active',
        `bgp-session-down: protocol ${disName} is disabled on ${disabledBy.name} (birdc disable ${disName}); ${other.name}'s ${otherName} never gets an OPEN`,
        disabledBy === a ? DOWN : otherView,
        disabledBy === a ? otherView : DOWN,
      );
      continue;
    }
    const noDaemon = [a, b].find((x) => !x.running);
    if (noDaemon) {
      const other = noDaemon === a ? b : a;
      const view = refusedView(m.passive === other.ref);
      failed(
        m.passive === other.ref ? 'Idle' : 'Active',
        noDaemon.reason ?? `${noDaemon.name} does not run BGP`,
        other === a ? view : DOWN,
        other === b ? view : DOWN,
      );
      continue;
    }
    // who connects: both sides unless one is passive
    let okFrom: Sp | undefined;
    let firstFail:
      { x: Sp; r: { reason: string; failure?: 'timeout' | 'refused' | 'unreachable' } } | undefined;
    for (const x of [a, b]) {
      if (m.passive === x.ref) continue;
      const r = input.reach(x.ref, x === a ? m.bAddr : m.aAddr);
      if (r.ok) {
        okFrom = x;
        break;
      }
      firstFail ??= { x, r };
    }
    if (!okFrom) {
      const { x, r } = firstFail!;
      const failure = r.failure ?? 'timeout';
      const initView: ProtocolView =
        failure === 'timeout'
          ? { state: 'start', info: pad('Connect') }
          : {
              state: 'start',
              info:
                pad('Active') +
                (failure === 'refused' ? 'Socket: Connection refused' : 'Socket: No route to host'),
            };
      const other = x === a ? b : a;
      const otherView = m.passive === other.ref ? PASSIVE : initView;
      failed(
        failure === 'timeout' ? 'Connect' : 'Active',
        `TCP ${x.name} → ${x === a ? m.bAddr : m.aAddr}:179 fails: ${r.reason}`,
        x === a ? initView : otherView,
        x === a ? otherView : initView,
      );
      continue;
    }
    // a node peer configured with another AS than the router has
    const peerCfg = b.kind === 'router' ? cfg.peers.find((p) => p.router === b.name) : undefined;
    if (peerCfg && peerCfg.asNumber !== b.as) {
      failed(
        'Active',
        `${a.name} expects AS ${peerCfg.asNumber} (cluster.cni.bgp.peers) but ${b.name}'s OPEN says AS ${b.as}: ${a.name} sends NOTIFICATION "Bad peer AS"`,
        { state: 'start', info: pad('Active') + 'BGP Error: Bad peer AS' },
        { state: 'start', info: pad('Active') + 'Received: Bad peer AS' },
      );
      continue;
    }
    const initiator = okFrom;
    const responder = initiator === a ? b : a;
    const ibgp = a.as === b.as;
    if (record) {
      const x = { peer: responder.ref, ...sid(m) };
      ev(T0, 'connect', initiator, `${initiator.name} opens TCP to ${responder.name} port 179 (${m.id})`, x);
      ev(
        T0,
        'open',
        initiator,
        `${initiator.name} → ${responder.name}: OPEN (AS ${initiator.as}, router id ${initiator.routerId}, hold time 240)`,
        x,
      );
      ev(
        T0,
        'open',
        responder,
        `${responder.name} → ${initiator.name}: OPEN (AS ${responder.as}, router id ${responder.routerId}, hold time 240)`,
        { peer: initiator.ref, ...sid(m) },
      );
      ev(T0 + 1, 'keepalive', initiator, `${initiator.name} ↔ ${responder.name}: KEEPALIVE both ways`, x);
      ev(
        T0 + 1,
        'established',
        a,
        `${a.name} ↔ ${b.name}: Established (${ibgp ? 'iBGP' : 'eBGP'}, ${roleText(m.role)})`,
        { peer: b.ref, ...sid(m) },
      );
    } else eventCount += 5;
    m.state = 'Established';
    m.aView = UP;
    m.bView = UP;
    m.since = T0 + 1;
    m.reason = `${ibgp ? 'iBGP' : 'eBGP'} session established (${initiator.name} connected)`;
    const crossCluster = m.role === 'rr-mesh' && a.clusterId !== b.clusterId;
    const aAdj: Adj = {
      rev: undefined,
      peer: b.idx,
      sess: m,
      side: 'a',
      myAddr: m.aAddr,
      peerAddr: m.bAddr,
      ibgp,
      peerIsClient: ibgp && (m.reflector === a.ref || crossCluster),
      up: true,
    };
    const bAdj: Adj = {
      rev: undefined,
      peer: a.idx,
      sess: m,
      side: 'b',
      myAddr: m.bAddr,
      peerAddr: m.aAddr,
      ibgp,
      peerIsClient: ibgp && (m.reflector === b.ref || crossCluster),
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
    // the initial table dump over the new session (in bulk below when no event list is kept)
    if (!record) continue;
    for (const [x, xa] of [
      [a, aAdj],
      [b, bAdj],
    ] as const) {
      x.rib.forEach((paths, pid) => {
        const best = paths?.[0];
        const at = best ? exportAttrs(x, best, xa) : null;
        if (at) send(x, [xa], pid, at, T0 + 1);
      });
      ev(T0 + 1, 'end-of-rib', x, `${x.name} → ${sps[xa.peer]!.name}: End-of-RIB (initial table sent)`, {
        peer: sps[xa.peer]!.ref,
        ...sid(m),
      });
    }
  }
  if (!record)
    for (const sp of sps) {
      sp.rib.forEach((paths, pid) => {
        if (paths?.length) exportTo(sp, pid, undefined, paths[0], sp.adj, T0 + 1);
      });
      eventCount += sp.adj.length; // End-of-RIB
    }

  // --- export rules -------------------------------------------------------------------------
  function exportAttrs(sp: Sp, best: MPath, adj: Adj): Attrs | null {
    if (best.fromIdx === adj.peer) return null; // never back to the protocol it came from
    let reflect = false;
    if (best.source === 'bgp' && !best.ebgp && adj.ibgp) {
      // iBGP split horizon: only a reflector passes iBGP routes on, to or from its clients
      if (!best.fromClient && !adj.peerIsClient) return null;
      reflect = true;
    }
    if (sp.kind === 'node' && best.source !== 'static' && !calicoExports(sp, best.prefix)) return null;
    if (!adj.ibgp)
      return mkAttrs(adj.myAddr, [sp.as, ...best.asPath], best.origin, undefined, undefined, EMPTY);
    if (reflect)
      return mkAttrs(
        best.nextHop ?? adj.myAddr,
        best.asPath,
        best.origin,
        best.localPref,
        best.originatorId ?? best.peerRouterId ?? '',
        [sp.clusterId ?? sp.routerId, ...best.clusterList],
      );
    return mkAttrs(
      best.nextHop ?? adj.myAddr,
      best.asPath,
      best.origin,
      best.localPref,
      best.originatorId,
      best.source === 'bgp' && !best.ebgp ? best.clusterList : EMPTY,
    );
  }

  /** calico_export_to_bgp_peers: calico_aggr() rejects what lies beneath our blocks; then "net ~ pool". */
  function calicoExports(sp: Sp, prefix: string): boolean {
    const c = cidrOf(prefix);
    if (!c || !poolCidr || !cidrCovers(poolCidr, c)) return false;
    for (const b of ownBlocks[sp.idx] ?? EMPTY) if (b.len < c.len && cidrCovers(b, c)) return false;
    return true;
  }

  function send(from: Sp, adjs: Adj[], pid: number, attrs: Attrs | null, t: number): void {
    updates += adjs.length;
    queue.push({ from, adjs, pid, attrs, t: t + HOP_MS });
    const prefix = prefixes[pid]!;
    if (!record) {
      eventCount += adjs.length;
      return;
    }
    for (const adj of adjs) {
      const to = sps[adj.peer]!;
      if (attrs)
        ev(
          t,
          'update-sent',
          from,
          `${from.name} → ${to.name}: UPDATE ${prefix} next hop ${attrs.nextHop}${attrsText(attrs)}`,
          {
            peer: to.ref,
            ...sid(adj.sess),
            prefix,
            attrs: eventAttrs(attrs),
          },
        );
      else
        ev(t, 'withdraw-sent', from, `${from.name} → ${to.name}: UPDATE withdraws ${prefix}`, {
          peer: to.ref,
          ...sid(adj.sess),
          prefix,
        });
    }
  }

  // --- best path ----------------------------------------------------------------------------
  /**
   * BIRD's route comparison (preference, then bgp_rte_better): negative when x is better. The
   * absolute value is the step that decided (see WHY), so the explanation costs nothing here.
   */
  function compare(x: MPath, y: MPath, router: boolean): number {
    const d = (cond: number, step: number): number => (cond < 0 ? -step : step);
    const px = PREF[x.source];
    const py = PREF[y.source];
    if (px !== py) return d(py - px, 1);
    if (x.source !== 'bgp') return 0;
    const rx = x.resolved.kind !== 'none';
    const ry = y.resolved.kind !== 'none';
    if (rx !== ry) return d(rx ? -1 : 1, 2);
    if (x.localPref !== y.localPref) return d(y.localPref - x.localPref, 3);
    if (x.asPath.length !== y.asPath.length) return d(x.asPath.length - y.asPath.length, 4);
    const ox = ORIGIN_RANK[x.origin];
    const oy = ORIGIN_RANK[y.origin];
    if (ox !== oy) return d(ox - oy, 5);
    if ((x.asPath[0] ?? 0) === (y.asPath[0] ?? 0) && (x.med ?? 0) !== (y.med ?? 0))
      return d((x.med ?? 0) - (y.med ?? 0), 6);
    if (x.ebgp !== y.ebgp) return d(x.ebgp ? -1 : 1, 7);
    const mx = x.resolved.kind === 'connected' ? 0 : 1;
    const my = y.resolved.kind === 'connected' ? 0 : 1;
    if (mx !== my) return d(mx - my, 8);
    // routers (FRR, Cisco): among eBGP paths the oldest one stays (RFC 5004); BIRD does not do this
    if (router && x.ebgp && y.ebgp && x.since !== y.since) return d(x.since - y.since, 9);
    if (x.rid !== y.rid) return d(x.rid - y.rid, 10);
    if (x.clusterList.length !== y.clusterList.length)
      return d(x.clusterList.length - y.clusterList.length, 11);
    if (x.nbr !== y.nbr) return d(x.nbr - y.nbr, 12);
    return 0;
  }

  /** Why `best` beat `other`, in words. */
  function why(best: MPath, other: MPath, router: boolean): string {
    switch (Math.abs(compare(best, other, router))) {
      case 1:
        return `higher preference (${PREF[best.source]}: ${best.protocol})`;
      case 2:
        return 'its next hop is resolvable';
      case 3:
        return `higher local preference (${best.localPref})`;
      case 4:
        return `shorter AS path (${best.asPath.length} < ${other.asPath.length})`;
      case 5:
        return 'lower origin';
      case 6:
        return 'lower MED';
      case 7:
        return 'eBGP is preferred over iBGP';
      case 8:
        return 'lower IGP metric to the next hop (directly connected)';
      case 9:
        return 'older eBGP path (the router keeps the path it learned first)';
      case 10:
        return `lower router id (${formatIpv4(best.rid)})`;
      case 11:
        return 'shorter cluster list';
      case 12:
        return `lower neighbor address (${formatIpv4(best.nbr)})`;
      default:
        return 'equal';
    }
  }

  /**
   * The path a receiver builds from an UPDATE. Receivers of one queue entry that would build the
   * same path (same resolution of the next hop, same kind of session) share one object.
   */
  function pathFrom(
    sp: Sp,
    adj: Adj,
    b: Batch,
    at: Attrs,
    shared: Map<NextHopResolution, Map<number, MPath>>,
  ): MPath {
    const resolved = resolveFor(sp, at.nextHop);
    const k =
      (adj.side === 'a' ? 1 : 0) |
      (adj.peerIsClient ? 2 : 0) |
      (adj.ibgp ? 4 : 0) |
      (ROLE_BITS[adj.sess.role] << 3);
    let m = shared.get(resolved);
    if (!m) shared.set(resolved, (m = new Map<number, MPath>()));
    const hit = m.get(k);
    if (hit && hit.fromAddr === adj.peerAddr) return hit;
    const peer = b.from;
    const p = mkPath(
      prefixes[b.pid]!,
      'bgp',
      peer.ref,
      adj.peerAddr,
      adj.side === 'a' ? adj.sess.aName : adj.sess.bName,
      at.nextHop,
      at.asPath,
      at.origin,
      adj.ibgp ? (at.localPref ?? DEFAULT_LOCAL_PREF) : DEFAULT_LOCAL_PREF,
      at.originatorId,
      at.clusterList,
      !adj.ibgp,
      peer.routerId,
      resolved,
      b.t,
      peer.idx,
      adj.peerIsClient,
      ipNum(at.originatorId ?? peer.routerId),
      ipNum(adj.peerAddr),
    );
    if (!hit) m.set(k, p);
    return p;
  }

  function resolveFor(sp: Sp, nh: string): NextHopResolution {
    const r = resolveNh(sp.ref, nh);
    // BIRD: a next hop that is one of our own addresses is not valid
    return r.kind === 'connected' && nh === sp.routerId ? NONE : r;
  }

  /** Installs a new candidate list for a prefix and tells the peers when the best path changed. */
  function update(sp: Sp, pid: number, paths: MPath[], t: number): void {
    const old = sp.rib[pid]?.[0];
    const router = sp.kind === 'router';
    const prefix = prefixes[pid]!;
    if (paths.length > 1) paths.sort((x, y) => compare(x, y, router));
    sp.rib[pid] = paths.length ? paths : undefined;
    const best = paths[0];
    if (best === old) return;
    if (record) {
      ev(
        t,
        'best-changed',
        sp,
        best
          ? `${sp.name}: best path for ${prefix} is now via ${best.nextHop ?? 'local'} from ${best.protocol}${paths.length > 1 ? ` (${why(best, paths[1]!, router)} than ${paths[1]!.protocol})` : ''}`
          : `${sp.name}: no path left for ${prefix}`,
        { prefix },
      );
      const k = best ? kernelRoute(sp, best) : undefined;
      if (k)
        ev(
          t,
          'installed',
          sp,
          `${sp.name}: kernel route ${kernelText(k)}${k.reason ? ` (${k.reason})` : ''}`,
          { prefix },
        );
      else if (!best && old && kernelRoute(sp, old))
        ev(t, 'uninstalled', sp, `${sp.name}: kernel route for ${prefix} removed`, { prefix });
    } else {
      eventCount++;
      if ((best && kernelRoute(sp, best)) || (!best && old && kernelRoute(sp, old))) eventCount++;
    }
    // a non-reflector passes iBGP-learned paths to eBGP peers only: skip the iBGP sessions
    const onlyEbgp =
      !sp.reflector &&
      (!old || (old.source === 'bgp' && !old.ebgp)) &&
      (!best || (best.source === 'bgp' && !best.ebgp));
    const adjs = onlyEbgp ? sp.ebgpAdj : sp.adj;
    if (adjs.length) exportTo(sp, pid, old, best, adjs, t);
  }

  /**
   * Tells `adjs` what changed when the best path went from `old` to `best`: an UPDATE where the
   * exported attributes changed, a withdrawal where the route is no longer exported. Peers that get
   * the same attributes share one queue entry, delivered to them in order.
   */
  function exportTo(
    sp: Sp,
    pid: number,
    old: MPath | undefined,
    best: MPath | undefined,
    adjs: readonly Adj[],
    t: number,
  ): void {
    let batch: Adj[] = [];
    let batchAttrs: Attrs | null | undefined;
    // exported attributes are the same for every peer of one class: compute once per class
    const cache = new Map<number, Attrs | null>();
    const exp = (p: MPath | undefined, isBest: number, adj: Adj): Attrs | null => {
      if (!p || p.fromIdx === adj.peer) return null;
      const k = (isBest << 2) | (adj.ibgp ? 2 : 0) | (adj.peerIsClient ? 1 : 0);
      const mk = adj.myAddr === sp.routerId ? k : -1;
      let v = mk >= 0 ? cache.get(mk) : undefined;
      if (v === undefined) {
        v = exportAttrs(sp, p, adj);
        if (mk >= 0) cache.set(mk, v);
      }
      return v;
    };
    for (const adj of adjs) {
      if (!adj.up) continue;
      const before = exp(old, 0, adj);
      const after = exp(best, 1, adj);
      let out: Attrs | null | undefined;
      if (after) out = before && sameAttrs(before, after) ? undefined : after;
      else out = before ? null : undefined;
      if (out === undefined) continue;
      if (out !== batchAttrs && batch.length) {
        send(sp, batch, pid, batchAttrs ?? null, t);
        batch = [];
      }
      batchAttrs = out;
      batch.push(adj);
    }
    if (batch.length) send(sp, batch, pid, batchAttrs ?? null, t);
  }

  function deliver(b: Batch): void {
    const shared = new Map<NextHopResolution, Map<number, MPath>>();
    const prefix = prefixes[b.pid]!;
    for (const sadj of b.adjs) {
      const adj = sadj.rev!;
      const sp = sps[sadj.peer]!;
      if (!adj.up || !sp.running) continue;
      const peer = b.from;
      const cur: readonly MPath[] = sp.rib[b.pid] ?? EMPTY;
      let i = -1;
      for (let k = 0; k < cur.length; k++) if (cur[k]!.fromIdx === peer.idx) i = k;
      const at = b.attrs;
      if (!at) {
        if (record)
          ev(b.t, 'withdraw-received', sp, `${sp.name} ← ${peer.name}: withdraw ${prefix}`, {
            peer: peer.ref,
            ...sid(adj.sess),
            prefix: prefix,
          });
        else eventCount++;
        if (i >= 0)
          update(
            sp,
            b.pid,
            cur.filter((_, k) => k !== i),
            b.t,
          );
        continue;
      }
      if (record)
        ev(
          b.t,
          'update-received',
          sp,
          `${sp.name} ← ${peer.name}: UPDATE ${prefix} next hop ${at.nextHop}${attrsText(at)}`,
          {
            peer: peer.ref,
            ...sid(adj.sess),
            prefix: prefix,
            attrs: eventAttrs(at),
          },
        );
      else eventCount++;
      const loop =
        (adj.ibgp
          ? at.originatorId === sp.routerId ||
            (sp.clusterId !== undefined && at.clusterList.length > 0 && at.clusterList.includes(sp.clusterId))
          : at.asPath.includes(sp.as)) && loopReason(sp, adj, at);
      if (loop) {
        if (record)
          ev(b.t, 'rejected', sp, `${sp.name}: ${prefix} from ${peer.name} is ignored: ${loop}`, {
            peer: peer.ref,
            ...sid(adj.sess),
            prefix: prefix,
          });
        else eventCount++;
        if (i >= 0)
          update(
            sp,
            b.pid,
            cur.filter((_, k) => k !== i),
            b.t,
          );
        continue;
      }
      const p = pathFrom(sp, adj, b, at, shared);
      const next = cur.length === 0 ? [p] : i >= 0 ? cur.map((x, k) => (k === i ? p : x)) : [...cur, p];
      update(sp, b.pid, next, b.t);
    }
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
      deliver(queue[head]!);
      queue[head++] = undefined as unknown as Batch;
    }
    queue.length = 0;
    head = 0;
  }

  drain();
  let tEnd = T0 + 1;
  for (const sp of sps)
    for (const paths of sp.rib) if (paths) for (const p of paths) tEnd = Math.max(tEnd, p.since);

  // --- speakers stopped after convergence (route-reflector-down) ------------------------------
  for (const idx of stopAfter) {
    const sp = sps[idx]!;
    const tStop = tEnd + 10_000;
    sp.running = false;
    sp.reason = `route-reflector-down: BIRD on ${sp.name} is stopped`;
    ev(
      tStop,
      'session-failed',
      sp,
      `${sp.name}: BIRD stops (route-reflector-down; like a crash, no NOTIFICATION): its TCP sessions are reset and nothing listens on port 179 any more`,
    );
    for (const adj of sp.adj) {
      adj.up = false;
      adj.rev!.up = false;
      const m = adj.sess;
      const peer = sps[adj.peer]!;
      const peerIsA = m.aSp === peer;
      const view = refusedView(m.passive === peer.ref);
      m.state = m.passive === peer.ref ? 'Idle' : 'Active';
      m.since = tStop;
      m.reason = `${sp.name}'s BIRD is stopped (route-reflector-down): connections to ${peerIsA ? m.bAddr : m.aAddr}:179 are refused`;
      m.aView = peerIsA ? view : DOWN;
      m.bView = peerIsA ? DOWN : view;
      ev(
        tStop,
        'session-failed',
        peer,
        `${peer.name}: the session with ${sp.name} is reset; ${peerIsA ? m.aName : m.bName} goes down, keeps ${sp.name}'s routes as stale (graceful restart) and reconnects: Connection refused`,
        {
          peer: sp.ref,
          ...sid(m),
        },
      );
    }
    // graceful restart: the peers keep the routes as stale for the restart time, then flush them
    const tFlush = tStop + RESTART_TIME_MS;
    for (const adj of sp.adj) {
      const peer = sps[adj.peer]!;
      peer.rib.forEach((paths, pid) => {
        if (!paths?.some((p) => p.fromIdx === idx)) return;
        const prefix = prefixes[pid]!;
        ev(
          tFlush,
          'withdraw-received',
          peer,
          `${peer.name}: graceful restart time (120 s) for ${sp.name} is over; stale route ${prefix} flushed`,
          { peer: sp.ref, prefix },
        );
        update(
          peer,
          pid,
          paths.filter((p) => p.fromIdx !== idx),
          tFlush,
        );
      });
    }
    sp.adj.length = 0;
    sp.ebgpAdj.length = 0;
    drain();
    tEnd = tFlush;
  }

  // --- results ------------------------------------------------------------------------------
  if (record) {
    // the event list in time order (stable: the processing order within one millisecond)
    events.sort((x, y) => x.t - y.t || x.seq - y.seq);
    events.forEach((e, i) => ((e as { seq: number }).seq = i));
  }
  const order = prefixes
    .map((_, i) => i)
    .sort((x, y) => pcidr[x]!.addr - pcidr[y]!.addr || pcidr[y]!.len - pcidr[x]!.len);
  const rib = new Map<string, Rib>();
  const installed = new Map<string, readonly InstalledRoute[]>();
  for (const sp of sps) {
    const routes: InstalledRoute[] = [];
    const stopped = stopAfter.includes(sp.idx);
    for (const pid of order) {
      const best = sp.rib[pid]?.[0];
      const k = best ? kernelRoute(sp, best) : undefined;
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
    rib.set(sp.ref, new RibView(sp.rib, order, prefixes, pidOf, (x, y) => why(x, y, sp.kind === 'router')));
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
  function kernelRoute(_sp: Sp, best: MPath): InstalledRoute | undefined {
    if (best.kernel !== undefined) return best.kernel ?? undefined;
    let k: InstalledRoute | null;
    if (best.source === 'kernel')
      k = null; // learned from the kernel: already there
    else if (best.source === 'static') k = { prefix: best.prefix, via: '', type: 'blackhole' };
    else {
      const r = best.resolved;
      const nh = best.nextHop ?? '';
      const from = best.from ?? '';
      if (r.kind === 'connected')
        k = { prefix: best.prefix, via: nh, dev: r.dev, type: 'unicast', nextHop: nh, from };
      else if (r.kind === 'gateway')
        k = {
          prefix: best.prefix,
          via: r.gateway,
          dev: r.dev,
          type: 'unicast',
          nextHop: nh,
          from,
          reason: `next hop ${nh} is not directly connected: BIRD (gateway recursive) resolves it through ${r.gateway}`,
        };
      else
        k = {
          prefix: best.prefix,
          via: '',
          type: 'unreachable',
          nextHop: nh,
          from,
          reason: `next hop ${nh} cannot be resolved: no route to it (BIRD installs the route as unreachable)`,
        };
    }
    best.kernel = k;
    return k ?? undefined;
  }
}

const NONE: NextHopResolution = { kind: 'none' };

/** Attributes of an UPDATE, always with the same fields in the same order (one object shape). */
function mkAttrs(
  nextHop: string,
  asPath: readonly number[],
  origin: Attrs['origin'],
  localPref: number | undefined,
  originatorId: string | undefined,
  clusterList: readonly string[],
): Attrs {
  return { nextHop, asPath, origin, localPref, originatorId, clusterList };
}

/** A path, always with the same fields in the same order (one object shape). */
function mkPath(
  prefix: string,
  source: BgpPath['source'],
  from: string | undefined,
  fromAddr: string | undefined,
  protocol: string,
  nextHop: string | undefined,
  asPath: readonly number[],
  origin: BgpPath['origin'],
  localPref: number,
  originatorId: string | undefined,
  clusterList: readonly string[],
  ebgp: boolean,
  peerRouterId: string | undefined,
  resolved: NextHopResolution,
  since: number,
  fromIdx: number,
  fromClient: boolean,
  rid: number,
  nbr: number,
): MPath {
  return {
    prefix,
    source,
    from,
    fromAddr,
    protocol,
    nextHop,
    asPath,
    origin,
    localPref,
    med: undefined,
    originatorId,
    clusterList,
    ebgp,
    peerRouterId,
    resolved,
    since,
    fromIdx,
    fromClient,
    rid,
    nbr,
    kernel: undefined,
  };
}

/** A speaker's RIB over the model's prefix-indexed table; entries are made when asked for. */
class RibView implements Rib {
  constructor(
    private readonly slots: readonly (readonly BgpPath[] | undefined)[],
    private readonly order: readonly number[],
    private readonly prefixes: readonly string[],
    private readonly pidOf: ReadonlyMap<string, number>,
    private readonly why: (x: MPath, y: MPath) => string,
  ) {}
  get size(): number {
    return this.slots.reduce((n, s) => n + (s?.length ? 1 : 0), 0);
  }
  get(prefix: string): RibEntry | undefined {
    const pid = this.pidOf.get(prefix);
    return pid === undefined ? undefined : this.entry(pid);
  }
  entries(): RibEntry[] {
    const out: RibEntry[] = [];
    for (const pid of this.order) {
      const e = this.entry(pid);
      if (e) out.push(e);
    }
    return out;
  }
  toJSON(): Record<string, RibEntry> {
    return Object.fromEntries(this.entries().map((e) => [e.prefix, e]));
  }
  private entry(pid: number): RibEntry | undefined {
    const paths = this.slots[pid];
    if (!paths?.length) return undefined;
    const prefix = this.prefixes[pid]!;
    return paths.length > 1
      ? { prefix, paths, why: this.why(paths[0] as MPath, paths[1] as MPath) }
      : { prefix, paths };
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
/** BIRD's default protocol preferences: static 200, BGP 100, kernel (learned) 10. */
const PREF = { static: 200, bgp: 100, kernel: 10 } as const;
const ROLE_BITS: Record<SessionRole, number> = {
  mesh: 0,
  'rr-client': 1,
  'rr-mesh': 2,
  global: 3,
  'node-specific': 4,
};

const ipCache = new Map<string, number>();
function ipNum(ip: string): number {
  let v = ipCache.get(ip);
  if (v === undefined) {
    v = parseIpv4(ip) ?? 0;
    if (ipCache.size > 200_000) ipCache.clear();
    ipCache.set(ip, v);
  }
  return v;
}

const cidrCache = new Map<string, Cidr | null>();
function cidrOf(prefix: string): Cidr | undefined {
  let c = cidrCache.get(prefix);
  if (c === undefined) {
    const p = parseCidr(prefix);
    c = p.ok ? p.cidr : null;
    if (cidrCache.size > 200_000) cidrCache.clear();
    cidrCache.set(prefix, c);
  }
  return c ?? undefined;
}

function sameAttrs(x: Attrs, y: Attrs): boolean {
  return (
    x === y ||
    (x.nextHop === y.nextHop &&
      x.origin === y.origin &&
      x.localPref === y.localPref &&
      x.originatorId === y.originatorId &&
      arrEq(x.asPath, y.asPath) &&
      arrEq(x.clusterList, y.clusterList))
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
