import { describe, expect, it } from 'vitest';
import { ipv4 } from '../../../../shared-sim/src/dataplane/addr/ipv4';
import type { CtEntry, Tuple } from '../../../../shared-sim/src/dataplane/conntrack/table';
import {
  ctConfirm,
  ctEntries,
  ctLookup,
  formatCtEntry,
  hasDnat,
  hasSnat,
  invert,
  tupleKey,
  tupleOf,
} from '../../../../shared-sim/src/dataplane/conntrack/table';
import { ICMP_ECHO_REPLY } from '../../../../shared-sim/src/dataplane/wire/packet';
import { MOCK_CLUSTER_IP, MOCK_NODE1, MOCK_NODE2, MOCK_POD1, MOCK_POD2 } from '../../fixtures/addresses';
import { icmpEcho, ipPacket, tcpSyn, udpDns } from '../../fixtures/packets';

const POD_DNS = ipv4('10.244.2.5');

function t(proto: string, src: number, sport: number, dst: number, dport: number): Tuple {
  return { proto, src: src as Tuple['src'], dst: dst as Tuple['dst'], sport, dport };
}

function entry(orig: Tuple, reply: Tuple = invert(orig), over: Partial<CtEntry> = {}): CtEntry {
  return { orig, reply, seenReply: false, mark: 0, seq: 0, ...over };
}

describe('tuples', () => {
  it('invert swaps addresses and ports and keeps the protocol', () => {
    expect(invert(t('udp', MOCK_POD1, 40000, MOCK_CLUSTER_IP, 53))).toEqual(
      t('udp', MOCK_CLUSTER_IP, 53, MOCK_POD1, 40000),
    );
    const x = t('tcp', MOCK_POD1, 40000, MOCK_POD2, 8080);
    expect(invert(invert(x))).toEqual(x);
  });

  it('tupleOf: ports for tcp/udp, the echo id on both sides for icmp', () => {
    expect(tupleOf(ipPacket(tcpSyn))).toEqual(t('tcp', MOCK_POD1, 40000, MOCK_POD2, 8080));
    expect(tupleOf(ipPacket(udpDns))).toEqual(t('udp', MOCK_POD1, 46661, MOCK_POD2, 53));
    const req = tupleOf(ipPacket(icmpEcho));
    expect(req).toEqual(t('icmp', MOCK_POD1, 4044, MOCK_POD2, 4044));
    // the echo reply's tuple is the inverse of the request's, so it finds the same connection
    const rep = tupleOf(ipPacket({ ...icmpEcho, icmpType: ICMP_ECHO_REPLY }, MOCK_POD2, MOCK_POD1));
    expect(rep).toEqual(invert(req));
  });

  it('tupleKey distinguishes every field', () => {
    const base = t('tcp', MOCK_POD1, 40000, MOCK_POD2, 8080);
    const keys = [
      base,
      { ...base, proto: 'udp' },
      { ...base, src: MOCK_NODE1 },
      { ...base, dst: MOCK_NODE2 },
      { ...base, sport: 40001 },
      { ...base, dport: 8081 },
    ].map(tupleKey);
    expect(new Set(keys).size).toBe(6);
  });
});

describe('the table', () => {
  // A pod asks the DNS Service; kube-proxy DNATed it to a CoreDNS pod.
  const dnatOrig = t('udp', MOCK_POD1, 40000, MOCK_CLUSTER_IP, 53);
  const dnatReply = t('udp', POD_DNS, 53, MOCK_POD1, 40000);
  const dnat = entry(dnatOrig, dnatReply, { seq: 2 });

  it('ctConfirm indexes an entry under both directions', () => {
    const table = new Map<string, CtEntry>();
    ctConfirm(table, dnat);
    expect([...table.keys()].sort()).toEqual([tupleKey(dnatOrig), tupleKey(dnatReply)].sort());
    expect(ctLookup(table, dnatOrig)).toEqual({ found: true, entry: dnat, dir: 'original' });
    expect(ctLookup(table, dnatReply)).toEqual({ found: true, entry: dnat, dir: 'reply' });
    // a reply from the ClusterIP itself is not this connection: the reply comes from the endpoint
    expect(ctLookup(table, invert(dnatOrig))).toEqual({ found: false });
  });

  it('ctEntries lists each connection once, in creation order', () => {
    const table = new Map<string, CtEntry>();
    const icmp = entry(t('icmp', MOCK_POD1, 4044, MOCK_POD2, 4044), undefined, { seq: 1 });
    const late = entry(t('tcp', MOCK_POD1, 40000, MOCK_POD2, 8080), undefined, { seq: 3 });
    ctConfirm(table, late);
    ctConfirm(table, dnat);
    ctConfirm(table, icmp);
    expect(table.size).toBe(6);
    expect(ctEntries(table)).toEqual([icmp, dnat, late]);
  });

  it.each([
    ['no NAT', entry(t('tcp', MOCK_POD1, 40000, MOCK_POD2, 8080)), false, false],
    ['DNAT to a pod', dnat, true, false],
    [
      'DNAT of the port only',
      entry(t('tcp', MOCK_NODE1, 40000, MOCK_NODE2, 30080), t('tcp', MOCK_NODE2, 8080, MOCK_NODE1, 40000)),
      true,
      false,
    ],
    [
      'SNAT (masquerade to the node IP)',
      entry(
        t('tcp', MOCK_POD1, 40000, ipv4('203.0.113.9'), 443),
        t('tcp', ipv4('203.0.113.9'), 443, MOCK_NODE1, 40000),
      ),
      false,
      true,
    ],
    [
      'SNAT of the port only',
      entry(t('udp', MOCK_POD1, 40000, MOCK_POD2, 53), t('udp', MOCK_POD2, 53, MOCK_POD1, 61000)),
      false,
      true,
    ],
    [
      'both (NodePort with externalTrafficPolicy Cluster)',
      entry(
        t('tcp', ipv4('203.0.113.10'), 51000, MOCK_NODE1, 30080),
        t('tcp', POD_DNS, 8080, MOCK_NODE1, 51000),
      ),
      true,
      true,
    ],
  ])('%s: hasDnat %s, hasSnat %s', (_name, e, dn, sn) => {
    expect(hasDnat(e)).toBe(dn);
    expect(hasSnat(e)).toBe(sn);
  });
});

