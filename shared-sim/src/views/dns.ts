import type { World } from '../compile/world';
import { parseIpv4 } from '../dataplane/addr/ipv4';
import type { Trace } from '../dataplane/walker/trace';
import { walk } from '../dataplane/walker/walk';

/** One question the stub resolver asked, and what came back. */
export interface DnsQuery {
  readonly name: string;
  /** NOERROR with an answer, NXDOMAIN, or why no answer came (the query was rejected or lost). */
  readonly rcode: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' | 'UNREACHABLE' | 'TIMEOUT';
  readonly answer?: string;
  /** The pod (or host) that answered. */
  readonly server?: string;
}

export interface DnsResolution {
  readonly name: string;
  readonly nameserver: string;
  readonly search: readonly string[];
  readonly ndots: number;
  /** How the name was resolved: by walking the DNS packets to CoreDNS, or read from the lab's Services (no CoreDNS in the lab). */
  readonly method: 'coredns' | 'lab' | 'host';
  readonly queries: readonly DnsQuery[];
  readonly address?: string;
  /** The walk of the query that got the answer (or of the last one that failed). */
  readonly walk?: Trace;
  /** Why resolution failed, in the words a program would print. */
  readonly error?: string;
}

/** glibc's order: a name with fewer dots than ndots tries the search list first, then itself. */
export function candidates(name: string, search: readonly string[], ndots: number): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const dots = (name.match(/\./g) ?? []).length;
  const withSearch = search.map((s) => `${name}.${s}`);
  return dots >= ndots ? [name, ...withSearch] : [...withSearch, name];
}

/** What CoreDNS (kubernetes plugin, `pods insecure`) answers for an A question. */
export function corednsAnswer(world: World, fqdn: string): { rcode: DnsQuery['rcode']; answer?: string } {
  const zone = world.lab.cluster.clusterDomain;
  if (fqdn !== zone && !fqdn.endsWith(`.${zone}`)) {
    // forward . /etc/resolv.conf: the upstream resolvers are outside the lab
    return { rcode: 'SERVFAIL' };
  }
  const labels = fqdn.slice(0, fqdn.length - zone.length - 1).split('.');
  if (labels.length === 3 && labels[2] === 'svc') {
    const svc = world.services.services.find((s) => s.name === labels[0] && s.namespace === labels[1]);
    if (!svc) return { rcode: 'NXDOMAIN' };
    if (svc.externalName !== undefined) return { rcode: 'NOERROR', answer: `CNAME ${svc.externalName}.` };
    if (!svc.headless)
      return parseIpv4(svc.clusterIP) !== undefined
        ? { rcode: 'NOERROR', answer: svc.clusterIP }
        : { rcode: 'NXDOMAIN' };
    const eps = world.services.endpoints.get(`${svc.namespace}/${svc.name}`);
    const ready =
      eps?.slices.flatMap((sl) => sl.endpoints).filter((e) => e.ready || svc.publishNotReadyAddresses) ?? [];
    const first = ready[0];
    return first ? { rcode: 'NOERROR', answer: first.ip } : { rcode: 'NXDOMAIN' };
  }
  if (labels.length === 3 && labels[2] === 'pod') {
    const ip = (labels[0] ?? '').replace(/-/g, '.');
    return parseIpv4(ip) !== undefined ? { rcode: 'NOERROR', answer: ip } : { rcode: 'NXDOMAIN' };
  }
  return { rcode: 'NXDOMAIN' };
}

function resolvConf(text: string): { nameserver?: string; search: string[]; ndots: number } {
  const ns = /^nameserver (\S+)$/m.exec(text)?.[1];
  const search =
    /^search (.*)$/m
      .exec(text)?.[1]
      ?.split(/\s+/)
      .filter((s) => s !== '' && s !== '.') ?? [];
  const ndots = Number(/ndots:(\d+)/.exec(text)?.[1] ?? 1);
  return { ...(ns !== undefined ? { nameserver: ns } : {}), search, ndots };
}

/** The size of a DNS query for `name`: header 12, QNAME, QTYPE/QCLASS 4, EDNS0 OPT 11. */
function querySize(name: string): number {
  return 12 + name.length + 2 + 4 + 11;
}

/**
 * Resolves `name` from `hostId` as its resolver would: the search list from /etc/resolv.conf, and
 * for each candidate a real UDP query walked to the nameserver (the kube-dns ClusterIP, through
 * kube-proxy to a CoreDNS pod), answered from the cluster's Services. Without CoreDNS in the lab
 * the answers are read from the Services directly, and the resolution says so.
 */
