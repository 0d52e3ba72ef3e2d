/**
 * What a hop changed in the header stack: the layers are aligned with the previous hop's (inner
 * layers matched first, so an outer header put on by encapsulation shows as added, not as the old
 * headers changing), and each matched layer's fields compared (DNAT, SNAT, TTL, MACs, ports).
 */
import type { Layer } from '../../../shared-sim/src/index';

export interface LayerChange {
  readonly layer: Layer;
  /** The layer did not exist at the previous hop (encapsulation, a new link-layer header). */
  readonly added: boolean;
  /** Field name → the value it had at the previous hop, for the fields this hop changed. */
  readonly changed: Readonly<Record<string, string | number | boolean | undefined>>;
}

export interface LayerDiff {
  readonly layers: readonly LayerChange[];
  /** Layers the previous hop had that are gone (decapsulation), outermost first. */
  readonly removed: readonly Layer[];
}

/**
 * Longest common subsequence of two sequences under `same`, as index pairs in order. Ties are
 * broken towards the ends of the sequences by default (backtracking from the end matches as late
 * as it can), which for header stacks means the innermost layers are paired first; `early` pairs
 * as soon as it can (for step lists: the first route lookup with the first route lookup).
 */
export function lcsPairs<A, B>(
  a: readonly A[],
  b: readonly B[],
  same: (x: A, y: B) => boolean,
  prefer: 'late' | 'early' = 'late',
): [number, number][] {
  if (prefer === 'early') {
    const n = a.length;
    const m = b.length;
    return lcsPairs([...a].reverse(), [...b].reverse(), same)
      .map(([i, j]): [number, number] => [n - 1 - i, m - 1 - j])
      .reverse();
  }
  const n = a.length;
  const m = b.length;
  const w = m + 1;
  const dp = new Uint32Array((n + 1) * w);
  for (let i = 1; i <= n; i++)
    for (let j = 1; j <= m; j++)
      dp[i * w + j] = same(a[i - 1] as A, b[j - 1] as B)
        ? (dp[(i - 1) * w + j - 1] ?? 0) + 1
        : Math.max(dp[(i - 1) * w + j] ?? 0, dp[i * w + j - 1] ?? 0);
  const pairs: [number, number][] = [];
  let i = n;
  let j = m;
  while (i > 0 && j > 0) {
    if (same(a[i - 1] as A, b[j - 1] as B) && dp[i * w + j] === (dp[(i - 1) * w + j - 1] ?? 0) + 1) {
      pairs.push([i - 1, j - 1]);
      i--;
      j--;
    } else if ((dp[(i - 1) * w + j] ?? 0) >= (dp[i * w + j - 1] ?? 0)) i--;
    else j--;
  }
  return pairs.reverse();
}

function fields(l: Layer): Record<string, string | number | boolean | undefined> {
  const out: Record<string, string | number | boolean | undefined> = {};
  for (const [k, v] of Object.entries(l)) if (k !== 'type') out[k] = v;
  return out;
}

/** The changes from `prev` (the previous hop's layers; undefined at the first hop) to `cur`. */
export function diffLayers(prev: readonly Layer[] | undefined, cur: readonly Layer[]): LayerDiff {
  if (prev === undefined)
    return { layers: cur.map((layer) => ({ layer, added: false, changed: {} })), removed: [] };
  const pairs = lcsPairs(prev, cur, (x, y) => x.type === y.type);
  const prevOf = new Map<number, number>(pairs.map(([p, c]) => [c, p]));
  const matchedPrev = new Set(pairs.map(([p]) => p));
  const layers = cur.map((layer, ci): LayerChange => {
    const pi = prevOf.get(ci);
    const before = pi === undefined ? undefined : prev[pi];
    if (before === undefined) return { layer, added: true, changed: {} };
    const a = fields(before);
    const b = fields(layer);
    const changed: Record<string, string | number | boolean | undefined> = {};
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) if (a[k] !== b[k]) changed[k] = a[k];
    return { layer, added: false, changed };
  });
  return { layers, removed: prev.filter((_, i) => !matchedPrev.has(i)) };
}

/** Whether anything changed at all (for the event list's "changed headers" mark). */
export function hasChanges(d: LayerDiff): boolean {
  return d.removed.length > 0 || d.layers.some((l) => l.added || Object.keys(l.changed).length > 0);
}
