import { describe, expect, it } from 'vitest';
import { base32, sha256, toHex, utf8Bytes } from '../../../shared-sim/src/core/sha256';

const ascii = (s: string): Uint8Array => Uint8Array.from([...s].map((c) => c.charCodeAt(0)));

describe('sha256', () => {
  it('matches the FIPS 180-2 / NIST example vectors', () => {
    expect(toHex(sha256(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(sha256('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(sha256('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(
      toHex(
        sha256(
          'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
        ),
      ),
    ).toBe('cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1');
    expect(toHex(sha256('a'.repeat(1_000_000)))).toBe(
      'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
    );
  });

  it('pads correctly around the 55/56/64-byte block boundaries', () => {
    expect(toHex(sha256('a'.repeat(55)))).toBe(
      '9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318',
    );
    expect(toHex(sha256('a'.repeat(56)))).toBe(
      'b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a',
    );
    expect(toHex(sha256('a'.repeat(64)))).toBe(
      'ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb',
    );
  });

  it('hashes strings as UTF-8, like Go', () => {
    expect([...utf8Bytes('é✓😀')]).toEqual([0xc3, 0xa9, 0xe2, 0x9c, 0x93, 0xf0, 0x9f, 0x98, 0x80]);
    expect(toHex(sha256('é'))).toBe(toHex(sha256(Uint8Array.from([0xc3, 0xa9]))));
  });
});

describe('base32', () => {
  it('matches the RFC 4648 §10 test vectors (standard alphabet, padded)', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['f', 'MY======'],
      ['fo', 'MZXQ===='],
      ['foo', 'MZXW6==='],
      ['foob', 'MZXW6YQ='],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI======'],
    ];
    for (const [input, want] of cases) expect(base32(ascii(input))).toBe(want);
  });

  it('encodes a 32-byte digest to 56 characters (52 + 4 padding)', () => {
    const s = base32(sha256('x'));
    expect(s).toHaveLength(56);
    expect(s.endsWith('====')).toBe(true);
    expect(s.slice(0, 52)).toMatch(/^[A-Z2-7]+$/);
  });
});

describe('kube-proxy chain-name hashes (REFERENCE.md §1.3)', () => {
  const h = (s: string): string => base32(sha256(s)).slice(0, 16);
  it('reproduces the upstream and well-known names', () => {
    expect(h('ns1/svc1:p80tcp')).toBe('XPGD46QRK7WJZT7O');
    expect(h('ns1/svc1:p80tcp10.180.0.1:80')).toBe('SXIVWICOYRO3J4NJ');
    expect(h('default/kubernetes:httpstcp')).toBe('NPX46M4PTMTKRN6Y');
    expect(h('kube-system/kube-dns:dnsudp')).toBe('TCOU7JCQXEZGVUNU');
    expect(h('kube-system/kube-dns:dns-tcptcp')).toBe('ERIFXISQEP7F7OF4');
    expect(h('kube-system/kube-dns:metricstcp')).toBe('JD5MR3NA4I4DYORP');
  });
});
