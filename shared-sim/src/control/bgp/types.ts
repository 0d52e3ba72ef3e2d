/**
 * The BGP control plane of a Calico cluster: BIRD on every node (configured the way calico-node's
 * confd templates configure it) and the lab's routers that speak BGP. Types shared by the model
 * (computeBgp), the views (birdc, calicoctl) and the data plane that installs the routes.
 */
import type { Lab } from '../../model/lab';

/** One IPAM block with affinity to a node (Calico IPAM). */
export interface BgpBlock {
  readonly cidr: string;
  readonly node: string;
}

/** Result of an underlay reachability check for a BGP session (TCP to port 179). */
export interface BgpReach {
  readonly ok: boolean;
  /** Why not, in one sentence ("dropped by router/tor firewall: -A FORWARD -p tcp -m tcp --dport 179 -j DROP"). */
  readonly reason: string;
  /**
   * How the failed connection looks to the connecting side: a silent drop leaves the SYN
   * unanswered (BIRD sits in Connect), a reset/ICMP error gives a socket error (Active).
   * Default: 'timeout'.
   */
  readonly failure?: 'timeout' | 'refused' | 'unreachable';
}

/** How the speaker's kernel reaches an address before BGP adds anything (its connected and static routes). */
export type NextHopResolution =
  | { readonly kind: 'connected'; readonly dev: string }
  | { readonly kind: 'gateway'; readonly gateway: string; readonly dev: string }
  | { readonly kind: 'none' };

export interface BgpInput {
  readonly lab: Lab;
  /** IPAM blocks with their node affinity (each node originates its own). */
  readonly blocks: readonly BgpBlock[];
  /**
   * Pod addresses a node borrowed from another node's block (IPAM borrowing). The node that holds
   * the pod exports its /32, which is longer than the owner's block route.
   */
  readonly borrowed?: readonly { readonly ip: string; readonly node: string }[];
  /** Underlay reachability from a speaker (`node/x`, `router/x`) to a peer address over TCP 179. */
  readonly reach: (fromRef: string, toIp: string) => BgpReach;
  /**
   * How a speaker reaches an address without BGP routes (for BIRD's `gateway recursive`).
   * Default: derived from the lab (connected networks, node gateways, router static routes,
   * `missing-route` faults).
   */
  readonly resolve?: (ref: string, ip: string) => NextHopResolution;
  /** Record the event list (default true up to 300 speakers, false above: counts only). */
  readonly recordEvents?: boolean;
}

export type SessionState = 'Established' | 'Idle' | 'Active' | 'Connect';

/**
 * `mesh`: node-to-node mesh; `rr-client`: a reflector and one of its clients; `rr-mesh`: two
 * reflectors; `global`: a router peer for all nodes (BGPPeer without node selector);
 * `node-specific`: a router peer for some nodes.
 */
export type SessionRole = 'mesh' | 'rr-client' | 'rr-mesh' | 'global' | 'node-specific';

export interface BgpSpeaker {
  /** `node/NAME` or `router/NAME`. */
  readonly ref: string;
  readonly kind: 'node' | 'router';
  readonly name: string;
  readonly routerId: string;
  readonly asNumber: number;
  /** Route reflector cluster id when the speaker reflects routes. */
  readonly clusterId?: string;
  readonly reflector: boolean;
  /** False when its BGP daemon is stopped (route-reflector-down). */
  readonly running: boolean;
  readonly reason?: string;
}

export interface BgpSession {
  /** `A~B` with the refs in session order. */
  readonly id: string;
  readonly a: string;
  readonly b: string;
  /** Addresses each side uses (source address / neighbor address). */
  readonly aAddr: string;
  readonly bAddr: string;
  /** BIRD protocol name on each side (`Mesh_10_0_0_12`, `Node_10_0_0_1`, `Global_…`). */
  readonly aName: string;
  readonly bName: string;
  readonly kind: 'ibgp' | 'ebgp';
  readonly role: SessionRole;
  /** For rr-client sessions: which side reflects. */
  readonly reflector?: string;
  /** The side configured `passive on` (Calico's mesh is unidirectional: the lower address connects). */
  readonly passive?: string;
  /** State as seen from the side that connects (both sides when Established). */
  readonly state: SessionState;
  /** `up` / `start` / `down` per side, as `birdc show protocols` prints it. */
  readonly aView: ProtocolView;
  readonly bView: ProtocolView;
  /** One sentence: why the session is (not) established. */
  readonly reason: string;
  /** Simulated time (ms since the BGP daemons started) of the last state change. */
  readonly since: number;
}

