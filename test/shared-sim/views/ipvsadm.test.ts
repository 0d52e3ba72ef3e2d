import { describe, expect, it } from 'vitest';
import { ipv4 } from '../../../shared-sim/src/dataplane/addr/ipv4';
import type { Host } from '../../../shared-sim/src/dataplane/walker/host';
import { NetfilterBuilder } from '../../../shared-sim/src/dataplane/netfilter/tables';
import { ipvsadmCommand } from '../../../shared-sim/src/views/ipvsadm';
import { ipsetList } from '../../../shared-sim/src/views/ipset';

const nf = new NetfilterBuilder();
nf.add('nat', '-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT');
const host = {
  id: 'node/node-1',
  netfilter: nf.build(),
  ipvs: {
    virtualServers: [
      {
        proto: 'UDP',
        addr: ipv4('10.96.0.10'),
        port: 53,
        scheduler: 'rr',
        realServers: [{ addr: ipv4('10.244.0.2'), port: 53, weight: 1 }],
      },
      {
        proto: 'TCP',
        addr: ipv4('10.96.0.1'),
        port: 443,
        scheduler: 'rr',
        persistent: 10800,
        realServers: [{ addr: ipv4('192.168.1.10'), port: 6443, weight: 1 }],
      },
      {
        proto: 'TCP',
        addr: ipv4('10.96.0.10'),
        port: 53,
        scheduler: 'rr',
        realServers: [
          { addr: ipv4('10.244.1.3'), port: 53, weight: 1 },
          { addr: ipv4('10.244.0.2'), port: 53, weight: 1 },
        ],
      },
    ],
  },
  ipsets: new Map([
    [
      'KUBE-CLUSTER-IP',
      { name: 'KUBE-CLUSTER-IP', type: 'hash:ip,port', members: ['10.96.0.10,udp:53', '10.96.0.1,tcp:443'] },
    ],
    ['KUBE-NODE-PORT-TCP', { name: 'KUBE-NODE-PORT-TCP', type: 'bitmap:port', members: [] }],
  ]),
} as unknown as Host;

describe('ipvsadm -Ln', () => {
  it('prints the table sorted by protocol, address, port', () => {
    const r = ipvsadmCommand(host, ['ipvsadm', '-Ln']);
    expect(r).toEqual({
      ok: true,
      stdout:
        'IP Virtual Server version 1.2.1 (size=4096)\n' +
        'Prot LocalAddress:Port Scheduler Flags\n' +
        '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n' +
        'TCP  10.96.0.1:443 rr persistent 10800\n' +
        '  -> 192.168.1.10:6443            Masq    1      0          0         \n' +
        'TCP  10.96.0.10:53 rr\n' +
        '  -> 10.244.0.2:53                Masq    1      0          0         \n' +
        '  -> 10.244.1.3:53                Masq    1      0          0         \n' +
        'UDP  10.96.0.10:53 rr\n' +
        '  -> 10.244.0.2:53                Masq    1      0          0         \n',
    });
  });
  it('lists one service with -t / -u', () => {
    const r = ipvsadmCommand(host, ['ipvsadm', '-L', '-n', '-u', '10.96.0.10:53']);
    expect(r).toEqual({
      ok: true,
      stdout:
        'Prot LocalAddress:Port Scheduler Flags\n' +
        '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n' +
        'UDP  10.96.0.10:53 rr\n' +
        '  -> 10.244.0.2:53                Masq    1      0          0         \n',
    });
    expect(ipvsadmCommand(host, ['ipvsadm', '-Ln', '-t', '10.96.0.99:80'])).toEqual({
      ok: false,
      error: 'No such service',
    });
  });
});

describe('ipset list', () => {
  it('prints every set, headers and members', () => {
    const r = ipsetList(host);
    if (!r.ok) throw new Error(r.error);
    const [cluster, np] = r.stdout.split('\n\n');
    expect(cluster?.replace(/initval 0x[0-9a-f]{8}/, 'initval 0x…')).toBe(
      [
        'Name: KUBE-CLUSTER-IP',
        'Type: hash:ip,port',
        'Revision: 6',
        'Header: family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x…',
        'Size in memory: 312',
        'References: 1',
        'Number of entries: 2',
        'Members:',
        '10.96.0.1,tcp:443',
        '10.96.0.10,udp:53',
      ].join('\n'),
    );
    expect(np).toBe(
      'Name: KUBE-NODE-PORT-TCP\nType: bitmap:port\nRevision: 3\nHeader: range 0-65535\nSize in memory: 8268\nReferences: 0\nNumber of entries: 0\nMembers:\n',
    );
    expect(ipsetList(host, 'NOPE')).toEqual({
      ok: false,
      error: 'ipset v7.15: The set with the given name does not exist',
    });
  });
});
