import { describe, expect, it } from 'vitest';
import { sha1 } from '../../../shared-sim/src/core/sha1';
import { toHex } from '../../../shared-sim/src/core/sha256';

describe('sha1', () => {
  it('matches the FIPS 180 example vectors', () => {
    expect(toHex(sha1(''))).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
    expect(toHex(sha1('abc'))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(toHex(sha1('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
    );
    expect(toHex(sha1('a'.repeat(1_000_000)))).toBe('34aa973cd4c4daa4f61eeb2bdbad27316534016f');
  });

  it('pads correctly around the 55/56/64-byte block boundaries (as sha1sum prints them)', () => {
    expect(toHex(sha1('a'.repeat(55)))).toBe('c1c8bbdc22796e28c0e15163d20899b65621d65a');
    expect(toHex(sha1('a'.repeat(56)))).toBe('c2db330f6083854c99d4b5bfb6e8f29f201be699');
    expect(toHex(sha1('a'.repeat(64)))).toBe('0098ba824b5c16427bd7a1122a5a442a25ec644d');
  });
});
