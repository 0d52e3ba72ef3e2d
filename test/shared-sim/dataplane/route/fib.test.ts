import { describe, expect, it } from 'vitest';
import type { Ipv4Addr } from '../../../../shared-sim/src/dataplane/addr/ipv4';
import { cidr, ipv4 } from '../../../../shared-sim/src/dataplane/addr/ipv4';
import type { Route } from '../../../../shared-sim/src/dataplane/route/fib';
import { compareRoutes, fibLookup, formatRoute } from '../../../../shared-sim/src/dataplane/route/fib';
import { MOCK_GW1, MOCK_GW2, MOCK_GW3 } from '../../fixtures/addresses';

/** A route as `ip route add` makes it: main table, unicast, proto boot, scope universe. */
function route(dst: string, rest: Partial<Omit<Route, 'dst'>> = {}): Route {
  return { table: 'main', type: 'unicast', proto: 'boot', scope: 'universe', dst: cidr(dst), ...rest };
}

describe('fibLookup: longest prefix match', () => {
  const routes: readonly Route[] = [
    route('0.0.0.0/0', { via: MOCK_GW1, dev: 'eth0' }),
    route('192.0.0.0/16', { via: MOCK_GW2, dev: 'eth0' }),
    route('192.0.2.0/24', { dev: 'eth1', proto: 'kernel', scope: 'link' }),
    route('192.0.2.77/32', { via: MOCK_GW3, dev: 'eth0' }),
    route('203.0.113.0/24', { via: MOCK_GW1, dev: 'eth0', metric: 100 }),
    route('203.0.113.0/24', { via: MOCK_GW2, dev: 'eth0', metric: 50 }),
    route('203.0.113.0/24', { via: MOCK_GW3, dev: 'eth0', metric: 200 }),
    // the local table is a different table: never an answer for a main-table lookup
    route('192.0.2.10/32', { table: 'local', type: 'local', dev: 'eth1', scope: 'host', proto: 'kernel' }),
  ];

  const cases: readonly (readonly [string, string, string])[] = [
    ['192.0.2.77', 'the /32 beats the /24, /16 and default', '192.0.2.77 via 198.51.100.3 dev eth0'],
    ['192.0.2.78', 'the /24 beats the /16 and default', '192.0.2.0/24 dev eth1 proto kernel scope link'],
    [
      '192.0.2.10',
      'main table only, even if the local table has a /32',
      '192.0.2.0/24 dev eth1 proto kernel scope link',
    ],
    ['192.0.3.1', 'the /16 beats default', '192.0.0.0/16 via 198.51.100.2 dev eth0'],
    ['192.0.255.255', 'last address of the /16', '192.0.0.0/16 via 198.51.100.2 dev eth0'],
    ['192.1.0.0', 'just past the /16', 'default via 198.51.100.1 dev eth0'],
    ['8.8.8.8', 'nothing else matches', 'default via 198.51.100.1 dev eth0'],
    [
      '203.0.113.9',
      'equal prefixes: the lowest metric wins',
      '203.0.113.0/24 via 198.51.100.2 dev eth0 metric 50',
    ],
  ];

  it.each(cases)('%s → %s', (dst, _why, want) => {
    const r = fibLookup(routes, ipv4(dst), 'main');
    expect(r && formatRoute(r)).toBe(want);
  });

  it.each(cases)('%s gives the same answer whatever the insertion order', (dst, _why, want) => {
    const r = fibLookup([...routes].reverse(), ipv4(dst), 'main');
    expect(r && formatRoute(r)).toBe(want);
  });

  it('an unset metric counts as 0 and beats metric 100', () => {
    const r = fibLookup(
      [route('10.0.0.0/8', { dev: 'a', metric: 100 }), route('10.0.0.0/8', { dev: 'b' })],
      ipv4('10.1.2.3'),
      'main',
    );
    expect(r?.dev).toBe('b');
  });

  it('finds the local route in the local table', () => {
    const r = fibLookup(routes, ipv4('192.0.2.10'), 'local');
    expect(r && formatRoute(r, true)).toBe('local 192.0.2.10 dev eth1 table local proto kernel scope host');
  });

  it('gives undefined without a default route when nothing matches', () => {
    expect(fibLookup(routes.slice(1), ipv4('8.8.8.8'), 'main')).toBeUndefined();
    expect(fibLookup([], ipv4('8.8.8.8'), 'main')).toBeUndefined();
  });
});