describe('formatCtEntry (`conntrack -L`)', () => {
  const ping = entry(t('icmp', MOCK_POD1, 4044, MOCK_POD2, 4044), undefined, { seenReply: true });
  const vxlan = entry(t('udp', MOCK_NODE1, 46661, MOCK_NODE2, 8472));
  const syn = entry(
    t('tcp', MOCK_POD1, 40000, MOCK_CLUSTER_IP, 53),
    t('tcp', POD_DNS, 53, MOCK_POD1, 40000),
    { mark: 0x4000 },
  );

  // Everything but the timeout column (asserted separately below): proto name padded to 8, number.
  const after = (line: string): string => line.slice(line.indexOf(' src='));
  const head = (line: string): string => line.slice(0, line.indexOf(' ', 9));

  it('icmp: type/code/id on both tuples, no [UNREPLIED] once answered', () => {
    const line = formatCtEntry(ping);
    expect(head(line)).toBe('icmp     1');
    expect(after(line)).toBe(
      ' src=10.244.1.2 dst=10.244.2.2 type=8 code=0 id=4044 src=10.244.2.2 dst=10.244.1.2 type=0 code=0 id=4044 mark=0 use=1',
    );
  });

  it('udp: ports, [UNREPLIED] between the tuples', () => {
    const line = formatCtEntry(vxlan);
    expect(head(line)).toBe('udp      17');
    expect(after(line)).toBe(
      ' src=192.168.1.10 dst=192.168.1.11 sport=46661 dport=8472 [UNREPLIED] src=192.168.1.11 dst=192.168.1.10 sport=8472 dport=46661 mark=0 use=1',
    );
  });

  it('tcp: state after the timeout, the DNAT visible in the reply tuple, mark in decimal', () => {
    const line = formatCtEntry(syn);
    expect(head(line)).toBe('tcp      6');
    expect(line).toMatch(/^tcp {6}6 \d+ SYN_SENT src=/);
    expect(after(line)).toBe(
      ' src=10.244.1.2 dst=10.96.0.10 sport=40000 dport=53 [UNREPLIED] src=10.244.2.5 dst=10.244.1.2 sport=53 dport=40000 mark=16384 use=1',
    );
  });

  // Was a bug (fixed): formatCtEntry prints the full protocol timeout (icmp/udp 30, tcp 120) in the timeout
  // column; `conntrack -L` prints the seconds left, which right after the packet is one less
  // (29, 29, 119), and a TCP connection in SYN_RECV has the 60 s timeout (59), not 120.
  // These are the real lines for the same connections.
  it('prints the remaining timeout exactly as a real `conntrack -L` right after the packet', () => {
    expect(formatCtEntry(ping)).toBe(
      'icmp     1 29 src=10.244.1.2 dst=10.244.2.2 type=8 code=0 id=4044 src=10.244.2.2 dst=10.244.1.2 type=0 code=0 id=4044 mark=0 use=1',
    );
    expect(formatCtEntry(vxlan)).toBe(
      'udp      17 29 src=192.168.1.10 dst=192.168.1.11 sport=46661 dport=8472 [UNREPLIED] src=192.168.1.11 dst=192.168.1.10 sport=8472 dport=46661 mark=0 use=1',
    );
    expect(formatCtEntry(syn)).toBe(
      'tcp      6 119 SYN_SENT src=10.244.1.2 dst=10.96.0.10 sport=40000 dport=53 [UNREPLIED] src=10.244.2.5 dst=10.244.1.2 sport=53 dport=40000 mark=16384 use=1',
    );
  });

  // Was a bug (fixed): same column, TCP after the SYN-ACK: nf_conntrack_tcp_timeout_syn_recv is 60 s.
  it('a TCP connection in SYN_RECV shows the 60 s timer', () => {
    expect(formatCtEntry({ ...syn, seenReply: true })).toBe(
      'tcp      6 59 SYN_RECV src=10.244.1.2 dst=10.96.0.10 sport=40000 dport=53 src=10.244.2.5 dst=10.244.1.2 sport=53 dport=40000 mark=16384 use=1',
    );
  });
});