/** One row of `birdc show protocols` for a session, from one side. */
export interface ProtocolView {
  readonly state: 'up' | 'start' | 'down';
  /** The info column, e.g. `Established`, `Active        Socket: Connection refused`, `Passive`. */
  readonly info: string;
}

export type Origin = 'igp' | 'egp' | 'incomplete';

/** A path (route candidate) in a speaker's RIB. */
export interface BgpPath {
  readonly prefix: string;
  /**
   * `static`: the node's own block (BIRD's `protocol static` blackhole); `kernel`: a borrowed pod
   * address learned from the kernel's /32 route (`protocol kernel` with `learn`); `bgp`: learned
   * from a peer.
   */
  readonly source: 'static' | 'kernel' | 'bgp';
  /** The peer it was learned from (ref) and over which session. */
  readonly from?: string;
  readonly fromAddr?: string;
  /** BIRD protocol name it came from (`static1`, `Mesh_10_0_0_12`). */
  readonly protocol: string;
  readonly nextHop?: string;
  readonly asPath: readonly number[];
  readonly origin: Origin;
  readonly localPref: number;
  readonly med?: number;
  readonly originatorId?: string;
  readonly clusterList: readonly string[];
  readonly ebgp: boolean;
  /** The peer's router id. */
  readonly peerRouterId?: string;
  /** Recursive resolution of the next hop (`gateway recursive`). */
  readonly resolved: NextHopResolution;
  /** Simulated time it arrived (ms). */
  readonly since: number;
}

export interface RibEntry {
  readonly prefix: string;
  /** Candidates, best first. */
  readonly paths: readonly BgpPath[];
  /** Why the first path beat the second ("shorter AS path (1 < 2)"), when there is more than one. */
  readonly why?: string;
}

/** A speaker's routing table: every prefix with its candidate paths, in address order. */
export interface Rib {
  readonly size: number;
  get(prefix: string): RibEntry | undefined;
  /** The entries in address order (longer prefixes first at one address). */
  entries(): RibEntry[];
}

/** A route the speaker's BIRD puts into its kernel table (`proto bird`). */
export interface InstalledRoute {
  readonly prefix: string;
  /** Kernel gateway ('' for blackhole/unreachable and device routes). */
  readonly via: string;
  readonly dev?: string;
  readonly type: 'unicast' | 'blackhole' | 'unreachable';
  /** The BGP NEXT_HOP before recursive resolution (IPIP routes use it with `onlink`). */
  readonly nextHop?: string;
  /** The speaker it came from (ref), when learned by BGP. */
  readonly from?: string;
  readonly reason?: string;
}

export type BgpEventType =
  | 'originate'
  | 'connect'
  | 'open'
  | 'keepalive'
  | 'established'
  | 'session-failed'
  | 'update-sent'
  | 'update-received'
  | 'withdraw-sent'
  | 'withdraw-received'
  | 'rejected'
  | 'best-changed'
  | 'installed'
  | 'uninstalled'
  | 'end-of-rib';

/** One control-plane step, in the order the model processed them. */
export interface BgpEvent {
  readonly seq: number;
  /** Simulated time (ms since the BGP daemons started). */
  readonly t: number;
  readonly type: BgpEventType;
  /** Where it happens (speaker ref). */
  readonly at: string;
  /** The other speaker, for messages. */
  readonly peer?: string;
  readonly session?: string;
  readonly prefix?: string;
  readonly attrs?: {
    readonly nextHop?: string;
    readonly asPath?: readonly number[];
    readonly localPref?: number;
    readonly originatorId?: string;
    readonly clusterList?: readonly string[];
  };
  /** One sentence a student can read. */
  readonly detail: string;
}

export interface BgpState {
  readonly asNumber: number;
  readonly speakers: readonly BgpSpeaker[];
  readonly sessions: readonly BgpSession[];
  /** Empty when the model ran without recording (large labs); see `counts`. */
  readonly events: readonly BgpEvent[];
  readonly counts: { readonly events: number; readonly updates: number; readonly sessions: number };
  /** Per speaker ref: its RIB, prefix → candidates (best first). */
  readonly rib: ReadonlyMap<string, Rib>;
  /** Per speaker ref (`node/x`, `router/x`): the routes BIRD installs into the kernel. */
  readonly installed: ReadonlyMap<string, readonly InstalledRoute[]>;
  /** Lab problems found while building the speakers (unknown reflector name …). */
  readonly warnings: readonly string[];
}
