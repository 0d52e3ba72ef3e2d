import type { PodInfo, World } from '../compile/world';
import { flowText, type DirectionVerdict, type PolicyFlow } from '../control/policy/engine';
import { formatIpv4, parseIpv4, type Ipv4Addr } from '../dataplane/addr/ipv4';
import type { Fabric } from '../dataplane/walker/host';
import type { Trace } from '../dataplane/walker/trace';
import { walk, type Probe } from '../dataplane/walker/walk';
import { parseRef } from '../model/refs';

/**
 * The pod-to-pod reachability matrix (CONTRACT.md §3 `podpath reach`): NetworkPolicy where the CNI
 * enforces it, and the data plane. The data plane is walked once per class of pairs that routing
 * cannot tell apart — (source node, pod or host network) × (destination node, pod or host
 * network) — with NetworkPolicy switched off, so that a class answers "does a packet get there
 * and does the answer come back". Policy is then evaluated per pair from precomputed selections.
 */

export type ReachProto = 'tcp' | 'udp' | 'sctp';

export interface ReachOptions {
  readonly port: number;
  readonly proto: ReachProto;
}

/** Why a pair is what it is, in one word: the grid's symbol. */
export type ReachCell = 'allowed' | 'policy' | 'dataplane' | 'refused' | 'no-network';

export interface ReachMatrix {
  readonly port: number;
  readonly proto: ReachProto;
  /** `ns/name`, in lab order. */
  readonly pods: readonly string[];
  /** cells[from][to] */
  readonly cells: readonly (readonly ReachCell[])[];
  /** Whether the CNI enforces NetworkPolicy (Calico) or ignores it (Flannel). */
  readonly enforced: boolean;
  readonly policyCount: number;
  /** How many data-plane walks answered the matrix. */
  readonly walks: number;
}

interface DataPlaneClass {
  readonly ok: boolean;
  /** What stopped it (the walk's reason), when not ok. */
  readonly reason: string;
  /** The source address the destination saw, when a NAT on the way changed it (the same for the whole class). */
  readonly seenSrc?: Ipv4Addr;
  readonly rep: string;
}

const PROTO: Record<ReachProto, 'TCP' | 'UDP' | 'SCTP'> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' };

function fabricWithoutPolicy(f: Fabric): Fabric {
  return {
    hosts: f.hosts,
    segments: f.segments,
    ...(f.announced ? { announced: f.announced } : {}),
  };
}

function listens(p: PodInfo, o: ReachOptions): boolean {
  return p.spec.ports.some((c) => c.containerPort === o.port && c.protocol === PROTO[o.proto]);
}

/** Did the request reach the destination's stack, and did whatever it answered get back? */
function judge(t: Trace, dstHost: string): { ok: boolean; reason: string; seenSrc?: Ipv4Addr } {
  const at = t.hops.filter((h) => h.host === dstHost && h.stage === 'deliver');
  const last = at[at.length - 1];
  if (!last) return { ok: false, reason: t.reason };
  if (t.reply && t.reply.verdict !== 'delivered')
    return { ok: false, reason: `the answer does not come back: ${t.reply.reason}` };
  const ip = last.layers.find((l) => l.type === 'ipv4');
  const seen = ip && ip.type === 'ipv4' ? parseIpv4(ip.src) : undefined;
  return { ok: true, reason: '', ...(seen !== undefined ? { seenSrc: seen } : {}) };
}

/** Faults that can cut single addresses make the classes finer: per destination (and source) pod. */
function sideIds(world: World): { src: Int32Array; dst: Int32Array; count: number } {
  const faults = world.lab.faults;
  const perDst = faults.some((f) => f.type === 'firewall' || f.type === 'missing-route');
  const perSrc = faults.some((f) => f.type === 'firewall' && f['src'] !== undefined);
  const ids = new Map<string, number>();
  const id = (k: string): number => {
    let v = ids.get(k);
    if (v === undefined) ids.set(k, (v = ids.size));
    return v;
  };
  const side = (p: PodInfo): string => `${p.spec.hostNetwork ? 'host' : 'pod'}@${p.spec.nodeName ?? ''}`;
  const n = world.pods.length;
  const src = new Int32Array(n);
  const dst = new Int32Array(n);
  world.pods.forEach((p, i) => {
    src[i] = id(perSrc ? p.ref : side(p));
    dst[i] = id(perDst ? p.ref : side(p));
  });
  return { src, dst, count: ids.size };
}

