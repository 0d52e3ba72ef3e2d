import { formatFdb, type FdbEntry } from '../dataplane/bridge/fdb';
import type { Link } from '../dataplane/netns/netns';
import type { Host } from '../dataplane/walker/host';

/** The device's multicast address list as `bridge fdb show` dumps it (IPv6 on, so all-nodes and solicited-node groups). */
function selfMulticast(l: Link): string[] {
  const tail = l.mac.split(':').slice(3).join(':');
  if (l.kind === 'bridge') {
    return [
      '33:33:00:00:00:01',
      '01:00:5e:00:00:6a',
      '33:33:00:00:00:6a',
      '01:00:5e:00:00:01',
      `33:33:ff:${tail}`,
    ].map((m) => `${m} dev ${l.name} self permanent`);
  }
  return ['33:33:00:00:00:01', '01:00:5e:00:00:01', `33:33:ff:${tail}`].map(
    (m) => `${m} dev ${l.name} self permanent`,
  );
}

/**
 * `bridge fdb show`: devices in ifindex order; for a bridge port the bridge's entries (learned
 * before local), then the port's own address list; VXLAN devices list only their FDB.
 */
export function bridgeFdbShow(h: Host): string {
  const out: string[] = [];
  const line = (e: FdbEntry): string => (e.permanent || e.self ? formatFdb(e) : `${formatFdb(e)} `);
  for (const l of [...h.links].sort((a, b) => a.ifindex - b.ifindex)) {
    if (l.kind === 'loopback' || l.kind === 'ipip') continue;
    const entries = h.fdb.filter((e) => e.dev === l.name);
    if (l.kind === 'vxlan') {
      out.push(...entries.map(line));
      continue;
    }
    if (l.kind === 'bridge') {
      out.push(...selfMulticast(l), ...entries.map(line));
      continue;
    }
    const learned = entries.filter((e) => e.master !== undefined && !e.permanent);
    const local = entries.filter((e) => e.master !== undefined && e.permanent);
    out.push(...learned.map(line), ...local.map(line), ...selfMulticast(l));
  }
  return out.length ? out.join('\n') + '\n' : '';
}
