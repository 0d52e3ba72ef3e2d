/**
 * What the canvas lights up for the stepper's current position: the hosts the packet has visited
 * (request and reply apart), the links it crossed (cytoscape edge ids `link|DEVICE|NETWORK`, as
 * canvas/toElements.ts names them), the host it is at now and the link it just crossed (where the
 * marker is drawn), and the host that dropped it. Pure; published through `pathHighlight`.
 */
import type { WireCapture } from '../../../shared-sim/src/index';
import type { Phase, Step, TraceResult } from '../worker/protocol';
import { isDropStep, isReplyPhase, packetOf } from './steps';

export interface PathHighlight {
  readonly visited: readonly string[];
  readonly replyVisited: readonly string[];
  readonly links: readonly string[];
  readonly replyLinks: readonly string[];
  /** The host (element reference) of the current hop. */
  readonly current: string | null;
  /** The host the packet came from when the current hop is the first on a new host. */
  readonly previous: string | null;
  /** The link edges crossed to reach the current hop (empty when it stayed on the host or went over a veth). */
  readonly currentLinks: readonly string[];
  readonly currentReply: boolean;
  /** The host where the packet was dropped or rejected, once the stepper is at that hop. */
  readonly dropped: string | null;
}

export const EMPTY_HIGHLIGHT: PathHighlight = {
  visited: [],
  replyVisited: [],
  links: [],
  replyLinks: [],
  current: null,
  previous: null,
  currentLinks: [],
  currentReply: false,
  dropped: null,
};

const DEVICE = /^(node|router|client)\//;

/**
 * The link edges crossed between two consecutive hops on different hosts: the lab network of the
 * next wire capture from `from` to `to` (captures are used in order, one per crossing).
 */
function crossing(wire: readonly WireCapture[], used: Set<number>, from: string, to: string): string[] {
  if (!DEVICE.test(from) || !DEVICE.test(to)) return [];
  const i = wire.findIndex((w, k) => !used.has(k) && w.from === from && w.to === to);
  if (i < 0) return [];
  used.add(i);
  const net = (wire[i] as WireCapture).network;
  return [`link|${from}|${net}`, `link|${to}|${net}`];
}

export function highlightAt(r: TraceResult | undefined, index: number): PathHighlight {
  const steps = r?.steps ?? [];
  const cur = steps[index];
  if (!r || !cur) return EMPTY_HIGHLIGHT;
  const visited = new Set<string>();
  const replyVisited = new Set<string>();
  const links = new Set<string>();
  const replyLinks = new Set<string>();
  const used = new Map<Phase, Set<number>>();
  let currentLinks: string[] = [];
  let previous: string | null = null;
  let prev: Step | undefined;
  for (const s of steps.slice(0, index + 1)) {
    const reply = isReplyPhase(s.phase);
    (reply ? replyVisited : visited).add(s.hop.host);
    let crossed: string[] = [];
    if (prev && prev.phase === s.phase && prev.hop.host !== s.hop.host) {
      const u = used.get(s.phase) ?? new Set<number>();
      used.set(s.phase, u);
      crossed = crossing(packetOf(r, s.phase)?.wire ?? [], u, prev.hop.host, s.hop.host);
      for (const l of crossed) (reply ? replyLinks : links).add(l);
    }
    if (s === cur) {
      currentLinks = crossed;
      previous = prev && prev.phase === s.phase && prev.hop.host !== s.hop.host ? prev.hop.host : null;
    }
    prev = s;
  }
  const dropped = isDropStep(r, index) ? cur.hop.host : null;
  return {
    visited: [...visited],
    replyVisited: [...replyVisited],
    links: [...links],
    replyLinks: [...replyLinks],
    current: cur.hop.host,
    previous,
    currentLinks,
    currentReply: isReplyPhase(cur.phase),
    dropped,
  };
}

type Listener = () => void;

/** A tiny external store the canvas subscribes to (cytoscape lives outside React). */
export class HighlightStore {
  private value: PathHighlight = EMPTY_HIGHLIGHT;
  private readonly listeners = new Set<Listener>();

  get = (): PathHighlight => this.value;

  set(v: PathHighlight): void {
    if (v === this.value) return;
    this.value = v;
    for (const l of [...this.listeners]) l();
  }

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
}

/** The app's one path highlight (the stepper writes it, the canvas reads it). */
export const pathHighlight = new HighlightStore();
