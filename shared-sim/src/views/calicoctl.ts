/**
 * `calicoctl node status` on a Calico node: it asks BIRD for its protocols and prints the BGP ones
 * as a table (olekukonko/tablewriter: centred upper-case headers, one space of padding), mapping
 * the protocol name prefix to the peer type (`Mesh_` node-to-node mesh, `Node_` node specific,
 * `Global_` global) and the rest of the name back to the peer address.
 */
import type { Host } from '../dataplane/walker/host';
import type { BgpState } from '../control/bgp/types';
import { BIRD_SOCKET, bgpWallClock, birdProtocolsOf, birdTime } from './bird';

export type CalicoctlResult = { ok: true; stdout: string } | { ok: false; error: string };

const PEER_TYPES: readonly (readonly [string, string])[] = [
  ['Mesh_', 'node-to-node mesh'],
  ['Node_', 'node specific'],
  ['Global_', 'global'],
];

/** The peer address and type calicoctl derives from a BIRD protocol name, or undefined for other protocols. */
export function peerOfProtocol(name: string): { address: string; type: string } | undefined {
  for (const [prefix, type] of PEER_TYPES) {
    if (!name.startsWith(prefix)) continue;
    const rest = name.slice(prefix.length).replace(/_port_\d+$/, '');
    return { address: rest.replace(/_/g, '.'), type };
  }
  return undefined;
}

/** A table as tablewriter renders it with calicoctl's settings. */
export function asciiTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const centre = (s: string, w: number): string => {
    const gap = w - s.length;
    const left = Math.floor(gap / 2);
    return ' '.repeat(left) + s + ' '.repeat(gap - left);
  };
  const out = [line, '| ' + header.map((h, i) => centre(h, widths[i] ?? 0)).join(' | ') + ' |', line];
  for (const r of rows) out.push('| ' + r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ') + ' |');
  out.push(line);
  return out.join('\n') + '\n';
}

export function calicoctlNodeStatus(bgp: BgpState | undefined, h: Host, now: number): CalicoctlResult {
  if (h.kind !== 'node') return { ok: false, error: 'Calico process is not running.' };
  const sp = bgp?.speakers.find((s) => s.ref === h.id);
  if (!bgp || !sp)
    return {
      ok: true,
      stdout:
        'Calico process is running.\n\nNone of the BGP backend processes (BIRD or GoBGP) are running.\n',
    };
  if (!sp.running)
    return {
      ok: false,
      error: `Calico process is running.\n\nIPv4 BGP status\nError executing command: unable to connect to BIRDv4 socket: dial unix ${BIRD_SOCKET}: connect: connection refused`,
    };
  const rows: string[][] = [];
  for (const p of birdProtocolsOf(bgp, h.id)) {
    const peer = peerOfProtocol(p.name);
    if (!peer) continue;
    rows.push([
      peer.address,
      peer.type,
      p.view.state,
      birdTime(now, bgpWallClock(now, p.since)),
      p.view.info.trim(),
    ]);
  }
  const v4 = rows.length
    ? asciiTable(['PEER ADDRESS', 'PEER TYPE', 'STATE', 'SINCE', 'INFO'], rows)
    : 'No IPv4 peers found.\n';
  return {
    ok: true,
    stdout: `Calico process is running.\n\nIPv4 BGP status\n${v4}\nIPv6 BGP status\nNo IPv6 peers found.\n\n`,
  };
}
