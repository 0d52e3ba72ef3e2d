import { describe, expect, it } from 'vitest';
import { ipv4 } from '../../../../shared-sim/src/dataplane/addr/ipv4';
import type { IcmpRepr, Ipv4Packet } from '../../../../shared-sim/src/dataplane/wire/packet';
import {
  flowPorts,
  frameLength,
  ICMP_DEST_UNREACH,
  ICMP_FRAG_NEEDED,
  ICMP_PORT_UNREACH,
  ICMP_QUOTE_MAX,
  ICMP_TIME_EXCEEDED,
  icmpText,
  ipLayers,
  ipLength,
  l4Length,
  summary,
  VXLAN_OVERHEAD,
} from '../../../../shared-sim/src/dataplane/wire/packet';
import { MOCK_NODE1, MOCK_NODE2 } from '../../fixtures/addresses';
import { ethFrame, icmpEcho, ipPacket, tcpSyn, udpDns } from '../../fixtures/packets';

const ping = ipPacket(icmpEcho);

/** What flannel.1 sends for `inner`: outer UDP 8472, VNI 1, node to node. */
function vxlanOf(inner: Ipv4Packet): Ipv4Packet {
  return {
    src: MOCK_NODE1,
    dst: MOCK_NODE2,
    ttl: 64,
    df: false,
    l4: { proto: 'udp', sport: 41234, dport: 8472, payloadLen: 0, vxlan: { vni: 1, frame: ethFrame(inner) } },
  };
}

function icmpErrorL4(about: Ipv4Packet, icmpType: number, code: number, mtu?: number): IcmpRepr {
  return {
    proto: 'icmp',
    icmpType,
    code,
    id: 0,
    seq: 0,
    payloadLen: 0,
    quoted: about,
    ...(mtu !== undefined ? { mtu } : {}),
  };
}

/** An ICMP error from the gateway 192.168.1.1 about `about`. */
function icmpError(about: Ipv4Packet, icmpType: number, code: number, mtu?: number): Ipv4Packet {
  return {
    src: ipv4('192.168.1.1'),
    dst: about.src,
    ttl: 64,
    df: false,
    l4: icmpErrorL4(about, icmpType, code, mtu),
  };
}

describe('sizes Linux puts on the wire', () => {
  it('VXLAN costs 50 bytes: outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14', () => {
    expect(VXLAN_OVERHEAD).toBe(50);
  });

  it('ping -s 56: ICMP length 64, IP total length 84, frame 98', () => {
    expect(l4Length(icmpEcho)).toBe(64);
    expect(ipLength(ping)).toBe(84);
    expect(frameLength(ethFrame(ping))).toBe(98);
  });

  it('a Linux SYN (MSS, SACK, timestamps, wscale) is IP length 60; a bare ACK would be 40', () => {
    expect(ipLength(ipPacket(tcpSyn))).toBe(60);
    expect(ipLength(ipPacket({ ...tcpSyn, flags: '.', optionsLen: 0 }))).toBe(40);
    expect(ipLength(ipPacket({ ...tcpSyn, flags: 'P.', optionsLen: 12, payloadLen: 100 }))).toBe(152);
  });

  it('UDP and SCTP: header plus payload', () => {
    expect(ipLength(ipPacket(udpDns))).toBe(58);
    expect(
      ipLength(ipPacket({ proto: 'sctp', sport: 5000, dport: 5000, chunk: 'INIT', payloadLen: 20 })),
    ).toBe(52);
  });

  it('VXLAN: outer IP = inner + 50 (84 → 134), outer UDP length 114, outer frame 148', () => {
    const outer = vxlanOf(ping);
    expect(ipLength(outer)).toBe(134);
    expect(l4Length(outer.l4)).toBe(114);
    expect(frameLength(ethFrame(outer))).toBe(148);
    // a full-size inner packet is exactly what flannel's MTU of 1450 is for
    expect(ipLength(vxlanOf(ipPacket({ ...tcpSyn, optionsLen: 12, payloadLen: 1450 - 52 })))).toBe(1500);
  });

  it('IPIP: outer IP = inner + 20', () => {
    const outer: Ipv4Packet = {
      src: MOCK_NODE1,
      dst: MOCK_NODE2,
      ttl: 64,
      df: true,
      l4: { proto: 'ipip', inner: ping },
    };
    expect(ipLength(outer)).toBe(104);
  });

  it('ICMP errors quote the offending packet: 20 + 8 + 84 = 112', () => {
    expect(ipLength(icmpError(ping, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH))).toBe(112);
  });

  it('the quote stops at 548 bytes so the error fits in 576 (icmp_send)', () => {
    expect(ICMP_QUOTE_MAX).toBe(548);
    const big = ipPacket({ ...tcpSyn, optionsLen: 12, payloadLen: 1448 }); // 1500 bytes
    expect(ipLength(big)).toBe(1500);
    const err = icmpError(big, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1450);
    expect(l4Length(err.l4)).toBe(556);
    expect(ipLength(err)).toBe(576);
    const exact = ipPacket({ ...udpDns, payloadLen: 548 - 28 }); // 548 bytes: quoted whole
    expect(ipLength(icmpError(exact, ICMP_TIME_EXCEEDED, 0))).toBe(576);
  });
});