export function resolveByDns(world: World, hostId: string, name: string): DnsResolution {
  const host = world.fabric.hosts.get(hostId);
  const conf = resolvConf(host?.resolvConf ?? '');
  const nameserver = conf.nameserver ?? '127.0.0.53';
  const base = { name, nameserver, search: conf.search, ndots: conf.ndots };
  const list = candidates(name, conf.search, conf.ndots);
  const hasCoreDns = world.services.services.some(
    (s) => s.namespace === 'kube-system' && s.name === 'kube-dns',
  );
  const ns = parseIpv4(nameserver);
  if (nameserver.startsWith('127.')) {
    // a node or client: systemd-resolved forwards to the site's DNS servers, which know no cluster names
    const queries: DnsQuery[] = list.map((q) => ({ name: q, rcode: 'SERVFAIL' }));
    return {
      ...base,
      method: 'host',
      queries,
      error: `Could not resolve host: ${name} (the host's resolver, ${nameserver}, forwards to DNS servers outside the cluster, which do not know cluster names)`,
    };
  }
  if (!hasCoreDns || ns === undefined) {
    // no CoreDNS to walk to: answer from the lab's Services, and say so
    const queries: DnsQuery[] = [];
    for (const q of list) {
      const a = corednsAnswer(world, q);
      queries.push({ name: q, ...a });
      if (a.rcode === 'NOERROR' && a.answer !== undefined && !a.answer.startsWith('CNAME')) {
        return { ...base, method: 'lab', queries, address: a.answer };
      }
    }
    return { ...base, method: 'lab', queries, error: `Could not resolve host: ${name}` };
  }
  const queries: DnsQuery[] = [];
  let last: Trace | undefined;
  for (const q of list) {
    const { trace } = walk(world.fabric, {
      from: hostId,
      dst: ns,
      proto: 'udp',
      dport: 53,
      size: querySize(q),
      pmtudisc: 'want',
    });
    last = trace;
    const server = trace.deliveredTo;
    const pod = server ? world.pods.find((p) => p.ref === server) : undefined;
    if (trace.verdict !== 'delivered' || !pod) {
      const v = trace.verdict;
      const rcode: DnsQuery['rcode'] =
        v === 'delivered'
          ? 'REFUSED'
          : v === 'rejected' || v === 'no-route' || v === 'unreachable'
            ? 'UNREACHABLE'
            : 'TIMEOUT';
      queries.push({ name: q, rcode });
      // glibc gives up on this name when the server cannot be reached at all
      const why =
        v === 'rejected'
          ? `${nameserver} answered ICMP port unreachable`
          : v === 'no-route' || v === 'unreachable'
            ? `${nameserver}: network is unreachable`
            : v === 'delivered'
              ? `${trace.deliveredTo ?? ''} is not a DNS server`
              : 'connection timed out; no servers could be reached';
      return {
        ...base,
        method: 'coredns',
        queries,
        walk: trace,
        error: `Could not resolve host: ${name} (${why}: Temporary failure in name resolution)`,
      };
    }
    const a = corednsAnswer(world, q);
    queries.push({ name: q, ...a, server: pod.ref });
    if (a.rcode === 'NOERROR' && a.answer !== undefined) {
      if (a.answer.startsWith('CNAME')) {
        return {
          ...base,
          method: 'coredns',
          queries,
          walk: trace,
          error: `Could not resolve host: ${name} (${q} is ${a.answer}, a name outside the lab)`,
        };
      }
      return { ...base, method: 'coredns', queries, walk: trace, address: a.answer };
    }
  }
  return {
    ...base,
    method: 'coredns',
    queries,
    ...(last ? { walk: last } : {}),
    error: `Could not resolve host: ${name}`,
  };
}

export function formatDns(d: DnsResolution): string {
  const out = [
    `dns: ${d.name} from resolv.conf (nameserver ${d.nameserver}, search ${d.search.join(' ') || '(none)'}, ndots:${d.ndots})${d.method === 'lab' ? ' — no CoreDNS in this lab: answers read from its Services' : d.method === 'host' ? ' — the host resolver (systemd-resolved)' : ''}`,
  ];
  for (const q of d.queries)
    out.push(
      `  ${q.name} A? → ${q.rcode}${q.answer ? ` ${q.answer}` : ''}${q.server ? ` (from ${q.server})` : ''}`,
    );
  out.push(d.address !== undefined ? `  ${d.name} is ${d.address}` : `  ${d.error ?? 'no answer'}`);
  return out.join('\n') + '\n';
}
