import { formatIpv4 } from '../dataplane/addr/ipv4';
import { linkLocalIpv6 } from '../dataplane/addr/mac';
import type { Link } from '../dataplane/netns/netns';
import type { Fabric, Host } from '../dataplane/walker/host';
import { cniNetnsName } from '../compile/cniFlannel';

/** How a namespace is named in /run/netns, as iproute2 resolves `link-netns NAME`: pods' CNI netns only. */
function netnsName(peerId: string): string | undefined {
  return peerId.startsWith('pod/') ? cniNetnsName(peerId) : undefined;
}

function flags(l: Link): string {
  if (l.kind === 'loopback') return '<LOOPBACK,UP,LOWER_UP>';
  if (l.kind === 'dummy') return '<BROADCAST,NOARP>';
  if (l.kind === 'ipip') return l.up ? '<NOARP,UP,LOWER_UP>' : '<NOARP>';
  return '<BROADCAST,MULTICAST,UP,LOWER_UP>';
}

function state(h: Host, l: Link): string {
  if ((l.kind === 'dummy' || l.kind === 'ipip') && !l.up) return 'DOWN';
  if (l.kind === 'loopback' || l.kind === 'vxlan' || l.kind === 'ipip') return 'UNKNOWN';
  if (l.kind === 'bridge') return h.links.some((x) => x.master === l.name) ? 'UP' : 'DOWN';
  return 'UP';
}

function qdisc(l: Link): string {
  if ((l.kind === 'dummy' || l.kind === 'ipip') && !l.up) return 'noop';
  return l.kind === 'ether' ? 'fq_codel' : 'noqueue';
}

function headerLine(h: Host, l: Link, mode: boolean): string {
  // an IPIP device shows its underlay link, NONE for the fallback tunl0
  const name = l.peer ? `${l.name}@if${l.peer.ifindex}` : l.kind === 'ipip' ? `${l.name}@NONE` : l.name;
  const master = l.master ? ` master ${l.master}` : '';
  // flanneld creates its VXLAN device over netlink with a zero tx queue length: iproute2 then prints no qlen
  const qlen = l.kind === 'vxlan' ? ' ' : ' qlen 1000';
  return `${l.ifindex}: ${name}: ${flags(l)} mtu ${l.mtu} qdisc ${qdisc(l)}${master} state ${state(h, l)}${mode ? ' mode DEFAULT' : ''} group default${qlen}`;
}

function linkLine(l: Link): string {
  if (l.kind === 'loopback') return '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00';
  if (l.kind === 'ipip') return '    link/ipip 0.0.0.0 brd 0.0.0.0';
  let s = `    link/ether ${l.mac} brd ff:ff:ff:ff:ff:ff`;
  if (l.peer) {
    const name = netnsName(l.peer.netns);
    s += name !== undefined ? ` link-netns ${name}` : ` link-netnsid ${l.peer.netnsid}`;
  }
  return s;
}

/** `ip addr` (= `ip address show`), as iproute2 6.1 prints it, IPv6 link-local addresses included. */
export function ipAddr(_fabric: Fabric, h: Host): string {
  const out: string[] = [];
  for (const l of [...h.links].sort((a, b) => a.ifindex - b.ifindex)) {
    out.push(headerLine(h, l, false), linkLine(l));
    for (const a of l.addrs) {
      const brd = a.broadcast !== undefined ? ` brd ${formatIpv4(a.broadcast)}` : '';
      out.push(
        `    inet ${formatIpv4(a.addr)}/${a.len}${brd} scope ${a.scope} ${l.name}`,
        '       valid_lft forever preferred_lft forever',
      );
    }
    // a device that is down has no IPv6 link-local address (kube-ipvs0)
    // nor does an IPIP tunnel (no link-layer address to derive one from)
    if (!l.up || l.kind === 'ipip') continue;
    if (l.kind === 'loopback')
      out.push('    inet6 ::1/128 scope host ', '       valid_lft forever preferred_lft forever');
    else
      out.push(
        `    inet6 ${linkLocalIpv6(l.mac)}/64 scope link `,
        '       valid_lft forever preferred_lft forever',
      );
  }
  return out.join('\n') + '\n';
}

/** `ip link` (= `ip link show`). */
export function ipLink(_fabric: Fabric, h: Host): string {
  const out: string[] = [];
  for (const l of [...h.links].sort((a, b) => a.ifindex - b.ifindex))
    out.push(headerLine(h, l, true), linkLine(l));
  return out.join('\n') + '\n';
}
