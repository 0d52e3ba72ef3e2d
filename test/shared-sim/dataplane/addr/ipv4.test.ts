import { describe, expect, it } from 'vitest';
import {
  addOffset,
  broadcastOf,
  cidr,
  cidrContains,
  cidrCovers,
  cidrOverlaps,
  cidrSize,
  formatCidr,
  formatIpv4,
  ipv4,
  maskOf,
  parseCidr,
  parseIpv4,
  parseIpv4Sloppy,
} from '../../../../shared-sim/src/dataplane/addr/ipv4';

describe('parseIpv4 / formatIpv4', () => {
  it.each([
    ['0.0.0.0', 0],
    ['192.0.2.1', 0xc0000201],
    ['10.244.1.5', 0x0af40105],
    ['255.255.255.255', 0xffffffff],
  ])('parses %s as %d and prints it back', (text, value) => {
    expect(parseIpv4(text)).toBe(value);
    expect(formatIpv4(value)).toBe(text);
  });

  it.each([
    ['1.2.3', 'three octets'],
    ['1.2.3.4.5', 'five octets'],
    ['256.1.1.1', 'an octet above 255'],
    ['1.2.3.300', 'a last octet above 255'],
    // inet_aton would read 01 as octal; Kubernetes (Go net.ParseIP since 1.17) refuses it: so do we.
    ['01.2.3.4', 'a leading zero'],
    ['1.2.3.04', 'a leading zero in the last octet'],
    ['0x1.2.3.4', 'hex'],
    ['1..3.4', 'an empty octet'],
    ['1.2.3.-4', 'a sign'],
    [' 1.2.3.4', 'a leading space'],
    ['1.2.3.4/24', 'a prefix length'],
    ['', 'the empty string'],
  ])('rejects %j (%s)', (text) => {
    expect(parseIpv4(text)).toBeUndefined();
  });

  it('ipv4() throws with the offending text', () => {
    expect(() => ipv4('1.2.3')).toThrow('not an IPv4 address: 1.2.3');
  });

  it('formats only the low 32 bits, unsigned', () => {
    expect(formatIpv4(-1)).toBe('255.255.255.255');
    expect(formatIpv4(0x1_0a00_0001)).toBe('10.0.0.1');
  });
});

describe('parseIpv4Sloppy (Kubernetes ParseIPSloppy)', () => {
  it('reads leading zeros as decimal, not octal', () => {
    expect(parseIpv4Sloppy('172.30.0.041')).toBe(parseIpv4('172.30.0.41'));
    expect(parseIpv4Sloppy('010.096.000.010')).toBe(parseIpv4('10.96.0.10'));
    expect(parseIpv4Sloppy('192.0.2.1')).toBe(parseIpv4('192.0.2.1'));
  });

  it.each(['1.2.3', '256.0.0.1', '1.2.3.0041', '0x1.2.3.4', '1.2.3.-4', '1..3.4', ' 1.2.3.4'])(
    'still rejects %j',
    (text) => {
      expect(parseIpv4Sloppy(text)).toBeUndefined();
    },
  );
});

describe('masks and offsets', () => {
  it.each([
    [0, 0],
    [8, 0xff000000],
    [24, 0xffffff00],
    [26, 0xffffffc0],
    [32, 0xffffffff],
  ])('maskOf(%d) = %d', (len, mask) => {
    expect(maskOf(len)).toBe(mask);
  });

  it('broadcastOf and cidrSize', () => {
    expect(formatIpv4(broadcastOf(cidr('10.244.1.0/24')))).toBe('10.244.1.255');
    expect(formatIpv4(broadcastOf(cidr('10.244.3.0/26')))).toBe('10.244.3.63');
    expect(cidrSize(cidr('10.244.3.0/26'))).toBe(64);
    expect(cidrSize(cidr('0.0.0.0/0'))).toBe(4294967296);
  });

  it('addOffset wraps at 2^32 like a uint32', () => {
    expect(formatIpv4(addOffset(ipv4('10.96.0.0'), 10))).toBe('10.96.0.10');
    expect(addOffset(0xffffffff, 1)).toBe(0);
  });
});