export class ReachContext {
  private readonly classes: (DataPlaneClass | undefined)[] = [];
  /** Network namespace of each pod, numbered (pods sharing one talk over lo). */
  private readonly netns: Int32Array;
  private readonly fabric: Fabric;
  private readonly sides: { src: Int32Array; dst: Int32Array; count: number };
  private readonly listen: Uint8Array;
  private readonly net: Uint8Array;
  readonly enforced: boolean;
  walks = 0;

  constructor(
    readonly world: World,
    readonly opts: ReachOptions,
  ) {
    this.fabric = fabricWithoutPolicy(world.fabric);
    this.sides = sideIds(world);
    this.listen = Uint8Array.from(world.pods, (p) => (listens(p, opts) ? 1 : 0));
    this.net = Uint8Array.from(world.pods, (p) => (p.ip !== undefined && p.hostId !== undefined ? 1 : 0));
    this.enforced = world.fabric.policy !== undefined;
    const ns = new Map<string, number>();
    this.netns = Int32Array.from(world.pods, (p) => {
      const h = p.hostId ?? `none:${p.ref}`;
      let v = ns.get(h);
      if (v === undefined) ns.set(h, (v = ns.size));
      return v;
    });
  }

  dataPlane(si: number, di: number): DataPlaneClass {
    const key = (this.sides.src[si] ?? 0) * this.sides.count + (this.sides.dst[di] ?? 0);
    let c = this.classes[key];
    if (!c) {
      const s = this.world.pods[si];
      const d = this.world.pods[di];
      c = s && d ? this.walkClass(s, d) : { ok: false, reason: 'no such pod', rep: '' };
      this.classes[key] = c;
    }
    return c;
  }

  private walkClass(s: PodInfo, d: PodInfo): DataPlaneClass {
    const rep = `${s.spec.namespace}/${s.spec.name} → ${d.spec.namespace}/${d.spec.name}`;
    if (s.hostId === undefined || d.ip === undefined || d.hostId === undefined)
      return { ok: false, reason: 'no network', rep };
    const probe: Probe = {
      from: s.hostId,
      dst: d.ip,
      proto: this.opts.proto,
      dport: this.opts.port,
      size: 0,
      pmtudisc: 'want',
    };
    this.walks++;
    const t = walk(this.fabric, probe).trace;
    const j = judge(t, d.hostId);
    // only a translated source (SNAT on the way) stands for the whole class
    const { seenSrc, ...rest } = j;
    return { ...rest, ...(seenSrc !== undefined && seenSrc !== s.ip ? { seenSrc } : {}), rep };
  }

  flow(s: PodInfo, d: PodInfo, dp: DataPlaneClass): PolicyFlow {
    const src = dp.seenSrc ?? s.ip;
    return {
      src: (src ?? 0) as Ipv4Addr,
      dst: (d.ip ?? 0) as Ipv4Addr,
      proto: PROTO[this.opts.proto],
      port: this.opts.port,
    };
  }

  /** Whether Calico checks ingress at the destination: not for the node's own traffic to a pod on it (OUTPUT, not FORWARD). */
  private ingressChecked(s: PodInfo, d: PodInfo): boolean {
    return !(s.spec.hostNetwork && s.spec.nodeName === d.spec.nodeName);
  }

