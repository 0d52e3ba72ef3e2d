import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMPTY_HIGHLIGHT, HighlightStore, highlightAt } from '../../../renderer/src/stepper/pathHighlight';
import { SimCore } from '../../../renderer/src/worker/simCore';
import type { TraceResult } from '../../../renderer/src/worker/protocol';

const VXLAN = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../../assets/labs/flannel-vxlan-2node.podlab.json'), 'utf8'),
) as Record<string, unknown>;

function trace(to: string, port: number): TraceResult {
  const r = new SimCore().handle({
    id: 1,
    kind: 'trace',
    lab: { key: 'v', doc: VXLAN },
    probe: { from: 'shop/web-1', to, port },
  });
  if (!r.ok || r.kind !== 'trace') throw new Error('trace failed');
  return r.value;
}

describe('highlightAt', () => {
  const r = trace('shop/api-1', 8080);
  const at = (host: string, stage: string, phase = 'request'): number =>
    r.steps.findIndex((s) => s.phase === phase && s.hop.host === host && s.hop.stage === stage);

  it('is empty before a walk', () => {
    expect(highlightAt(undefined, 0)).toBe(EMPTY_HIGHLIGHT);
    expect(highlightAt(r, -1)).toBe(EMPTY_HIGHLIGHT);
  });

  it('lights the source at the first hop, with no link crossed', () => {
    expect(highlightAt(r, 0)).toEqual({
      ...EMPTY_HIGHLIGHT,
      visited: ['pod/shop/web-1'],
      current: 'pod/shop/web-1',
    });
  });

  it('lights the two link edges of the network crossed when the packet arrives on the next host', () => {
    const i = at('node/node-2', 'rx');
    const h = highlightAt(r, i);
    expect(h.current).toBe('node/node-2');
    expect(h.previous).toBe('node/node-1');
    expect(h.currentLinks).toEqual(['link|node/node-1|lan', 'link|node/node-2|lan']);
    expect(h.visited).toEqual(['pod/shop/web-1', 'node/node-1', 'node/node-2']);
    expect(h.dropped).toBeNull();
    // one hop later the links stay lit but are no longer the current crossing
    const next = highlightAt(r, i + 1);
    expect(next.currentLinks).toEqual([]);
    expect(next.links).toEqual(['link|node/node-1|lan', 'link|node/node-2|lan']);
  });

  it('keeps the reply apart from the request', () => {
    const last = r.steps.length - 1;
    const h = highlightAt(r, last);
    expect(h.currentReply).toBe(true);
    expect(h.replyVisited).toEqual(['pod/shop/api-1', 'node/node-2', 'node/node-1', 'pod/shop/web-1']);
    expect(h.replyLinks).toEqual(['link|node/node-2|lan', 'link|node/node-1|lan']);
    expect(h.visited).toEqual(['pod/shop/web-1', 'node/node-1', 'node/node-2', 'pod/shop/api-1']);
  });

  it('marks the host that refused the connection once the stepper reaches that hop', () => {
    const refused = trace('shop/api-1', 81);
    expect(refused.trace.verdict).toBe('rejected');
    const lastRequest = refused.steps.filter((s) => s.phase === 'request').length - 1;
    expect(highlightAt(refused, lastRequest - 1).dropped).toBeNull();
    expect(highlightAt(refused, lastRequest).dropped).toBe('pod/shop/api-1');
  });
});

describe('HighlightStore', () => {
  it('notifies subscribers of changes only', () => {
    const s = new HighlightStore();
    let calls = 0;
    const off = s.subscribe(() => calls++);
    s.set(EMPTY_HIGHLIGHT);
    expect(calls).toBe(0);
    s.set({ ...EMPTY_HIGHLIGHT, current: 'node/a' });
    expect(calls).toBe(1);
    off();
    s.set(EMPTY_HIGHLIGHT);
    expect(calls).toBe(1);
    expect(s.get()).toBe(EMPTY_HIGHLIGHT);
  });
});
