/** How each header is named in the header tree, as Wireshark's detail pane names it. */
import type { Layer } from '../../../shared-sim/src/index';

const NAMES: Readonly<Record<Layer['type'], string>> = {
  eth: 'Ethernet II',
  ipv4: 'IPv4',
  udp: 'UDP',
  tcp: 'TCP',
  sctp: 'SCTP',
  icmp: 'ICMP',
  vxlan: 'VXLAN',
  payload: 'Data',
};

const SHORT: Readonly<Record<Layer['type'], string>> = { ...NAMES, eth: 'Ethernet', payload: 'Data' };

export function layerName(l: Layer): string {
  return NAMES[l.type];
}

/** "Ethernet › IPv4 › UDP › VXLAN › Ethernet › IPv4 › TCP" */
export function stackText(layers: readonly Layer[]): string {
  return layers.map((l) => SHORT[l.type]).join(' › ');
}

/** One line per layer, as a Wireshark summary line would read it. */
export function layerSummary(l: Layer): string {
  switch (l.type) {
    case 'eth':
      return `Src: ${l.src}, Dst: ${l.dst}`;
    case 'ipv4':
      return `Src: ${l.src}, Dst: ${l.dst}, TTL ${l.ttl}${l.df ? ', DF' : ''}`;
    case 'udp':
    case 'tcp':
    case 'sctp':
      return `Src Port: ${l.src}, Dst Port: ${l.dst}${l.type === 'tcp' ? ` [${l.flags}]` : l.type === 'sctp' ? ` [${l.chunk}]` : ''}`;
    case 'icmp':
      return `Type ${l.icmpType}, Code ${l.code}`;
    case 'vxlan':
      return `VNI ${l.vni}`;
    case 'payload':
      return `${l.length} bytes`;
  }
}
