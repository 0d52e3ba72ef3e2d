/**
 * `birdc` (calico-node's `birdcl`) on a Calico node: BIRD 1.6 as Calico ships it (projectcalico's
 * fork, version string `v0.3.3+birdv1.6.8`). Formats follow BIRD 1.6's CLI as calico-node prints it:
 * `show protocols` rows are `%-8s %-8s %-8s %-6s %-11s %s` (name, proto, table, state, since, info),
 * `show route`
 * rows `%-18s %s [%s %s%s]%s%s` (prefix, via, protocol and time, from, primary mark, info).
 */
import { formatCidr, formatIpv4, networkOf } from '../dataplane/addr/ipv4';
import type { Host } from '../dataplane/walker/host';
import type { World } from '../compile/world';
import type { BgpPath, BgpSession, BgpState, ProtocolView } from '../control/bgp/types';

export const BIRD_VERSION = 'v0.3.3+birdv1.6.8';
export const BIRD_SOCKET = '/var/run/calico/bird.ctl';

/** The BGP state of a compiled lab (set by compile for Calico labs). */
export function worldBgp(world: World): BgpState | undefined {
  const w = world as World & { bgp?: BgpState; calico?: { bgp?: BgpState } };
  return w.bgp ?? w.calico?.bgp;
}

/**
 * Wall-clock time of a model time (ms since the BGP daemons started): the daemons are taken to
 * have started ten minutes before `now`, on a whole second.
 */
export function bgpWallClock(now: number, t: number): number {
  return Math.floor(now / 1000) * 1000 - 600_000 + t;
}

/** BIRD 1.6's default time format: `%T` for the last 20 hours, `%F` before (UTC here). */
export function birdTime(now: number, at: number): string {
  const d = new Date(at);
  const two = (n: number): string => String(n).padStart(2, '0');
  if (now - at < 20 * 3600_000)
    return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
}

export type BirdResult = { ok: true; stdout: string } | { ok: false; error: string };

/** One side of a session as `show protocols` lists it on `ref`. */
export interface BirdProtocol {
  readonly name: string;
  readonly view: ProtocolView;
  readonly since: number;
  readonly session: BgpSession;
  readonly peerAddr: string;
}

export function birdProtocolsOf(bgp: BgpState, ref: string): BirdProtocol[] {
  const out: BirdProtocol[] = [];
  for (const s of bgp.sessions) {
    if (s.a === ref)
      out.push({ name: s.aName, view: s.aView, since: s.since, session: s, peerAddr: s.bAddr });
    else if (s.b === ref)
      out.push({ name: s.bName, view: s.bView, since: s.since, session: s, peerAddr: s.aAddr });
  }
  return out;
}

function row(name: string, proto: string, state: string, since: string, info: string): string {
  return `${name.padEnd(8)} ${proto.padEnd(8)} ${'master'.padEnd(8)} ${state.padEnd(6)} ${since.padEnd(11)} ${info}`;
}

function notRunning(bgp: BgpState | undefined, h: Host): BirdResult | undefined {
  if (h.kind !== 'node')
    return {
      ok: false,
      error: `bash: birdc: command not found (BIRD runs in calico-node on the cluster's nodes; ${h.id} is not one)`,
    };
  const sp = bgp?.speakers.find((s) => s.ref === h.id);
  if (!bgp || !sp)
    return {
      ok: false,
      error: `Unable to connect to server control socket (${BIRD_SOCKET}): No such file or directory`,
    };
  if (!sp.running)
    return {
      ok: false,
      error: `Unable to connect to server control socket (${BIRD_SOCKET}): Connection refused`,
    };
  return undefined;
}

export function birdShowProtocols(bgp: BgpState | undefined, h: Host, now: number): BirdResult {
  const bad = notRunning(bgp, h);
  if (bad || !bgp) return bad ?? { ok: false, error: 'no BGP' };
  const start = birdTime(now, bgpWallClock(now, 0));
  const lines = [
    `BIRD ${BIRD_VERSION} ready.`,
    'name     proto    table    state  since       info',
    row('static1', 'Static', 'up', start, ''),
    row('kernel1', 'Kernel', 'up', start, ''),
    row('device1', 'Device', 'up', start, ''),
    row('direct1', 'Direct', 'up', start, ''),
  ];
  for (const p of birdProtocolsOf(bgp, h.id))
    lines.push(row(p.name, 'BGP', p.view.state, birdTime(now, bgpWallClock(now, p.since)), p.view.info));
  return { ok: true, stdout: lines.join('\n') + '\n' };
}

interface RouteLine {
  readonly prefix: string;
  readonly addr: number;
  readonly len: number;
  /** Each route without its prefix column, and whether it is the primary (best) one. */
  readonly lines: { rest: string; primary: boolean }[];
}

