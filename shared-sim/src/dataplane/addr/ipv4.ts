/** IPv4 addresses as unsigned 32-bit integers, and prefixes (CIDRs). */

declare const ipv4Brand: unique symbol;
/** An IPv4 address as an unsigned 32-bit integer. */
export type Ipv4Addr = number & { readonly [ipv4Brand]: true };

export interface Cidr {
  readonly addr: Ipv4Addr; // the network address (host bits zero) unless `exact` keeps the host part
  readonly len: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Parses dotted-quad text; returns undefined when it is not exactly four decimal octets. */
export function parseIpv4(text: string): Ipv4Addr | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0;
  for (const p of parts) {
    if (!OCTET.test(p)) return undefined;
    v = v * 256 + Number(p);
  }
  return v as Ipv4Addr;
}

/**
 * Kubernetes' ParseIPSloppy: like parseIpv4 but accepts the legacy spelling with leading zeros
 * (`172.30.0.041` is 172.30.0.41, decimal), which older API servers stored in Service fields.
 */
export function parseIpv4Sloppy(text: string): Ipv4Addr | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((v, p) => v * 256 + Number(p), 0) as Ipv4Addr;
}

export function ipv4(text: string): Ipv4Addr {
  const a = parseIpv4(text);
  if (a === undefined) throw new Error(`not an IPv4 address: ${text}`);
  return a;
}

export function formatIpv4(a: number): string {
  return `${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

export function maskOf(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

export function networkOf(a: number, len: number): Ipv4Addr {
  return ((a & maskOf(len)) >>> 0) as Ipv4Addr;
}

export function broadcastOf(c: Cidr): Ipv4Addr {
  return ((c.addr | (~maskOf(c.len) >>> 0)) >>> 0) as Ipv4Addr;
}

export function cidrContains(c: Cidr, a: number): boolean {
  return (a & maskOf(c.len)) >>> 0 === c.addr;
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrCovers(outer: Cidr, inner: Cidr): boolean {
  return inner.len >= outer.len && cidrContains(outer, inner.addr);
}

export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return a.len <= b.len ? cidrContains(a, b.addr) : cidrContains(b, a.addr);
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.len);
}

export function addOffset(a: number, n: number): Ipv4Addr {
  return ((a + n) >>> 0) as Ipv4Addr;
}

export type CidrParse =
  | { readonly ok: true; readonly cidr: Cidr; readonly host: Ipv4Addr }
  | { readonly ok: false; readonly reason: string };

/**
 * Parses `a.b.c.d/len`. `host` is the address as written; `cidr.addr` is the network address.
 * With `strict`, host bits must be zero (as Kubernetes requires of a podCIDR).
 */
export function parseCidr(text: string, strict = false): CidrParse {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m) return { ok: false, reason: 'is not a CIDR (expected a.b.c.d/len)' };
  const a = parseIpv4(m[1] ?? '');
  const len = Number(m[2]);
  if (a === undefined) return { ok: false, reason: 'is not a CIDR: the address is not a valid IPv4 address' };
  if (len > 32) return { ok: false, reason: 'is not a CIDR: the prefix length must be 0-32' };
  const net = networkOf(a, len);
  if (strict && net !== a)
    return { ok: false, reason: `has host bits set (did you mean ${formatIpv4(net)}/${len}?)` };
  return { ok: true, cidr: { addr: net, len }, host: a };
}

export function cidr(text: string): Cidr {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(`${text} ${r.reason}`);
  return r.cidr;
}

export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.addr)}/${c.len}`;
}

/** iptables prints a host address with /32 and a network as a.b.c.d/len. */
export function isPrivateOrReserved(a: number): boolean {
  return a >>> 24 === 127 || a >>> 28 === 14; // loopback or multicast
}