  /** Egress at the source and ingress at the destination, as the CNI applies them (none on Flannel). */
  policy(
    si: number,
    di: number,
    dp: DataPlaneClass,
  ): { egress?: DirectionVerdict; ingress?: DirectionVerdict } {
    const s = this.world.pods[si];
    const d = this.world.pods[di];
    if (!this.enforced || !s || !d) return {};
    const engine = this.world.policy;
    const flow = this.flow(s, d, dp);
    const egress = engine.pods[si]?.endpoint ? engine.egress(si, flow) : undefined;
    if (egress && !egress.allowed) return { egress };
    const ingress =
      engine.pods[di]?.endpoint && this.ingressChecked(s, d) ? engine.ingress(di, flow) : undefined;
    return { ...(egress ? { egress } : {}), ...(ingress ? { ingress } : {}) };
  }

  private egressRow = -1;
  private egressVec: Uint8Array | undefined;
  private readonly ingressVecs = new Map<number, Uint8Array | undefined>();

  private policyAllows(si: number, di: number, dp: DataPlaneClass): boolean {
    const s = this.world.pods[si];
    const d = this.world.pods[di];
    if (!s || !d) return false;
    const engine = this.world.policy;
    const proto = PROTO[this.opts.proto];
    if (dp.seenSrc === undefined) {
      // no NAT on the way: each pod is seen at its own address; use the per-pod peer vectors
      if (engine.pods[si]?.endpoint) {
        if (this.egressRow !== si) {
          this.egressRow = si;
          this.egressVec = engine.peerVector('egress', si, proto, this.opts.port);
        }
        if (this.egressVec && this.egressVec[di] !== 1) return false;
      }
      if (engine.pods[di]?.endpoint && this.ingressChecked(s, d)) {
        let v = this.ingressVecs.get(di);
        if (!this.ingressVecs.has(di)) {
          v = engine.peerVector('ingress', di, proto, this.opts.port);
          this.ingressVecs.set(di, v);
        }
        if (v && v[si] !== 1) return false;
      }
      return true;
    }
    const flow = this.flow(s, d, dp);
    if (engine.pods[si]?.endpoint && !engine.allows('egress', si, flow)) return false;
    if (engine.pods[di]?.endpoint && this.ingressChecked(s, d) && !engine.allows('ingress', di, flow))
      return false;
    return true;
  }

  cell(si: number, di: number): ReachCell {
    if (this.net[si] !== 1 || this.net[di] !== 1) return 'no-network';
    if (this.netns[si] === this.netns[di]) return this.listen[di] === 1 ? 'allowed' : 'refused';
    const dp = this.dataPlane(si, di);
    if (!dp.ok) return 'dataplane';
    if (this.enforced && !this.policyAllows(si, di, dp)) return 'policy';
    return this.listen[di] === 1 ? 'allowed' : 'refused';
  }
}

export function reachMatrix(world: World, opts: ReachOptions): ReachMatrix {
  const ctx = new ReachContext(world, opts);
  const n = world.pods.length;
  const cells: ReachCell[][] = [];
  for (let i = 0; i < n; i++) {
    const row: ReachCell[] = new Array<ReachCell>(n);
    for (let j = 0; j < n; j++) row[j] = ctx.cell(i, j);
    cells.push(row);
  }
  return {
    port: opts.port,
    proto: opts.proto,
    pods: world.pods.map((p) => `${p.spec.namespace}/${p.spec.name}`),
    cells,
    enforced: ctx.enforced,
    policyCount: world.lab.networkPolicies.length,
    walks: ctx.walks,
  };
}

/** CONTRACT.md §3: `{"port", "proto", "pods", "allowed": {"ns/a": {"ns/b": true}}}`. */
export function reachJson(m: ReachMatrix): {
  port: number;
  proto: ReachProto;
  pods: readonly string[];
  allowed: Record<string, Record<string, boolean>>;
} {
  const allowed: Record<string, Record<string, boolean>> = {};
  m.pods.forEach((from, i) => {
    const row: Record<string, boolean> = {};
    m.pods.forEach((to, j) => {
      row[to] = m.cells[i]?.[j] === 'allowed';
    });
    allowed[from] = row;
  });
  return { port: m.port, proto: m.proto, pods: m.pods, allowed };
}

