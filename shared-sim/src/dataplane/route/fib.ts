import { cidrContains, formatCidr, formatIpv4, type Cidr, type Ipv4Addr } from '../addr/ipv4';

/** A route as the kernel holds it (one fib_alias). */
export interface Route {
  readonly table: 'main' | 'local';
  readonly type: 'unicast' | 'local' | 'broadcast' | 'blackhole' | 'unreachable' | 'prohibit';
  readonly dst: Cidr;
  readonly via?: Ipv4Addr;
  readonly dev?: string;
  readonly onlink?: boolean;
  /** iproute2 names: kernel, boot, static, bird, dhcp …; `boot` is what `ip route add` sets and is not printed. */
  readonly proto: string;
  readonly scope: 'host' | 'link' | 'universe';
  readonly src?: Ipv4Addr;
  readonly metric?: number;
  /** Why the control plane installed it this way (BIRD's recursive next hop …), for the trace; not printed by `ip route`. */
  readonly note?: string;
}

/**
 * The order `ip route` dumps a table in: the FIB trie walks keys in ascending address order, and
 * at one key the longer prefix comes first; equal prefixes by metric.
 */
export function compareRoutes(a: Route, b: Route): number {
  return a.dst.addr - b.dst.addr || b.dst.len - a.dst.len || (a.metric ?? 0) - (b.metric ?? 0);
}

/** Longest-prefix match in one table; among equal prefixes the lowest metric wins. */
export function fibLookup(
  routes: readonly Route[],
  dst: Ipv4Addr,
  table: 'main' | 'local',
): Route | undefined {
  let best: Route | undefined;
  for (const r of routes) {
    if (r.table !== table || !cidrContains(r.dst, dst)) continue;
    if (
      best === undefined ||
      r.dst.len > best.dst.len ||
      (r.dst.len === best.dst.len && (r.metric ?? 0) < (best.metric ?? 0))
    )
      best = r;
  }
  return best;
}

/** The route as `ip route` prints it (without the trailing space iproute2 adds). */
export function formatRoute(r: Route, withTable = false): string {
  const parts: string[] = [];
  if (r.type !== 'unicast') parts.push(r.type);
  const isDefault = r.dst.len === 0 && r.dst.addr === 0 && r.type !== 'local' && r.type !== 'broadcast';
  // iproute2 leaves out the prefix length of a host (/32) destination
  parts.push(isDefault ? 'default' : r.dst.len === 32 ? formatIpv4(r.dst.addr) : formatCidr(r.dst));
  if (r.via !== undefined) parts.push('via', formatIpv4(r.via));
  if (r.dev !== undefined) parts.push('dev', r.dev);
  if (withTable && r.table !== 'main') parts.push('table', r.table);
  if (r.proto !== 'boot') parts.push('proto', r.proto);
  const defaultScope = r.type === 'local' ? 'host' : r.type === 'broadcast' ? 'link' : 'universe';
  if (r.scope !== 'universe' || defaultScope !== 'universe') parts.push('scope', r.scope);
  if (r.src !== undefined) parts.push('src', formatIpv4(r.src));
  if (r.metric !== undefined && r.metric !== 0) parts.push('metric', String(r.metric));
  if (r.onlink) parts.push('onlink');
  return parts.join(' ');
}
