import { parseIpv4 } from '../dataplane/addr/ipv4';
import {
  compareRealServers,
  compareVirtualServers,
  formatRealServer,
  formatVirtualServer,
  type IpvsProto,
  type IpvsVirtualServer,
} from '../dataplane/netfilter/ipvs';
import type { Host } from '../dataplane/walker/host';

/**
 * `ipvsadm -Ln` (list_all with FMT_NUMERIC): the version line, the two title lines, then every
 * virtual server sorted as libipvs sorts them (protocol, address, port) with its real servers
 * (address, port). Connection counters are those of a freshly programmed node: 0.
 */

const HEADER = 'IP Virtual Server version 1.2.1 (size=4096)\n';
const TITLE =
  'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
const NO_IPVS =
  "Can't initialize ipvs: Protocol not available\nAre you sure that IP Virtual Server is built in the kernel or as module?";

function entry(vs: IpvsVirtualServer): string {
  const dests = [...vs.realServers].sort(compareRealServers);
  return `${formatVirtualServer(vs)}\n${dests.map((d) => `${formatRealServer(d)}\n`).join('')}`;
}

export type IpvsadmResult =
  { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly error: string };

/** `ipvsadm -Ln` on host `h`. */
export function ipvsadmList(h: Host): IpvsadmResult {
  if (!h.ipvs) return { ok: false, error: NO_IPVS };
  const all = [...h.ipvs.virtualServers].sort(compareVirtualServers);
  return { ok: true, stdout: HEADER + TITLE + all.map(entry).join('') };
}

/** `ipvsadm -Ln -t|-u|--sctp-service ADDR:PORT`: the title and that one virtual server. */
export function ipvsadmService(h: Host, proto: IpvsProto, addrPort: string): IpvsadmResult {
  if (!h.ipvs) return { ok: false, error: NO_IPVS };
  const m = /^([0-9.]+):(\d+)$/.exec(addrPort);
  const addr = m ? parseIpv4(m[1] ?? '') : undefined;
  if (!m || addr === undefined)
    return { ok: false, error: `Illegal virtual server address[:port] specified` };
  const port = Number(m[2]);
  const vs = h.ipvs.virtualServers.find((v) => v.proto === proto && v.addr === addr && v.port === port);
  if (!vs) return { ok: false, error: 'No such service' };
  return { ok: true, stdout: TITLE + entry(vs) };
}

const SERVICE_OPTS: Readonly<Record<string, IpvsProto>> = {
  '-t': 'TCP',
  '--tcp-service': 'TCP',
  '-u': 'UDP',
  '--udp-service': 'UDP',
  '--sctp-service': 'SCTP',
};

/** `ipvsadm -Ln` / `-L -n` / `-ln`, optionally with `-t|-u|--sctp-service ADDR:PORT`; undefined for other forms. */
export function ipvsadmCommand(h: Host, argv: readonly string[]): IpvsadmResult | undefined {
  if (argv[0] !== 'ipvsadm') return undefined;
  let svc: { proto: IpvsProto; addr: string } | undefined;
  let letters = '';
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const proto = SERVICE_OPTS[a];
    if (proto !== undefined) {
      const v = argv[++i];
      if (v === undefined) return undefined;
      svc = { proto, addr: v };
    } else if (/^-[A-Za-z]+$/.test(a)) letters += a.slice(1);
    else return undefined;
  }
  const sorted = [...letters].sort().join('');
  if (sorted !== 'Ln' && sorted !== 'ln') return undefined;
  return svc ? ipvsadmService(h, svc.proto, svc.addr) : ipvsadmList(h);
}
