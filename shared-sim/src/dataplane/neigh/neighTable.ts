import { formatIpv4, type Ipv4Addr } from '../addr/ipv4';
import type { MacAddr } from '../addr/mac';

export type NudState =
  'PERMANENT' | 'REACHABLE' | 'STALE' | 'DELAY' | 'PROBE' | 'FAILED' | 'INCOMPLETE' | 'NOARP';

export interface NeighEntry {
  readonly ip: Ipv4Addr;
  readonly dev: string;
  readonly lladdr?: MacAddr;
  readonly state: NudState;
  readonly router?: boolean;
}

export function neighLookup(table: readonly NeighEntry[], dev: string, ip: Ipv4Addr): NeighEntry | undefined {
  return table.find((n) => n.dev === dev && n.ip === ip && n.state !== 'FAILED' && n.state !== 'INCOMPLETE');
}

/** `ip neigh` line: `10.244.2.0 dev flannel.1 lladdr 3e:01:ed:47:de:7f PERMANENT`. */
export function formatNeigh(n: NeighEntry): string {
  const parts = [formatIpv4(n.ip), 'dev', n.dev];
  if (n.lladdr !== undefined) parts.push('lladdr', n.lladdr);
  if (n.router) parts.push('router');
  parts.push(n.state);
  return parts.join(' ');
}
