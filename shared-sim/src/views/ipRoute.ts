import { formatIpv4, type Ipv4Addr } from '../dataplane/addr/ipv4';
import { compareRoutes, fibLookup, formatRoute } from '../dataplane/route/fib';
import { formatNeigh } from '../dataplane/neigh/neighTable';
import { hostOwns, selectSrc, type Host } from '../dataplane/walker/host';

/** `ip route` (main table); iproute2 ends every route line with a space. */
export function ipRoute(h: Host, table: 'main' | 'local' = 'main'): string {
  const lines = h.routes
    .filter((r) => r.table === table)
    .sort(compareRoutes)
    .map((r) => `${formatRoute(r)} `);
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** `ip route get ADDR`. */
export function ipRouteGet(
  h: Host,
  dst: Ipv4Addr,
): { ok: true; text: string } | { ok: false; error: string } {
  if (hostOwns(h, dst))
    return {
      ok: true,
      text: `local ${formatIpv4(dst)} dev lo src ${formatIpv4(dst)} uid 0 \n    cache <local> \n`,
    };
  const r = fibLookup(h.routes, dst, 'main');
  if (!r || r.type !== 'unicast') return { ok: false, error: 'RTNETLINK answers: Network is unreachable' };
  const dev = r.dev ?? '';
  const src = r.src ?? selectSrc(h, dev, r.via ?? dst);
  const via = r.via !== undefined ? ` via ${formatIpv4(r.via)}` : '';
  return {
    ok: true,
    text: `${formatIpv4(dst)}${via} dev ${dev}${src !== undefined ? ` src ${formatIpv4(src)}` : ''} uid 0 \n    cache \n`,
  };
}

/** `ip neigh`: the entries the control plane programmed (a freshly converged host; learned entries come with traffic). */
export function ipNeigh(h: Host): string {
  return h.neigh.map((n) => `${formatNeigh(n)} `).join('\n') + (h.neigh.length ? '\n' : '');
}