describe('header stacks and text', () => {
  it('ipLayers of a VXLAN packet: outermost first, lengths per header', () => {
    expect(ipLayers(vxlanOf(ping))).toEqual([
      {
        type: 'ipv4',
        src: '192.168.1.10',
        dst: '192.168.1.11',
        ttl: 64,
        protocol: 'udp',
        df: false,
        length: 134,
      },
      { type: 'udp', src: 41234, dst: 8472, length: 114 },
      { type: 'vxlan', vni: 1 },
      { type: 'eth', src: '0a:58:0a:f4:01:02', dst: '0a:58:0a:f4:01:01' },
      { type: 'ipv4', src: '10.244.1.2', dst: '10.244.2.2', ttl: 64, protocol: 'icmp', df: true, length: 84 },
      { type: 'icmp', icmpType: 8, code: 0, id: 4044, seq: 1 },
    ]);
  });

  it('ipLayers of an ICMP error shows the quoted IP and transport headers, without echo fields', () => {
    expect(ipLayers(icmpError(ipPacket(tcpSyn), ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1450))).toEqual([
      {
        type: 'ipv4',
        src: '192.168.1.1',
        dst: '10.244.1.2',
        ttl: 64,
        protocol: 'icmp',
        df: false,
        length: 88,
      },
      { type: 'icmp', icmpType: 3, code: 4, mtu: 1450 },
      { type: 'ipv4', src: '10.244.1.2', dst: '10.244.2.2', ttl: 64, protocol: 'tcp', df: true, length: 60 },
      { type: 'tcp', src: 40000, dst: 8080, flags: 'S' },
    ]);
  });

  it("one-line summaries in tcpdump's shape", () => {
    expect(summary(ping)).toBe('10.244.1.2 > 10.244.2.2: ICMP echo request, id 4044, seq 1, length 64');
    expect(summary(ipPacket(tcpSyn))).toBe('10.244.1.2.40000 > 10.244.2.2.8080: Flags [S], length 0');
    expect(summary(ipPacket(udpDns))).toBe('10.244.1.2.46661 > 10.244.2.2.53: UDP, length 30');
    expect(icmpText(icmpErrorL4(ipPacket(udpDns), ICMP_DEST_UNREACH, ICMP_PORT_UNREACH))).toBe(
      'ICMP 10.244.2.2 udp port 53 unreachable',
    );
    expect(icmpText(icmpErrorL4(ping, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1450))).toBe(
      'ICMP 10.244.2.2 unreachable - need to frag (mtu 1450)',
    );
  });

  it('flowPorts: ports, the echo id for ICMP, zero for IPIP', () => {
    expect(flowPorts(ipPacket(tcpSyn))).toEqual({ sport: 40000, dport: 8080 });
    expect(flowPorts(ping)).toEqual({ sport: 4044, dport: 4044 });
    expect(flowPorts({ ...ping, l4: { proto: 'ipip', inner: ping } })).toEqual({ sport: 0, dport: 0 });
  });
});