const SYMBOL: Record<ReachCell, string> = {
  allowed: '✓',
  policy: '✗',
  dataplane: '#',
  refused: 'r',
  'no-network': '-',
};

/** The matrix as a grid: rows are sources, columns destinations, numbered; a legend follows. */
export function formatReach(m: ReachMatrix): string {
  const n = m.pods.length;
  const w = String(n).length;
  const nameW = Math.max(4, ...m.pods.map((p) => p.length));
  const head = `${m.proto.toUpperCase()} ${m.port}`;
  const out: string[] = [];
  out.push(
    `reachability for ${head}: ${n} pod${n === 1 ? '' : 's'}, rows = from, columns = to; ` +
      (m.policyCount === 0
        ? 'no NetworkPolicy in the lab'
        : m.enforced
          ? `${m.policyCount} NetworkPolic${m.policyCount === 1 ? 'y' : 'ies'} enforced by Calico`
          : `${m.policyCount} NetworkPolic${m.policyCount === 1 ? 'y' : 'ies'} NOT enforced (Flannel does not implement NetworkPolicy)`),
  );
  out.push('');
  // column numbers, written vertically when they have several digits
  for (let d = 0; d < w; d++) {
    let line = ' '.repeat(w + 2 + nameW + 1);
    for (let j = 0; j < n; j++) line += ` ${String(j + 1).padStart(w, ' ')[d] ?? ' '}`;
    out.push(line.trimEnd());
  }
  m.pods.forEach((p, i) => {
    let line = `${String(i + 1).padStart(w, ' ')}  ${p.padEnd(nameW, ' ')} `;
    for (let j = 0; j < n; j++) line += ` ${SYMBOL[m.cells[i]?.[j] ?? 'no-network']}`;
    out.push(line);
  });
  const count = (c: ReachCell): number => m.cells.reduce((a, r) => a + r.filter((x) => x === c).length, 0);
  out.push('');
  out.push(
    `✓ connects (${count('allowed')})   ✗ denied by NetworkPolicy (${count('policy')})   # not delivered by the data plane (${count('dataplane')})   r delivered, nothing listens on ${head} (${count('refused')})   - pod has no network (${count('no-network')})`,
  );
  return out.join('\n') + '\n';
}

export type Explain =
  | {
      readonly ok: true;
      readonly from: string;
      readonly to: string;
      readonly port: number;
      readonly proto: ReachProto;
      readonly allowed: boolean;
      readonly cell: ReachCell;
      readonly reason: string;
      readonly dataPlane: { readonly reachable: boolean; readonly reason: string };
      readonly egress?: DirectionVerdict;
      readonly ingress?: DirectionVerdict;
      readonly enforced: boolean;
      /** The walk of this very pair with policy enforced (when both pods have a network). */
      readonly trace?: Trace;
    }
  | { readonly ok: false; readonly error: string };

function findPod(
  world: World,
  text: string,
  opt: string,
): { ok: true; index: number } | { ok: false; error: string } {
  const r = parseRef(text);
  if (!r.ok || r.ref.kind !== 'pod')
    return { ok: false, error: `${opt} ${text} is not a pod (NAMESPACE/NAME or pod/NAMESPACE/NAME)` };
  const ref = `pod/${r.ref.namespace ?? ''}/${r.ref.name}`;
  const index = world.pods.findIndex((p) => p.ref === ref);
  if (index < 0)
    return {
      ok: false,
      error: `${opt} ${text}: there is no pod ${r.ref.namespace ?? ''}/${r.ref.name} in this lab`,
    };
  return { ok: true, index };
}

