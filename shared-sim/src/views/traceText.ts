import { ctEntries, formatCtEntry } from '../dataplane/conntrack/table';
import type { ConntrackState } from '../dataplane/walker/walk';
import type { Layer } from '../dataplane/wire/packet';
import type { PacketTrace, Trace } from '../dataplane/walker/trace';

function layerText(l: Layer): string {
  switch (l.type) {
    case 'eth':
      return `eth ${l.src} > ${l.dst}`;
    case 'ipv4':
      return `ipv4 ${l.src} > ${l.dst} ttl ${l.ttl} ${l.protocol}${l.df ? ' DF' : ''} len ${l.length}${l.fragments !== undefined ? ` (first of ${l.fragments} fragments)` : ''}`;
    case 'udp':
      return `udp ${l.src} > ${l.dst} len ${l.length}`;
    case 'tcp':
      return `tcp ${l.src} > ${l.dst} [${l.flags}]`;
    case 'sctp':
      return `sctp ${l.src} > ${l.dst} [${l.chunk}]`;
    case 'icmp':
      return `icmp type ${l.icmpType} code ${l.code}${l.id !== undefined ? ` id ${l.id} seq ${l.seq ?? 0}` : ''}${l.mtu !== undefined ? ` mtu ${l.mtu}` : ''}`;
    case 'vxlan':
      return `vxlan vni ${l.vni}`;
    case 'payload':
      return `payload ${l.length}`;
  }
}

export function layersText(layers: readonly Layer[]): string {
  return layers.map(layerText).join(' | ');
}

function packetText(t: PacketTrace, title: string): string[] {
  const out = [`${title}: ${t.verdict.toUpperCase()} — ${t.reason}`];
  t.hops.forEach((h, i) => {
    out.push(
      `${String(i + 1).padStart(3)}. ${h.host}${h.iface ? ` ${h.iface}` : ''} [${h.stage}] ${h.detail}`,
    );
    if (h.rule) out.push(`       ${h.rule}`);
  });
  if (t.wire.length) {
    out.push('  on the wire:');
    for (const w of t.wire)
      out.push(`    ${w.network}: ${w.from} → ${w.to}`, `      ${layersText(w.layers)}`);
  }
  return out;
}

/** The human-readable form of a trace, as `podpath trace` prints it without `--json`. */
export function formatTrace(t: Trace): string {
  const out = packetText(t, 'request');
  if (t.reply) out.push('', ...packetText(t.reply, 'reply'));
  return out.join('\n') + '\n';
}

/** `conntrack -L` on every host the walk left entries on, as that host would print them after the packet and its reply. */
export function conntrackAfter(conntrack: ConntrackState): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [host, table] of [...conntrack].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const lines = ctEntries(table).map(formatCtEntry);
    if (lines.length) out[host] = lines;
  }
  return out;
}

export function formatConntrack(c: Record<string, string[]>): string {
  const out: string[] = [];
  for (const [host, lines] of Object.entries(c))
    out.push(`conntrack -L on ${host}:`, ...lines.map((l) => `  ${l}`));
  return out.length ? out.join('\n') + '\n' : '';
}
