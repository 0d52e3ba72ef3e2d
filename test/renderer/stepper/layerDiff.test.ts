import { describe, expect, it } from 'vitest';
import type { Layer } from '../../../shared-sim/src/index';
import { diffLayers, hasChanges, lcsPairs } from '../../../renderer/src/stepper/layerDiff';
import { stackText, layerSummary } from '../../../renderer/src/stepper/layerNames';

const ip = (src: string, dst: string, ttl = 64, protocol = 'tcp', length = 60): Layer => ({
  type: 'ipv4',
  src,
  dst,
  ttl,
  protocol,
  df: true,
  length,
});
const tcp = (src: number, dst: number, flags = 'S'): Layer => ({ type: 'tcp', src, dst, flags });
const eth = (src: string, dst: string): Layer => ({ type: 'eth', src, dst });

describe('lcsPairs', () => {
  it('pairs the innermost occurrence when a type repeats', () => {
    expect(
      lcsPairs(['ipv4', 'tcp'], ['eth', 'ipv4', 'udp', 'vxlan', 'eth', 'ipv4', 'tcp'], (a, b) => a === b),
    ).toEqual([
      [0, 5],
      [1, 6],
    ]);
  });
  it('pairs the first occurrence when asked to prefer early matches', () => {
    expect(lcsPairs(['route', 'tx'], ['route', 'encap', 'route', 'tx'], (a, b) => a === b, 'early')).toEqual([
      [0, 0],
      [1, 3],
    ]);
    expect(lcsPairs(['route', 'tx'], ['route', 'encap', 'route', 'tx'], (a, b) => a === b)).toEqual([
      [0, 2],
      [1, 3],
    ]);
  });
  it('is empty when nothing matches', () => {
    expect(lcsPairs([1, 2], [3], (a, b) => a === b)).toEqual([]);
  });
});

describe('diffLayers', () => {
  it('shows the first hop as it is', () => {
    const d = diffLayers(undefined, [ip('10.244.0.2', '10.96.0.10'), tcp(40000, 80)]);
    expect(hasChanges(d)).toBe(false);
    expect(d.layers.map((l) => l.added)).toEqual([false, false]);
  });

  it('marks DNAT: the destination address and port, with their old values', () => {
    const d = diffLayers(
      [ip('10.244.0.2', '10.99.9.225'), tcp(45332, 80)],
      [ip('10.244.0.2', '10.244.0.3'), tcp(45332, 8080)],
    );
    expect(d.layers.map((l) => l.changed)).toEqual([{ dst: '10.99.9.225' }, { dst: 80 }]);
    expect(d.removed).toEqual([]);
  });

  it('marks SNAT and the TTL a router decrements', () => {
    const d = diffLayers([ip('10.244.0.2', '8.8.8.8', 64)], [ip('192.168.1.10', '8.8.8.8', 63)]);
    expect(d.layers[0]?.changed).toEqual({ src: '10.244.0.2', ttl: 64 });
  });

  it('shows VXLAN encapsulation as four new outer headers, the inner ones unchanged', () => {
    const inner = [
      eth('aa:aa:aa:aa:aa:aa', 'bb:bb:bb:bb:bb:bb'),
      ip('10.244.0.2', '10.244.1.2', 63),
      tcp(40000, 8080),
    ];
    const d = diffLayers(inner, [
      eth('52:54:00:00:00:01', '52:54:00:00:00:02'),
      ip('192.168.1.10', '192.168.1.11', 64, 'udp', 110),
      { type: 'udp', src: 53553, dst: 8472, length: 90 },
      { type: 'vxlan', vni: 1 },
      ...inner,
    ]);
    expect(d.layers.map((l) => l.added)).toEqual([true, true, true, true, false, false, false]);
    expect(d.layers.slice(4).every((l) => Object.keys(l.changed).length === 0)).toBe(true);
    expect(hasChanges(d)).toBe(true);
  });

  it('lists the headers decapsulation removed', () => {
    const outer: Layer[] = [
      eth('52:54:00:00:00:01', '52:54:00:00:00:02'),
      ip('192.168.1.10', '192.168.1.11', 64, 'udp', 110),
      { type: 'udp', src: 53553, dst: 8472, length: 90 },
      { type: 'vxlan', vni: 1 },
    ];
    const inner = [
      eth('aa:aa:aa:aa:aa:aa', 'bb:bb:bb:bb:bb:bb'),
      ip('10.244.0.2', '10.244.1.2', 63),
      tcp(40000, 8080),
    ];
    const d = diffLayers([...outer, ...inner], inner);
    expect(d.removed).toEqual(outer);
    expect(d.layers.every((l) => !l.added)).toBe(true);
  });

  it('names the stack outermost first, as the tree shows it', () => {
    expect(
      stackText([
        eth('a', 'b'),
        ip('1.1.1.1', '2.2.2.2', 64, 'udp'),
        { type: 'udp', src: 1, dst: 8472, length: 8 },
        { type: 'vxlan', vni: 1 },
        eth('c', 'd'),
        ip('3.3.3.3', '4.4.4.4'),
        tcp(1, 2),
      ]),
    ).toBe('Ethernet › IPv4 › UDP › VXLAN › Ethernet › IPv4 › TCP');
    expect(layerSummary(tcp(40000, 8080, 'S.'))).toBe('Src Port: 40000, Dst Port: 8080 [S.]');
  });
});