/** One pair of the matrix, with the deciding policy and rule or the data-plane reason. */
export function explainReach(world: World, fromText: string, toText: string, opts: ReachOptions): Explain {
  const f = findPod(world, fromText, '--explain');
  if (!f.ok) return f;
  const t = findPod(world, toText, '--explain');
  if (!t.ok) return t;
  const ctx = new ReachContext(world, opts);
  const s = world.pods[f.index];
  const d = world.pods[t.index];
  if (!s || !d) return { ok: false, error: 'no such pod' };
  const from = `${s.spec.namespace}/${s.spec.name}`;
  const to = `${d.spec.namespace}/${d.spec.name}`;
  const cell = ctx.cell(f.index, t.index);
  const head = `${opts.proto.toUpperCase()} ${opts.port}`;
  const base = {
    ok: true as const,
    from,
    to,
    port: opts.port,
    proto: opts.proto,
    cell,
    allowed: cell === 'allowed',
    enforced: ctx.enforced,
  };
  if (cell === 'no-network') {
    const why =
      s.ip === undefined || !s.hostId
        ? `${from}: ${s.why ?? 'no network'}`
        : `${to}: ${d.why ?? 'no network'}`;
    return { ...base, reason: why, dataPlane: { reachable: false, reason: why } };
  }
  const same = f.index === t.index || s.hostId === d.hostId;
  const dp: DataPlaneClass = same ? { ok: true, reason: '', rep: '' } : ctx.dataPlane(f.index, t.index);
  const dataPlane = {
    reachable: dp.ok,
    reason: same
      ? `${to} shares the network namespace of ${from}: the packet goes through lo`
      : dp.ok
        ? `the data plane delivers ${head} from ${from} (${formatIpv4(s.ip ?? 0)}) to ${to} (${formatIpv4(d.ip ?? 0)}) and the answer comes back`
        : `the data plane does not deliver it: ${dp.reason}`,
  };
  const pol = same ? {} : ctx.policy(f.index, t.index, dp);
  const trace =
    same || s.hostId === undefined || d.ip === undefined
      ? undefined
      : walk(world.fabric, {
          from: s.hostId,
          dst: d.ip,
          proto: opts.proto,
          dport: opts.port,
          size: 0,
          pmtudisc: 'want',
        }).trace;
  const reason =
    cell === 'allowed'
      ? `${from} connects to ${to} on ${head}`
      : cell === 'policy'
        ? ((pol.egress && !pol.egress.allowed ? pol.egress.reason : pol.ingress?.reason) ??
          'denied by NetworkPolicy')
        : cell === 'dataplane'
          ? dataPlane.reason
          : `nothing listens on ${head} in ${to} (no container port ${opts.port}/${PROTO[opts.proto]}): the connection is refused`;
  return {
    ...base,
    reason,
    dataPlane,
    ...(pol.egress ? { egress: pol.egress } : {}),
    ...(pol.ingress ? { ingress: pol.ingress } : {}),
    ...(trace ? { trace } : {}),
  };
}

export function formatExplain(e: Extract<Explain, { ok: true }>): string {
  const head = `${e.proto.toUpperCase()} ${e.port}`;
  const lines = [`${e.from} → ${e.to} ${head}: ${e.allowed ? 'allowed' : 'not allowed'} — ${e.reason}`];
  lines.push(`  data plane: ${e.dataPlane.reason}`);
  if (!e.enforced && e.cell !== 'no-network')
    lines.push(
      '  NetworkPolicy: not enforced (Flannel does not implement NetworkPolicy; any policy in the lab is ignored)',
    );
  const dir = (v: DirectionVerdict | undefined, label: string): void => {
    if (!v) return;
    lines.push(`  ${label}: ${v.allowed ? 'allowed' : 'DENIED'} — ${v.reason}`);
  };
  const ifThere = e.dataPlane.reachable ? '' : ' (were the packet delivered)';
  dir(e.egress, `egress at ${e.from}${ifThere}`);
  dir(e.ingress, `ingress at ${e.to}${ifThere}`);
  const hops = e.trace?.hops.filter((h) => h.policy !== undefined) ?? [];
  for (const h of hops) {
    lines.push(`  ${h.host} ${h.iface ?? ''}: ${h.detail}`);
    if (h.rule) lines.push(`      ${h.rule}`);
  }
  if (e.trace) lines.push(`  trace: ${e.trace.verdict} — ${e.trace.reason}`);
  return lines.join('\n') + '\n';
}

export { flowText };
