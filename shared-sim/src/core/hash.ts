/**
 * Deterministic hashing. Linux picks some values at random (veth names, MAC addresses, the
 * VXLAN outer source port via the flow hash, iptables `statistic` choices); Podpath derives
 * them from stable inputs instead so that the same lab always gives the same output.
 */

/** 32-bit FNV-1a over a string's UTF-16 code units. */
export function fnv1a32(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Bob Jenkins' final mix, to spread FNV's low-entropy high bits. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

export function hash32(s: string): number {
  return mix32(fnv1a32(s));
}

/** `n` pseudo-random bytes derived from a string key. */
export function hashBytes(key: string, n: number): number[] {
  const out: number[] = [];
  let i = 0;
  while (out.length < n) {
    const h = hash32(`${key}#${i++}`);
    out.push(h >>> 24, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff);
  }
  return out.slice(0, n);
}
