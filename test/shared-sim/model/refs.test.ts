import { describe, expect, it } from 'vitest';
import type { ElementRef } from '../../../shared-sim/src/model/refs';
import {
  clientRef,
  formatRef,
  networkRef,
  nodeRef,
  parseRef,
  podRef,
  routerRef,
  svcRef,
} from '../../../shared-sim/src/model/refs';

describe('parseRef (CONTRACT.md §2)', () => {
  it.each<[string, ElementRef]>([
    ['node/node-1', { kind: 'node', name: 'node-1' }],
    ['router/tor-a', { kind: 'router', name: 'tor-a' }],
    ['client/laptop', { kind: 'client', name: 'laptop' }],
    ['network/rack-a', { kind: 'network', name: 'rack-a' }],
    ['pod/shop/web-1', { kind: 'pod', namespace: 'shop', name: 'web-1' }],
    ['svc/shop/web', { kind: 'svc', namespace: 'shop', name: 'web' }],
    ['shop/web-1', { kind: 'pod', namespace: 'shop', name: 'web-1' }],
    [
      'kube-system/coredns-5d78c9869d-x2x8k',
      { kind: 'pod', namespace: 'kube-system', name: 'coredns-5d78c9869d-x2x8k' },
    ],
  ])('%s', (text, ref) => {
    expect(parseRef(text)).toEqual({ ok: true, ref });
    // and back: a bare ns/name prints in its full pod/ form
    expect(formatRef(ref)).toBe(text.split('/').length === 2 && ref.kind === 'pod' ? `pod/${text}` : text);
  });

  const ANY =
    'is not an element reference (expected node/…, router/…, client/…, network/…, pod/…, svc/… or NAMESPACE/NAME)';
  it.each([
    ['', 'is not an element reference (empty part)'],
    ['node/', 'is not an element reference (empty part)'],
    ['/web', 'is not an element reference (empty part)'],
    ['pod//web', 'is not an element reference (empty part)'],
    ['node-1', ANY],
    ['host/a/b', ANY],
    ['shop/web/extra', ANY],
    ['node/a/b', 'is not an element reference (expected node/NAME)'],
    ['network/a/b', 'is not an element reference (expected network/NAME)'],
    ['pod/web-1', 'is not an element reference (expected pod/NAMESPACE/NAME)'],
    ['svc/web', 'is not an element reference (expected svc/NAMESPACE/NAME)'],
    ['svc/shop/web/80', 'is not an element reference (expected svc/NAMESPACE/NAME)'],
  ])('rejects %j', (text, reason) => {
    expect(parseRef(text)).toEqual({ ok: false, reason });
  });

  it('the builders print what parseRef reads', () => {
    expect([
      nodeRef('n'),
      routerRef('r'),
      clientRef('c'),
      networkRef('net'),
      podRef('ns', 'p'),
      svcRef('ns', 's'),
    ]).toEqual(['node/n', 'router/r', 'client/c', 'network/net', 'pod/ns/p', 'svc/ns/s']);
    for (const text of [nodeRef('n'), podRef('ns', 'p'), svcRef('ns', 's')]) {
      const r = parseRef(text);
      expect(r.ok && formatRef(r.ref)).toBe(text);
    }
  });
});
