import { broadcastOf, networkOf, type Cidr, type Ipv4Addr } from '../dataplane/addr/ipv4';
import type { MacAddr } from '../dataplane/addr/mac';
import type { FdbEntry } from '../dataplane/bridge/fdb';
import type { NeighEntry } from '../dataplane/neigh/neighTable';
import type { IfAddr, Link, Listener, NetnsKind } from '../dataplane/netns/netns';
import { NetfilterBuilder } from '../dataplane/netfilter/tables';
import type { Route } from '../dataplane/route/fib';
import type { Host } from '../dataplane/walker/host';
import type { IpSet, IpvsTable } from '../dataplane/netfilter/ipvs';
import type { NftRuleset } from '../dataplane/netfilter/nft';

type MutableLink = { -readonly [K in keyof Link]: Link[K] };

/**
 * Builds one namespace the way its configuration tools would (iproute2, the CNI plugins,
 * flanneld): links get ifindexes in creation order, addresses bring their kernel routes.
 */
export class HostBuilder {
  readonly links: MutableLink[] = [];
  readonly routes: Route[] = [];
  readonly neigh: NeighEntry[] = [];
  readonly fdb: FdbEntry[] = [];
  readonly nf = new NetfilterBuilder();
  readonly listeners: Listener[] = [];
  readonly netnsIds = new Map<string, number>();
  ipForward = false;
  brNfCallIptables = false;
  resolvConf: string | undefined;
  ipvs: IpvsTable | undefined;
  readonly ipsets = new Map<string, IpSet>();
  nftables: NftRuleset | undefined;
  private nextIndex = 1;

  constructor(
    readonly id: string,
    readonly kind: NetnsKind,
    readonly hostname: string,
  ) {
    this.addLink({
      name: 'lo',
      kind: 'loopback',
      mac: '00:00:00:00:00:00' as MacAddr,
      mtu: 65536,
      up: true,
      addrs: [],
    });
    this.addAddr('lo', { addr: 0x7f000001 as Ipv4Addr, len: 8, scope: 'host' });
  }

  /** Reserves the next ifindex (a veth peer created here and then moved away consumes one). */
  takeIndex(): number {
    return this.nextIndex++;
  }

  addLink(l: Omit<Link, 'ifindex'> & { ifindex?: number }): MutableLink {
    const link: MutableLink = { ...l, ifindex: l.ifindex ?? this.nextIndex };
    this.nextIndex = Math.max(this.nextIndex, link.ifindex + 1);
    this.links.push(link);
    return link;
  }

  link(name: string): MutableLink {
    const l = this.links.find((x) => x.name === name);
    if (!l) throw new Error(`${this.id}: no link ${name}`);
    return l;
  }

  /** `ip addr add` through netlink: the local and broadcast routes, and the prefix route (unless /32). */
  addAddr(dev: string, a: IfAddr, opts: { noprefixroute?: boolean } = {}): void {
    const l = this.link(dev);
    l.addrs = [...l.addrs, a];
    this.routes.push({
      table: 'local',
      type: 'local',
      dst: { addr: a.addr, len: 32 },
      dev,
      proto: 'kernel',
      scope: 'host',
      src: a.addr,
    });
    if (dev === 'lo') {
      this.routes.push({
        table: 'local',
        type: 'local',
        dst: { addr: networkOf(a.addr, a.len), len: a.len },
        dev,
        proto: 'kernel',
        scope: 'host',
        src: a.addr,
      });
    }
    if (a.len < 31 && dev !== 'lo') {
      const c: Cidr = { addr: networkOf(a.addr, a.len), len: a.len };
      this.routes.push({
        table: 'local',
        type: 'broadcast',
        dst: { addr: broadcastOf(c), len: 32 },
        dev,
        proto: 'kernel',
        scope: 'link',
        src: a.addr,
      });
    }
    if (dev === 'lo') {
      this.routes.push({
        table: 'local',
        type: 'broadcast',
        dst: { addr: broadcastOf({ addr: networkOf(a.addr, a.len), len: a.len }), len: 32 },
        dev,
        proto: 'kernel',
        scope: 'link',
        src: a.addr,
      });
    }
    if (!opts.noprefixroute && a.len < 32 && dev !== 'lo') {
      this.routes.push({
        table: 'main',
        type: 'unicast',
        dst: { addr: networkOf(a.addr, a.len), len: a.len },
        dev,
        proto: 'kernel',
        scope: 'link',
        src: a.addr,
      });
    }
  }

  addRoute(r: Omit<Route, 'table'> & { table?: Route['table'] }): void {
    this.routes.push({ table: 'main', ...r });
  }

  build(): Host {
    return {
      id: this.id,
      kind: this.kind,
      hostname: this.hostname,
      links: this.links.map((l) => ({ ...l })),
      routes: [...this.routes],
      neigh: [...this.neigh],
      fdb: [...this.fdb],
      netfilter: this.nf.build(),
      ipForward: this.ipForward,
      brNfCallIptables: this.brNfCallIptables,
      listeners: [...this.listeners],
      ...(this.resolvConf !== undefined ? { resolvConf: this.resolvConf } : {}),
      netnsIds: new Map(this.netnsIds),
      ...(this.ipvs !== undefined ? { ipvs: this.ipvs } : {}),
      ...(this.ipsets.size > 0 ? { ipsets: new Map(this.ipsets) } : {}),
      ...(this.nftables !== undefined ? { nftables: this.nftables } : {}),
    };
  }
}

/** An address with the broadcast netlink fills in for prefixes shorter than /31. */
export function ifAddr(addr: Ipv4Addr, len: number): IfAddr {
  if (len < 31)
    return { addr, len, scope: 'global', broadcast: broadcastOf({ addr: networkOf(addr, len), len }) };
  return { addr, len, scope: 'global' };
}