describe('ip route dump order and text', () => {
  const a = (s: string): Ipv4Addr => ipv4(s);
  // Real kernel output (`ip route` on a host with these routes), trailing spaces removed.
  const REAL = [
    'default via 10.0.0.1 dev d0',
    '10.0.0.0/24 dev d0 proto kernel scope link src 10.0.0.5',
    '10.0.0.0/24 via 10.0.0.7 dev d0 metric 100',
    '10.0.0.0/16 via 10.0.0.1 dev d0',
    '10.0.0.0/8 dev d0 scope link',
    '10.0.0.128/25 via 10.0.0.1 dev d0 proto bird',
    '10.244.2.0/24 via 10.0.0.9 dev d0 onlink',
    'blackhole 10.244.3.0/26',
  ];
  const routes: Route[] = [
    route('0.0.0.0/0', { via: a('10.0.0.1'), dev: 'd0' }),
    route('10.0.0.0/24', { dev: 'd0', proto: 'kernel', scope: 'link', src: a('10.0.0.5') }),
    route('10.0.0.0/24', { via: a('10.0.0.7'), dev: 'd0', metric: 100 }),
    route('10.0.0.0/16', { via: a('10.0.0.1'), dev: 'd0' }),
    route('10.0.0.0/8', { dev: 'd0', scope: 'link' }),
    route('10.0.0.128/25', { via: a('10.0.0.1'), dev: 'd0', proto: 'bird' }),
    route('10.244.2.0/24', { via: a('10.0.0.9'), dev: 'd0', onlink: true }),
    route('10.244.3.0/26', { type: 'blackhole' }),
  ];

  it('formatRoute prints each route exactly as iproute2 does', () => {
    expect(routes.map((r) => formatRoute(r))).toEqual(REAL);
  });

  it.each([
    ['reversed', [7, 6, 5, 4, 3, 2, 1, 0]],
    ['shuffled', [5, 2, 7, 0, 3, 6, 1, 4]],
    ['metric before kernel route', [2, 1, 0, 7, 4, 3, 6, 5]],
  ])('compareRoutes sorts %s input into the kernel dump order', (_name, order) => {
    const sorted = order.map((i) => routes[i] as Route).sort(compareRoutes);
    expect(sorted.map((r) => formatRoute(r))).toEqual(REAL);
  });

  it('compareRoutes is 0 only for the same key and metric', () => {
    expect(compareRoutes(route('10.0.0.0/24', { dev: 'x' }), route('10.0.0.0/24', { dev: 'y' }))).toBe(0);
    expect(Math.sign(compareRoutes(route('10.0.0.0/24'), route('10.0.0.0/16')))).toBe(-1);
    expect(Math.sign(compareRoutes(route('10.0.0.0/24', { metric: 100 }), route('10.0.0.0/24')))).toBe(1);
  });

  it('local-table routes: type and bare address, scope always shown', () => {
    const local = route('10.0.0.5/32', {
      table: 'local',
      type: 'local',
      dev: 'd0',
      proto: 'kernel',
      scope: 'host',
      src: a('10.0.0.5'),
    });
    const bcast = route('10.0.0.255/32', {
      table: 'local',
      type: 'broadcast',
      dev: 'd0',
      proto: 'kernel',
      scope: 'link',
      src: a('10.0.0.5'),
    });
    expect(formatRoute(local)).toBe('local 10.0.0.5 dev d0 proto kernel scope host src 10.0.0.5');
    expect(formatRoute(local, true)).toBe(
      'local 10.0.0.5 dev d0 table local proto kernel scope host src 10.0.0.5',
    );
    expect(formatRoute(bcast, true)).toBe(
      'broadcast 10.0.0.255 dev d0 table local proto kernel scope link src 10.0.0.5',
    );
  });

  it('prints the unreachable/prohibit types and hides metric 0 like iproute2', () => {
    expect(formatRoute(route('10.244.8.0/24', { type: 'unreachable' }))).toBe('unreachable 10.244.8.0/24');
    expect(formatRoute(route('10.244.9.0/24', { type: 'prohibit', proto: 'static' }))).toBe(
      'prohibit 10.244.9.0/24 proto static',
    );
    expect(formatRoute(route('10.0.0.0/24', { dev: 'd0', metric: 0 }))).toBe('10.0.0.0/24 dev d0');
  });

  // Was a bug (fixed): formatRoute prints "default" only for unicast routes; iproute2 prints "default" for any
  // 0.0.0.0/0 (a VRF's `ip route add table 10 unreachable default metric 4278198272` shows as
  // "unreachable default metric 4278198272"), but Podpath prints "unreachable 0.0.0.0/0 …".
  it('a non-unicast default route is still printed as "default"', () => {
    expect(formatRoute(route('0.0.0.0/0', { type: 'unreachable', metric: 4278198272 }))).toBe(
      'unreachable default metric 4278198272',
    );
    expect(formatRoute(route('0.0.0.0/0', { type: 'blackhole' }))).toBe('blackhole default');
  });
});