/** `show route`: the kernel routes BIRD learned, the direct routes, its static blocks and the BGP paths. */
export function birdShowRoute(bgp: BgpState | undefined, h: Host, now: number): BirdResult {
  const bad = notRunning(bgp, h);
  if (bad || !bgp) return bad ?? { ok: false, error: 'no BGP' };
  const start = birdTime(now, bgpWallClock(now, 0));
  const nets = new Map<string, RouteLine>();
  const add = (prefix: string, addr: number, len: number, line: { rest: string; primary: boolean }): void => {
    let n = nets.get(prefix);
    if (!n) nets.set(prefix, (n = { prefix, addr, len, lines: [] }));
    n.lines.push(line);
  };
  const rib = bgp.rib.get(h.id);
  // protocol direct: one device route per interface prefix (cali* and kube-ipvs* excluded)
  for (const l of h.links) {
    if (l.name.startsWith('cali') || l.name.startsWith('kube-ipvs') || l.kind === 'loopback') continue;
    for (const a of l.addrs) {
      if (a.scope !== 'global') continue;
      const c = { addr: networkOf(a.addr, a.len), len: a.len };
      const prefix = formatCidr(c);
      add(prefix, c.addr, c.len, fmt(`dev ${l.name}`, 'direct1', start, '', true, ' (240)'));
    }
  }
  // protocol kernel (learn): alien routes of the main table (not proto kernel, not BIRD's own)
  for (const r of h.routes) {
    if (r.table !== 'main' || r.proto === 'kernel' || r.proto === 'bird') continue;
    if (r.type !== 'unicast' && r.type !== 'blackhole' && r.type !== 'unreachable' && r.type !== 'prohibit')
      continue;
    const prefix = formatCidr(r.dst);
    const via =
      r.type === 'blackhole'
        ? 'blackhole'
        : r.type === 'unreachable'
          ? 'unreachable'
          : r.type === 'prohibit'
            ? 'prohibited'
            : r.via !== undefined
              ? `via ${formatIpv4(r.via)} on ${r.dev ?? '?'}`
              : `dev ${r.dev ?? '?'}`;
    const e = rib?.get(prefix);
    const primary = !e || e.paths[0]?.source === 'kernel';
    add(prefix, r.dst.addr, r.dst.len, fmt(via, 'kernel1', start, '', primary, ' (10)'));
  }
  for (const e of rib?.entries() ?? []) {
    const [a, l] = e.prefix.split('/');
    const addr = parseAddr(a ?? '');
    e.paths.forEach((p, i) => {
      if (p.source === 'kernel') return; // listed with the kernel routes above
      const time = birdTime(now, bgpWallClock(now, p.since));
      if (p.source === 'static') {
        add(e.prefix, addr, Number(l), fmt('blackhole', 'static1', time, '', i === 0, ' (200)'));
        return;
      }
      add(e.prefix, addr, Number(l), bgpLine(p, i === 0, time));
    });
  }
  const sorted = [...nets.values()].sort((x, y) => x.addr - y.addr || y.len - x.len);
  const out = [`BIRD ${BIRD_VERSION} ready.`];
  for (const n of sorted) {
    const lines = [...n.lines.filter((x) => x.primary), ...n.lines.filter((x) => !x.primary)];
    lines.forEach((x, i) => out.push(`${(i === 0 ? n.prefix : '').padEnd(18)} ${x.rest}`));
  }
  return { ok: true, stdout: out.join('\n') + '\n' };
}

/** One route after the prefix column: `via … [proto time from …] * info`. */
function fmt(
  via: string,
  proto: string,
  time: string,
  from: string,
  primary: boolean,
  info: string,
): { rest: string; primary: boolean } {
  return { rest: `${via} [${proto} ${time}${from}]${primary ? ' *' : ''}${info}`, primary };
}

function bgpLine(p: BgpPath, primary: boolean, time: string): { rest: string; primary: boolean } {
  const r = p.resolved;
  const gw = r.kind === 'connected' ? (p.nextHop ?? '') : r.kind === 'gateway' ? r.gateway : '';
  const via = r.kind === 'none' ? 'unreachable' : `via ${gw} on ${r.dev}`;
  const from = p.fromAddr !== undefined && p.fromAddr !== gw ? ` from ${p.fromAddr}` : '';
  // bgp_get_route_info: (preference/IGP metric) [AS<origin AS><origin code>]
  const metric = r.kind === 'none' ? '/-' : r.kind === 'connected' ? '/0' : '/?';
  const last = p.asPath[p.asPath.length - 1];
  const info = ` (100${metric}) [${last !== undefined ? `AS${last}` : ''}${p.origin === 'igp' ? 'i' : p.origin === 'egp' ? 'e' : '?'}]`;
  return fmt(via, p.protocol, time, from, primary, info);
}

function parseAddr(s: string): number {
  const p = s.split('.').map(Number);
  return (((p[0] ?? 0) << 24) | ((p[1] ?? 0) << 16) | ((p[2] ?? 0) << 8) | (p[3] ?? 0)) >>> 0;
}

/** `birdc COMMAND` / `birdcl [-s SOCKET] COMMAND` as typed on a node. */
export function birdCommand(
  bgp: BgpState | undefined,
  h: Host,
  argv: readonly string[],
  now: number,
): BirdResult | undefined {
  const args = [...argv.slice(1)];
  if (args[0] === '-s') args.splice(0, 2);
  const cmd = args.join(' ');
  if (/^(show|sh) (protocols|protocol|proto|p)$/.test(cmd)) return birdShowProtocols(bgp, h, now);
  if (/^(show|sh) (route|ro|r)$/.test(cmd)) return birdShowRoute(bgp, h, now);
  return undefined;
}