describe('parseCidr', () => {
  it('keeps the written host and gives the network address', () => {
    const r = parseCidr('192.0.2.77/24');
    expect(r).toEqual({ ok: true, cidr: { addr: ipv4('192.0.2.0'), len: 24 }, host: ipv4('192.0.2.77') });
  });

  it('strict mode refuses host bits and suggests the network', () => {
    expect(parseCidr('10.244.1.0/16', true)).toEqual({
      ok: false,
      reason: 'has host bits set (did you mean 10.244.0.0/16?)',
    });
    expect(parseCidr('192.0.2.77/24', true)).toEqual({
      ok: false,
      reason: 'has host bits set (did you mean 192.0.2.0/24?)',
    });
    expect(parseCidr('10.244.0.0/16', true).ok).toBe(true);
  });

  it.each([
    ['10.0.0.0', 'is not a CIDR (expected a.b.c.d/len)'],
    ['10.0.0.0/', 'is not a CIDR (expected a.b.c.d/len)'],
    ['10.0.0.0/123', 'is not a CIDR (expected a.b.c.d/len)'],
    ['10.0.0.0/33', 'is not a CIDR: the prefix length must be 0-32'],
    ['300.0.0.0/8', 'is not a CIDR: the address is not a valid IPv4 address'],
    ['10.0.0/8', 'is not a CIDR: the address is not a valid IPv4 address'],
  ])('refuses %j: %s', (text, reason) => {
    expect(parseCidr(text)).toEqual({ ok: false, reason });
  });

  it('cidr() throws with the text and the reason; formatCidr prints the network', () => {
    expect(() => cidr('192.0.2.0/33')).toThrow('192.0.2.0/33 is not a CIDR: the prefix length must be 0-32');
    expect(formatCidr(cidr('192.0.2.77/24'))).toBe('192.0.2.0/24');
    expect(formatCidr(cidr('0.0.0.0/0'))).toBe('0.0.0.0/0');
  });
});

describe('cidrContains / cidrOverlaps / cidrCovers', () => {
  const net = cidr('192.0.2.0/24');

  it.each([
    ['192.0.1.255', false],
    ['192.0.2.0', true],
    ['192.0.2.128', true],
    ['192.0.2.255', true],
    ['192.0.3.0', false],
  ])('192.0.2.0/24 contains %s: %s', (a, want) => {
    expect(cidrContains(net, ipv4(a))).toBe(want);
  });

  it('/0 contains everything and /32 only itself', () => {
    expect(cidrContains(cidr('0.0.0.0/0'), ipv4('203.0.113.9'))).toBe(true);
    expect(cidrContains(cidr('0.0.0.0/0'), ipv4('255.255.255.255'))).toBe(true);
    expect(cidrContains(cidr('192.0.2.77/32'), ipv4('192.0.2.77'))).toBe(true);
    expect(cidrContains(cidr('192.0.2.77/32'), ipv4('192.0.2.76'))).toBe(false);
  });

  it.each([
    ['10.244.0.0/16', '10.244.3.0/26', true],
    ['10.96.0.0/12', '10.244.0.0/16', false],
    ['10.96.0.0/12', '10.100.0.0/16', true],
    ['192.0.2.0/25', '192.0.2.128/25', false],
    ['192.0.2.0/24', '192.0.2.0/24', true],
    ['0.0.0.0/0', '198.51.100.0/24', true],
  ])('%s and %s overlap: %s (both ways)', (a, b, want) => {
    expect(cidrOverlaps(cidr(a), cidr(b))).toBe(want);
    expect(cidrOverlaps(cidr(b), cidr(a))).toBe(want);
  });

  it('cidrCovers is one-way', () => {
    expect(cidrCovers(cidr('10.244.0.0/16'), cidr('10.244.1.0/24'))).toBe(true);
    expect(cidrCovers(cidr('10.244.1.0/24'), cidr('10.244.0.0/16'))).toBe(false);
    expect(cidrCovers(cidr('10.244.1.0/24'), cidr('10.244.2.0/24'))).toBe(false);
  });
});
