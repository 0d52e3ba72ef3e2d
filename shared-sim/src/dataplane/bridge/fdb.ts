import { formatIpv4, type Ipv4Addr } from '../addr/ipv4';
import type { MacAddr } from '../addr/mac';

/**
 * A forwarding-database entry: either a Linux bridge's entry (`master cni0`: which port a MAC
 * lives behind) or a device's own entry (`self`, e.g. a VXLAN device's MAC → remote VTEP IP).
 */
export interface FdbEntry {
  readonly mac: MacAddr;
  readonly dev: string;
  /** The bridge this port belongs to (bridge entries). */
  readonly master?: string;
  /** VXLAN: the remote VTEP. */
  readonly dst?: Ipv4Addr;
  readonly vlan?: number;
  readonly self: boolean;
  readonly permanent: boolean;
}

/** Which port of `bridge` a frame for `mac` leaves by, if the bridge knows. */
export function brFdbLookup(fdb: readonly FdbEntry[], bridge: string, mac: MacAddr): FdbEntry | undefined {
  return (
    fdb.find((e) => e.master === bridge && e.mac === mac && e.vlan === undefined) ??
    fdb.find((e) => e.master === bridge && e.mac === mac)
  );
}

/** A VXLAN device's entry for `mac` (`self`), or its all-zeros default destination. */
export function vxlanFdbLookup(fdb: readonly FdbEntry[], dev: string, mac: MacAddr): FdbEntry | undefined {
  return (
    fdb.find((e) => e.dev === dev && e.self && e.mac === mac && e.dst !== undefined) ??
    fdb.find((e) => e.dev === dev && e.self && e.mac === '00:00:00:00:00:00' && e.dst !== undefined)
  );
}

/** `bridge fdb show` line. */
export function formatFdb(e: FdbEntry): string {
  const parts: string[] = [e.mac, 'dev', e.dev];
  if (e.vlan !== undefined) parts.push('vlan', String(e.vlan));
  if (e.dst !== undefined) parts.push('dst', formatIpv4(e.dst));
  if (e.master !== undefined) parts.push('master', e.master);
  if (e.self) parts.push('self');
  if (e.permanent) parts.push('permanent');
  return parts.join(' ');
}
