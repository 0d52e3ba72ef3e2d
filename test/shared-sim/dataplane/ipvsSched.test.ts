import { describe, expect, it } from 'vitest';
import { ipv4 } from '../../../shared-sim/src/dataplane/addr/ipv4';
import { ipsetMatch } from '../../../shared-sim/src/dataplane/netfilter/ipset';
import type { IpvsVirtualServer } from '../../../shared-sim/src/dataplane/netfilter/ipvs';
import { ipvsSchedule, wrrSequence } from '../../../shared-sim/src/dataplane/netfilter/ipvsSched';
import { parseRule, formatRule } from '../../../shared-sim/src/dataplane/netfilter/rule';
import type { Ipv4Packet } from '../../../shared-sim/src/dataplane/wire/packet';

const RS = [
  { addr: ipv4('10.244.0.5'), port: 8080, weight: 1 },
  { addr: ipv4('10.244.1.5'), port: 8080, weight: 1 },
  { addr: ipv4('10.244.2.5'), port: 8080, weight: 1 },
];
const vs = (scheduler: string, realServers = RS): IpvsVirtualServer => ({
  proto: 'TCP',
  addr: ipv4('10.96.0.50'),
  port: 80,
  scheduler,
  realServers,
});
const pick = (
  scheduler: string,
  flowHash: number,
  src = '10.244.0.2',
  conns: Record<number, number> = {},
): number | undefined => {
  const r = ipvsSchedule({
    vs: vs(scheduler),
    flowHash,
    src: ipv4(src),
    dst: ipv4('10.96.0.50'),
    activeConns: (d) => conns[RS.indexOf(d as (typeof RS)[number])] ?? 0,
  });
  return r.rs ? RS.indexOf(r.rs as (typeof RS)[number]) : undefined;
};

describe('IPVS schedulers', () => {
  it('rr: the flow hash sets the position', () => {
    expect([0, 1, 2, 3, 4].map((h) => pick('rr', h))).toEqual([0, 1, 2, 0, 1]);
  });
  it('wrr: one period of the weighted cycle', () => {
    const seq = wrrSequence([
      { addr: 1, port: 1, weight: 3 },
      { addr: 2, port: 1, weight: 1 },
    ]);
    expect(seq.map((d) => d.addr)).toEqual([1, 1, 1, 2]);
  });
  it('lc/wlc/sed/nq take the first server on ties and the least loaded otherwise', () => {
    for (const s of ['lc', 'wlc', 'sed', 'nq']) expect(pick(s, 7)).toBe(0);
    for (const s of ['lc', 'wlc', 'sed', 'nq']) expect(pick(s, 7, undefined, { 0: 2, 1: 1, 2: 1 })).toBe(1);
    expect(pick('nq', 7, undefined, { 0: 1, 1: 0, 2: 0 })).toBe(1);
  });
  it('sh: hash_32(source) into 256 buckets round robin over the servers', () => {
    // hash_32(0x0af40002, 8) = (0x0af40002 * 0x61c88647) >> 24
    const b = Math.imul(0x0af40002, 0x61c88647) >>> 24;
    expect(pick('sh', 0, '10.244.0.2')).toBe(b % 3);
    expect(pick('sh', 12345, '10.244.0.2')).toBe(b % 3);
  });
  it('dh: every client of one virtual address gets the same server', () => {
    expect(pick('dh', 1, '10.244.0.2')).toBe(pick('dh', 99, '10.244.7.7'));
  });
  it('no real server: nothing is chosen', () => {
    expect(
      ipvsSchedule({ vs: vs('rr', []), flowHash: 0, src: 0, dst: 0, activeConns: () => 0 }).rs,
    ).toBeUndefined();
  });
});

describe('-m set --match-set', () => {
  const pkt: Ipv4Packet = {
    src: ipv4('10.244.0.5'),
    dst: ipv4('10.96.0.50'),
    ttl: 64,
    df: true,
    l4: { proto: 'tcp', sport: 40000, dport: 80, flags: 'S', optionsLen: 20, payloadLen: 0 },
  };
  it('parses and prints as iptables-save does', () => {
    const r = parseRule(
      '-A KUBE-SERVICES -m comment --comment "x y" -m set ! --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT',
    );
    expect(formatRule(r)).toBe(
      '-A KUBE-SERVICES -m comment --comment "x y" -m set ! --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT',
    );
    expect(formatRule(parseRule('-A X -m physdev ! --physdev-is-in -j ACCEPT'))).toBe(
      '-A X -m physdev ! --physdev-is-in -j ACCEPT',
    );
  });
  it('matches hash:ip,port, hash:ip,port,ip, bitmap:port and hash:ip', () => {
    expect(
      ipsetMatch({ name: 'C', type: 'hash:ip,port', members: ['10.96.0.50,tcp:80'] }, pkt, ['dst', 'dst']),
    ).toBe(true);
    expect(
      ipsetMatch({ name: 'C', type: 'hash:ip,port', members: ['10.96.0.50,udp:80'] }, pkt, ['dst', 'dst']),
    ).toBe(false);
    const back = { ...pkt, dst: ipv4('10.244.0.5'), l4: { ...pkt.l4, dport: 8080 } } as Ipv4Packet;
    const lb = { name: 'L', type: 'hash:ip,port,ip', members: ['10.244.0.5,tcp:8080,10.244.0.5'] };
    expect(ipsetMatch(lb, back, ['dst', 'dst', 'src'])).toBe(true);
    expect(ipsetMatch({ name: 'N', type: 'bitmap:port', members: ['80'] }, pkt, ['dst'])).toBe(true);
    expect(ipsetMatch({ name: 'I', type: 'hash:ip', members: ['10.96.0.50'] }, pkt, ['dst'])).toBe(true);
    const net = { name: 'S', type: 'hash:ip,port,net', members: ['10.96.0.50,tcp:80,10.244.0.0/16'] };
    expect(ipsetMatch(net, pkt, ['dst', 'dst', 'src'])).toBe(true);
  });
});
