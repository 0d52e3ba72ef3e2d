import { describe, expect, it } from 'vitest';
import type { MacAddr } from '../../../../shared-sim/src/dataplane/addr/mac';
import { linkLocalIpv6, nicMac, parseMac, randomMac } from '../../../../shared-sim/src/dataplane/addr/mac';

const MAC_RE = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;

describe('randomMac', () => {
  const keys = [
    'node-1/cni0',
    'node-1/flannel.1',
    'node-1/veth0a1b2c3d',
    'node-2/cni0',
    'pod/shop/web-1/eth0',
    '',
  ];

  it.each(keys)('gives a locally administered unicast address for %j', (key) => {
    const mac = randomMac(key);
    expect(mac).toMatch(MAC_RE);
    const first = parseInt(mac.slice(0, 2), 16);
    expect(first & 0x01).toBe(0); // I/G bit clear: unicast
    expect(first & 0x02).toBe(2); // U/L bit set: locally administered (eth_random_addr)
  });

  it('is a pure function of its key', () => {
    expect(randomMac('node-1/cni0')).toBe(randomMac('node-1/cni0'));
    expect(new Set(keys.map(randomMac)).size).toBe(keys.length);
  });

  it('nicMac lives in the KVM range 52:54:00 and is deterministic', () => {
    expect(nicMac('node-1')).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    expect(nicMac('node-1')).toBe(nicMac('node-1'));
    expect(nicMac('node-1')).not.toBe(nicMac('node-2'));
  });
});

describe('parseMac', () => {
  it('accepts colon form and lower-cases it', () => {
    expect(parseMac('3E:01:ED:47:DE:7F')).toBe('3e:01:ed:47:de:7f');
  });
  it.each([
    '3e-01-ed-47-de-7f',
    '3e:01:ed:47:de',
    '3e:01:ed:47:de:7f:00',
    '3e:1:ed:47:de:7f',
    'gg:01:ed:47:de:7f',
  ])('rejects %j', (text) => {
    expect(parseMac(text)).toBeUndefined();
  });
});

describe('linkLocalIpv6 (EUI-64, as `ip -6 addr` shows it)', () => {
  // Real kernel outputs: the U/L bit flipped, ff:fe inserted, printed in RFC 5952 form.
  it('02:cb:00:00:01:01 → fe80::cb:ff:fe00:101', () => {
    expect(linkLocalIpv6('02:cb:00:00:01:01' as MacAddr)).toBe('fe80::cb:ff:fe00:101');
  });

  it('3e:01:ed:47:de:7f → fe80::3c01:edff:fe47:de7f', () => {
    expect(linkLocalIpv6('3e:01:ed:47:de:7f' as MacAddr)).toBe('fe80::3c01:edff:fe47:de7f');
  });

  it('52:54:00:12:34:56 → fe80::5054:ff:fe12:3456', () => {
    expect(linkLocalIpv6('52:54:00:12:34:56' as MacAddr)).toBe('fe80::5054:ff:fe12:3456');
  });

  // Was a bug (fixed): linkLocalIpv6 prints every group after "fe80::" and never merges a zero first group into
  // the "::" run, so 02:00:… gives "fe80::0:c0ff:fea8:10a" instead of the kernel's RFC 5952 text.
  it('02:00:c0:a8:01:0a → fe80::c0ff:fea8:10a (zero group folded into ::)', () => {
    expect(linkLocalIpv6('02:00:c0:a8:01:0a' as MacAddr)).toBe('fe80::c0ff:fea8:10a');
  });
});
