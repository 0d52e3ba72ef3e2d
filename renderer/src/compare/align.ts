/**
 * Compare: two step lists of the same probe (under two CNI or kube-proxy modes) aligned hop by
 * hop, with what differs marked. Pure functions.
 */
import type { Layer } from '../../../shared-sim/src/index';
import { lcsPairs } from '../stepper/layerDiff';
import { stackText } from '../stepper/layerNames';
import type { Step, TraceResult } from '../worker/protocol';

/** What differs in an aligned row. */
export type RowMark = 'only-left' | 'only-right' | 'iface' | 'encap' | 'mtu' | 'rule' | 'headers';

export interface AlignedRow {
  readonly left?: Step;
  readonly right?: Step;
  readonly marks: readonly RowMark[];
}

/** Two steps are "the same hop" when the same packet is at the same host doing the same kind of thing. */
export function stepKey(s: Step): string {
  return `${s.phase}|${s.hop.host}|${s.hop.stage}`;
}

function sameFieldsOfSameTypes(a: readonly Layer[], b: readonly Layer[]): boolean {
  return a.every((l, i) => JSON.stringify(l) === JSON.stringify(b[i]));
}

function rowMarks(l: Step, r: Step): RowMark[] {
  const marks: RowMark[] = [];
  if ((l.hop.iface ?? '') !== (r.hop.iface ?? '')) marks.push('iface');
  const encapDiffers = stackText(l.hop.layers) !== stackText(r.hop.layers);
  if (encapDiffers) marks.push('encap');
  if (l.mtu !== r.mtu) marks.push('mtu');
  if ((l.hop.rule ?? '') !== (r.hop.rule ?? '')) marks.push('rule');
  if (!encapDiffers && !sameFieldsOfSameTypes(l.hop.layers, r.hop.layers)) marks.push('headers');
  return marks;
}

/** Aligns the two step lists by LCS on (packet, host, stage). */
export function alignSteps(left: readonly Step[], right: readonly Step[]): AlignedRow[] {
  const pairs = lcsPairs(left, right, (a, b) => stepKey(a) === stepKey(b), 'early');
  const rows: AlignedRow[] = [];
  let i = 0;
  let j = 0;
  const flush = (li: number, rj: number): void => {
    for (; i < li; i++) rows.push({ left: left[i], marks: ['only-left'] });
    for (; j < rj; j++) rows.push({ right: right[j], marks: ['only-right'] });
  };
  for (const [li, rj] of pairs) {
    flush(li, rj);
    const l = left[li] as Step;
    const r = right[rj] as Step;
    rows.push({ left: l, right: r, marks: rowMarks(l, r) });
    i = li + 1;
    j = rj + 1;
  }
  flush(left.length, right.length);
  return rows;
}

export interface SummaryRow {
  readonly key: 'verdict' | 'deliveredTo' | 'hops' | 'wire' | 'pathMtu' | 'encap';
  readonly left: string;
  readonly right: string;
  readonly differs: boolean;
}

/** The smallest MTU of the interfaces the request left by (its `tx` hops). */
export function pathMtu(r: TraceResult): number | undefined {
  const mtus = r.steps.filter((s) => s.phase === 'request' && s.hop.stage === 'tx' && s.mtu !== undefined);
  return mtus.length ? Math.min(...mtus.map((s) => s.mtu as number)) : undefined;
}

/** Headers of the request on the first lab network it crossed, as a capture there shows them. */
export function wireStack(r: TraceResult): string {
  const w = r.trace.wire[0];
  return w ? stackText(w.layers) : '—';
}

function encapsulations(r: TraceResult): string {
  const kinds = new Set<string>();
  for (const w of r.trace.wire) {
    for (const l of w.layers) {
      if (l.type === 'vxlan') kinds.add(`VXLAN VNI ${l.vni}`);
      if (l.type === 'ipv4' && l.protocol === 'ipip') kinds.add('IP-in-IP');
    }
    const udp = w.layers.find((l) => l.type === 'udp');
    if (udp && udp.type === 'udp' && w.layers.some((l) => l.type === 'vxlan')) kinds.add(`UDP ${udp.dst}`);
  }
  return kinds.size ? [...kinds].join(', ') : 'none';
}

export function summarize(left: TraceResult, right: TraceResult): SummaryRow[] {
  const row = (key: SummaryRow['key'], f: (r: TraceResult) => string): SummaryRow => {
    const a = f(left);
    const b = f(right);
    return { key, left: a, right: b, differs: a !== b };
  };
  const hops = (r: TraceResult): string =>
    `${r.trace.hops.length}${r.trace.reply ? ` + ${r.trace.reply.hops.length}` : ''}`;
  return [
    row('verdict', (r) => r.trace.verdict),
    row('deliveredTo', (r) => r.trace.deliveredTo ?? '—'),
    row('hops', hops),
    row('encap', encapsulations),
    row('wire', wireStack),
    row('pathMtu', (r) => String(pathMtu(r) ?? '—')),
  ];
}
