import { formatIpv4, parseCidr, type Cidr } from '../addr/ipv4';

/**
 * An iptables rule, parsed from the `-A CHAIN …` text a control plane writes (kube-proxy and
 * flanneld literally emit iptables-restore input) and printed back in the canonical order the
 * kernel stores and `iptables-save` prints.
 */

export type Table = 'raw' | 'mangle' | 'nat' | 'filter';

export interface AddrMatch {
  readonly cidr: Cidr;
  readonly neg: boolean;
}
export interface IfaceMatch {
  readonly name: string;
  readonly neg: boolean;
}
export interface PortRange {
  readonly lo: number;
  readonly hi: number;
  readonly neg: boolean;
}

export type Match =
  | { readonly m: 'comment'; readonly comment: string }
  | { readonly m: 'tcp' | 'udp' | 'sctp'; readonly dport?: PortRange; readonly sport?: PortRange }
  | { readonly m: 'icmp'; readonly icmpType?: number; readonly icmpCode?: number; readonly neg: boolean }
  | { readonly m: 'mark'; readonly value: number; readonly mask: number; readonly neg: boolean }
  | { readonly m: 'conntrack'; readonly ctstate: readonly string[]; readonly neg: boolean }
  | {
      readonly m: 'addrtype';
      readonly srcType?: string;
      readonly dstType?: string;
      readonly srcNeg: boolean;
      readonly dstNeg: boolean;
      readonly limitIfaceIn: boolean;
      readonly limitIfaceOut: boolean;
    }
  | { readonly m: 'statistic'; readonly probability: number }
  | {
      readonly m: 'physdev';
      readonly physdevIn?: IfaceMatch;
      readonly physdevOut?: IfaceMatch;
      readonly isBridged?: boolean;
      /** `[!] --physdev-is-in`: the packet entered through a bridge port. */
      readonly isIn?: { readonly neg: boolean };
    }
  | { readonly m: 'multiport'; readonly dports: readonly PortRange[] }
  | {
      readonly m: 'recent';
      readonly name: string;
      readonly mode: 'set' | 'rcheck';
      readonly seconds?: number;
      readonly reap: boolean;
      readonly side: 'source' | 'dest';
      readonly mask: string;
    }
  | {
      /** xt_set: `-m set [!] --match-set NAME src|dst[,…]`. */
      readonly m: 'set';
      readonly name: string;
      readonly dirs: readonly ('src' | 'dst')[];
      readonly neg: boolean;
    }
  | { readonly m: 'other'; readonly text: string };

export type Target =
  | { readonly j: 'ACCEPT' | 'DROP' | 'RETURN' }
  | { readonly j: 'REJECT'; readonly rejectWith?: string }
  | { readonly j: 'DNAT'; readonly toAddr: number; readonly toPort?: number }
  | { readonly j: 'SNAT'; readonly toAddr: number; readonly toPort?: number; readonly randomFully: boolean }
  | { readonly j: 'MASQUERADE'; readonly randomFully: boolean }
  | { readonly j: 'MARK'; readonly value: number; readonly mask: number }
  | { readonly j: 'jump'; readonly chain: string }
  | { readonly j: 'goto'; readonly chain: string }
  | { readonly j: 'none' };

export interface Rule {
  readonly chain: string;
  readonly src?: AddrMatch;
  readonly dst?: AddrMatch;
  readonly inIface?: IfaceMatch;
  readonly outIface?: IfaceMatch;
  readonly proto?: { readonly name: string; readonly neg: boolean };
  readonly matches: readonly Match[];
  readonly target: Target;
  /** The rule as its author wrote it. */
  readonly written: string;
}

/** Splits an iptables argument line like a shell: double quotes group, `\"` escapes. */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inTok = false;
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (q) {
      if (c === '\\' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') {
      q = true;
      inTok = true;
    } else if (c === ' ' || c === '\t') {
      if (inTok) out.push(cur);
      cur = '';
      inTok = false;
    } else {
      cur += c;
      inTok = true;
    }
  }
  if (q) throw new Error(`unterminated quote in: ${line}`);
  if (inTok) out.push(cur);
  return out;
}

function parseAddr(text: string): Cidr {
  const r = parseCidr(text.includes('/') ? text.trim() : `${text.trim()}/32`);
  if (!r.ok) throw new Error(`bad address ${text}`);
  return r.cidr;
}

function parsePorts(text: string, neg: boolean): PortRange {
  const [a, b] = text.split(':');
  const lo = Number(a);
  const hi = b === undefined ? lo : Number(b);
  if (!Number.isInteger(lo) || !Number.isInteger(hi)) throw new Error(`bad port ${text}`);
  return { lo, hi, neg };
}

function parseNum(text: string): number {
  const n = text.startsWith('0x') ? parseInt(text, 16) : Number(text);
  if (!Number.isFinite(n)) throw new Error(`bad number ${text}`);
  return n >>> 0;
}

/** Parses `-A CHAIN …` (or just the arguments after it, with `chain` given). Throws on text it cannot model. */
export function parseRule(line: string): Rule {
  const t = tokenize(line);
  if (t[0] !== '-A' || t[1] === undefined) throw new Error(`rule must start with -A CHAIN: ${line}`);
  const chain = t[1];
  let i = 2;
  let neg = false;
  const r: {
    src?: AddrMatch;
    dst?: AddrMatch;
    inIface?: IfaceMatch;
    outIface?: IfaceMatch;
    proto?: { name: string; neg: boolean };
    matches: Match[];
    target: Target;
  } = { matches: [], target: { j: 'none' } };
  let current: Match | undefined;
  const next = (): string => {
    const v = t[i++];
    if (v === undefined) throw new Error(`missing value in: ${line}`);
    return v;
  };
  const setCurrent = (m: Match): void => {
    const idx = r.matches.indexOf(current as Match);
    if (current !== undefined && idx >= 0) r.matches[idx] = m;
    current = m;
  };
  while (i < t.length) {
    const tok = next();
    if (tok === '!') {
      neg = true;
      continue;
    }
    const n = neg;
    neg = false;
    switch (tok) {
      case '-s':
      case '--source':
        r.src = { cidr: parseAddr(next()), neg: n };
        break;
      case '-d':
      case '--destination':
        r.dst = { cidr: parseAddr(next()), neg: n };
        break;
      case '-i':
        r.inIface = { name: next(), neg: n };
        break;
      case '-o':
        r.outIface = { name: next(), neg: n };
        break;
      case '-p':
        r.proto = { name: next(), neg: n };
        break;
      case '-m': {
        const name = next();
        let m: Match;
        switch (name) {
          case 'comment':
            m = { m: 'comment', comment: '' };
            break;
          case 'tcp':
          case 'udp':
          case 'sctp':
            m = { m: name };
            break;
          case 'icmp':
            m = { m: 'icmp', neg: false };
            break;
          case 'mark':
            m = { m: 'mark', value: 0, mask: 0xffffffff, neg: false };
            break;
          case 'conntrack':
            m = { m: 'conntrack', ctstate: [], neg: false };
            break;
          case 'addrtype':
            m = { m: 'addrtype', srcNeg: false, dstNeg: false, limitIfaceIn: false, limitIfaceOut: false };
            break;
          case 'statistic':
            m = { m: 'statistic', probability: 1 };
            break;
          case 'physdev':
            m = { m: 'physdev' };
            break;
          case 'multiport':
            m = { m: 'multiport', dports: [] };
            break;
          case 'set':
            m = { m: 'set', name: '', dirs: [], neg: false };
            break;
          case 'recent':
            m = {
              m: 'recent',
              name: 'DEFAULT',
              mode: 'set',
              reap: false,
              side: 'source',
              mask: '255.255.255.255',
            };
            break;
          default:
            m = { m: 'other', text: `-m ${name}` };
        }
        r.matches.push(m);
        current = m;
        break;
      }
      case '--comment':
        if (current?.m !== 'comment') throw new Error(`--comment without -m comment: ${line}`);
        setCurrent({ m: 'comment', comment: next() });
        break;
      case '--dport':
      case '--sport':
      case '--destination-port':
      case '--source-port': {
        const key = tok === '--dport' || tok === '--destination-port' ? 'dport' : 'sport';
        const range = parsePorts(next(), n);
        if (current === undefined || (current.m !== 'tcp' && current.m !== 'udp' && current.m !== 'sctp')) {
          // iptables loads the protocol's match implicitly: `-p tcp --dport 80` ≡ `-p tcp -m tcp --dport 80`.
          const pm = r.proto?.name;
          if (pm !== 'tcp' && pm !== 'udp' && pm !== 'sctp')
            throw new Error(`${tok} needs -p tcp|udp|sctp: ${line}`);
          const m: Match = { m: pm, [key]: range };
          r.matches.push(m);
          current = m;
        } else setCurrent({ ...current, [key]: range });
        break;
      }
      case '--dports':
        if (current?.m !== 'multiport') throw new Error(`--dports without -m multiport: ${line}`);
        setCurrent({
          m: 'multiport',
          dports: next()
            .split(',')
            .map((p) => parsePorts(p, false)),
        });
        break;
      case '--icmp-type': {
        const text = next();
        const [t0, c0] = (ICMP_TYPES[text] ?? text).split('/');
        const icmpType = Number(t0);
        if (!Number.isInteger(icmpType)) throw new Error(`unknown ICMP type ${text} in: ${line}`);
        const m: Match = {
          m: 'icmp',
          icmpType,
          ...(c0 !== undefined ? { icmpCode: Number(c0) } : {}),
          neg: n,
        };
        if (current?.m === 'icmp') setCurrent(m);
        else {
          if (r.proto?.name !== 'icmp') throw new Error(`--icmp-type needs -p icmp: ${line}`);
          r.matches.push(m); // iptables loads the icmp match implicitly
          current = m;
        }
        break;
      }
      case '--mark': {
        if (current?.m !== 'mark') throw new Error(`--mark without -m mark: ${line}`);
        const [v, mask] = next().split('/');
        setCurrent({
          m: 'mark',
          value: parseNum(v ?? '0'),
          mask: mask === undefined ? 0xffffffff : parseNum(mask),
          neg: n,
        });
        break;
      }
      case '--ctstate':
        if (current?.m !== 'conntrack') throw new Error(`--ctstate without -m conntrack: ${line}`);
        setCurrent({ m: 'conntrack', ctstate: next().split(','), neg: n });
        break;
      case '--dst-type':
      case '--src-type': {
        if (current?.m !== 'addrtype') throw new Error(`${tok} without -m addrtype: ${line}`);
        const v = next();
        setCurrent(
          tok === '--dst-type'
            ? { ...current, dstType: v, dstNeg: n }
            : { ...current, srcType: v, srcNeg: n },
        );
        break;
      }
      case '--limit-iface-in':
      case '--limit-iface-out':
        if (current?.m !== 'addrtype') throw new Error(`${tok} without -m addrtype: ${line}`);
        setCurrent(
          tok === '--limit-iface-in'
            ? { ...current, limitIfaceIn: true }
            : { ...current, limitIfaceOut: true },
        );
        break;
      case '--mode':
        next(); // statistic --mode random (the only mode kube-proxy uses)
        break;
      case '--probability':
        if (current?.m !== 'statistic') throw new Error(`--probability without -m statistic: ${line}`);
        setCurrent({ m: 'statistic', probability: Number(next()) });
        break;
      case '--physdev-in':
      case '--physdev-out':
      case '--physdev-is-in':
      case '--physdev-is-bridged': {
        if (current?.m !== 'physdev') throw new Error(`${tok} without -m physdev: ${line}`);
        if (tok === '--physdev-is-bridged') setCurrent({ ...current, isBridged: true });
        else if (tok === '--physdev-is-in') setCurrent({ ...current, isIn: { neg: n } });
        else {
          const v = { name: next(), neg: n };
          setCurrent(tok === '--physdev-in' ? { ...current, physdevIn: v } : { ...current, physdevOut: v });
        }
        break;
      }
      case '--name':
      case '--set':
      case '--rcheck':
      case '--seconds':
      case '--reap':
      case '--rsource':
      case '--rdest':
      case '--mask': {
        if (current?.m !== 'recent') throw new Error(`${tok} without -m recent: ${line}`);
        const c = current;
        if (tok === '--name') setCurrent({ ...c, name: next() });
        else if (tok === '--set') setCurrent({ ...c, mode: 'set' });
        else if (tok === '--rcheck') setCurrent({ ...c, mode: 'rcheck' });
        else if (tok === '--seconds') setCurrent({ ...c, seconds: Number(next()) });
        else if (tok === '--reap') setCurrent({ ...c, reap: true });
        else if (tok === '--rsource') setCurrent({ ...c, side: 'source' });
        else if (tok === '--rdest') setCurrent({ ...c, side: 'dest' });
        else setCurrent({ ...c, mask: next() });
        break;
      }
      case '--match-set': {
        if (current?.m !== 'set') throw new Error(`--match-set without -m set: ${line}`);
        const name = next();
        const dirs = next().split(',');
        if (dirs.some((d) => d !== 'src' && d !== 'dst'))
          throw new Error(`bad --match-set flags in: ${line}`);
        setCurrent({ m: 'set', name, dirs: dirs as ('src' | 'dst')[], neg: n });
        break;
      }
      case '-j':
      case '-g': {
        const target = next();
        r.target = tok === '-g' ? { j: 'goto', chain: target } : parseTarget(target, t, i, line);
        i = t.length; // target options consumed by parseTarget
        break;
      }
      default:
        if (current?.m === 'other')
          setCurrent({ m: 'other', text: `${current.text} ${n ? '! ' : ''}${tok}` });
        else throw new Error(`unsupported iptables option ${tok} in: ${line}`);
    }
  }
  return { chain, ...r, written: line };
}

function parseTarget(name: string, t: readonly string[], start: number, line: string): Target {
  const opts = t.slice(start);
  const opt = (k: string): string | undefined => {
    const i = opts.indexOf(k);
    return i >= 0 ? opts[i + 1] : undefined;
  };
  const hostPort = (v: string): { toAddr: number; toPort?: number } => {
    const [a, p] = v.split(':');
    const addr = parseAddr(a ?? '').addr;
    return p === undefined ? { toAddr: addr } : { toAddr: addr, toPort: Number(p) };
  };
  switch (name) {
    case 'ACCEPT':
    case 'DROP':
    case 'RETURN':
      return { j: name };
    case 'REJECT': {
      const w = opt('--reject-with');
      return w === undefined ? { j: 'REJECT' } : { j: 'REJECT', rejectWith: w };
    }
    case 'DNAT': {
      const to = opt('--to-destination');
      if (to === undefined) throw new Error(`DNAT needs --to-destination: ${line}`);
      return { j: 'DNAT', ...hostPort(to) };
    }
    case 'SNAT': {
      const to = opt('--to-source');
      if (to === undefined) throw new Error(`SNAT needs --to-source: ${line}`);
      return { j: 'SNAT', ...hostPort(to), randomFully: opts.includes('--random-fully') };
    }
    case 'MASQUERADE':
      return { j: 'MASQUERADE', randomFully: opts.includes('--random-fully') };
    case 'MARK': {
      const set = opt('--set-xmark') ?? opt('--set-mark');
      if (set !== undefined) {
        const [v, m] = set.split('/');
        return { j: 'MARK', value: parseNum(v ?? '0'), mask: m === undefined ? 0xffffffff : parseNum(m) };
      }
      const or = opt('--or-mark');
      if (or !== undefined) return { j: 'MARK', value: parseNum(or), mask: parseNum(or) };
      const xor = opt('--xor-mark');
      if (xor !== undefined) return { j: 'MARK', value: parseNum(xor), mask: 0 };
      const and = opt('--and-mark');
      if (and !== undefined) return { j: 'MARK', value: 0, mask: ~parseNum(and) >>> 0 };
      throw new Error(`MARK needs --set-xmark/--or-mark/--xor-mark: ${line}`);
    }
    default:
      return { j: 'jump', chain: name };
  }
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;
const addr = (a: AddrMatch): string => `${a.neg ? '! ' : ''}${formatIpv4(a.cidr.addr)}/${a.cidr.len}`;
const ports = (p: PortRange): string => (p.lo === p.hi ? String(p.lo) : `${p.lo}:${p.hi}`);

/** xtables_save_string: bare when only [A-Za-z0-9_-], else double-quoted with `"`, `\\` and `'` escaped. */
function quoteComment(c: string): string {
  if (c !== '' && /^[A-Za-z0-9_-]+$/.test(c)) return c;
  return `"${c.replace(/["\\']/g, (x) => `\\${x}`)}"`;
}

/** The order libxt_conntrack prints --ctstate flags in. */
const CTSTATE_ORDER = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED', 'SNAT', 'DNAT'];

/** The kernel keeps a `statistic` probability as a 31-bit fraction; iptables-save prints that back with 11 decimals. */
export function savedProbability(p: number): string {
  return (Math.round(p * 0x80000000) / 0x80000000).toFixed(11);
}

const ICMP_TYPES: Record<string, string> = {
  'echo-reply': '0',
  pong: '0',
  'destination-unreachable': '3',
  'network-unreachable': '3/0',
  'host-unreachable': '3/1',
  'protocol-unreachable': '3/2',
  'port-unreachable': '3/3',
  'fragmentation-needed': '3/4',
  'echo-request': '8',
  ping: '8',
  'time-exceeded': '11',
  'ttl-exceeded': '11',
};

function formatMatch(m: Match): string {
  switch (m.m) {
    case 'comment':
      return `-m comment --comment ${quoteComment(m.comment)}`;
    case 'tcp':
    case 'udp':
    case 'sctp': {
      const s = [`-m ${m.m}`];
      if (m.sport) s.push(`${m.sport.neg ? '! ' : ''}--sport ${ports(m.sport)}`);
      if (m.dport) s.push(`${m.dport.neg ? '! ' : ''}--dport ${ports(m.dport)}`);
      return s.join(' ');
    }
    case 'icmp':
      return m.icmpType === undefined
        ? '-m icmp'
        : `-m icmp ${m.neg ? '! ' : ''}--icmp-type ${m.icmpType}${m.icmpCode !== undefined ? `/${m.icmpCode}` : ''}`;
    case 'mark':
      return `-m mark ${m.neg ? '! ' : ''}--mark ${hex(m.value)}${m.mask === 0xffffffff ? '' : `/${hex(m.mask)}`}`;
    case 'conntrack':
      return `-m conntrack ${m.neg ? '! ' : ''}--ctstate ${[...m.ctstate].sort((a, b) => CTSTATE_ORDER.indexOf(a) - CTSTATE_ORDER.indexOf(b)).join(',')}`;
    case 'addrtype': {
      const s = ['-m addrtype'];
      if (m.srcType !== undefined) s.push(`${m.srcNeg ? '! ' : ''}--src-type ${m.srcType}`);
      if (m.dstType !== undefined) s.push(`${m.dstNeg ? '! ' : ''}--dst-type ${m.dstType}`);
      if (m.limitIfaceIn) s.push('--limit-iface-in');
      if (m.limitIfaceOut) s.push('--limit-iface-out');
      return s.join(' ');
    }
    case 'statistic':
      return `-m statistic --mode random --probability ${savedProbability(m.probability)}`;
    case 'physdev': {
      const s = ['-m physdev'];
      if (m.isIn) s.push(`${m.isIn.neg ? '! ' : ''}--physdev-is-in`);
      if (m.physdevIn) s.push(`${m.physdevIn.neg ? '! ' : ''}--physdev-in ${m.physdevIn.name}`);
      if (m.physdevOut) s.push(`${m.physdevOut.neg ? '! ' : ''}--physdev-out ${m.physdevOut.name}`);
      if (m.isBridged) s.push('--physdev-is-bridged');
      return s.join(' ');
    }
    case 'multiport':
      return `-m multiport --dports ${m.dports.map(ports).join(',')}`;
    case 'recent': {
      const s = [`-m recent --${m.mode}`];
      if (m.seconds !== undefined) s.push(`--seconds ${m.seconds}`);
      if (m.reap) s.push('--reap');
      s.push(`--name ${m.name}`, `--mask ${m.mask}`, m.side === 'source' ? '--rsource' : '--rdest');
      return s.join(' ');
    }
    case 'set':
      return `-m set ${m.neg ? '! ' : ''}--match-set ${m.name} ${m.dirs.join(',')}`;
    case 'other':
      // libxt_nfacct prints " --nfacct-name " and then xtables_save_string's own leading space
      return m.text.replace(/^-m nfacct --nfacct-name (\S)/, '-m nfacct --nfacct-name  $1');
  }
}

export function formatTarget(t: Target): string {
  switch (t.j) {
    case 'none':
      return '';
    case 'ACCEPT':
    case 'DROP':
    case 'RETURN':
      return `-j ${t.j}`;
    case 'REJECT':
      return `-j REJECT --reject-with ${t.rejectWith ?? 'icmp-port-unreachable'}`;
    case 'DNAT':
      return `-j DNAT --to-destination ${formatIpv4(t.toAddr)}${t.toPort !== undefined ? `:${t.toPort}` : ''}`;
    case 'SNAT':
      return `-j SNAT --to-source ${formatIpv4(t.toAddr)}${t.toPort !== undefined ? `:${t.toPort}` : ''}${t.randomFully ? ' --random-fully' : ''}`;
    case 'MASQUERADE':
      return `-j MASQUERADE${t.randomFully ? ' --random-fully' : ''}`;
    case 'MARK':
      return `-j MARK --set-xmark ${hex(t.value)}/${hex(t.mask)}`;
    case 'jump':
      return `-j ${t.chain}`;
    case 'goto':
      return `-g ${t.chain}`;
  }
}

/** The rule as `iptables-save` prints it: `! -s/-s`, `-d`, `-i`, `-o`, `-p`, matches in order, target. */
export function formatRule(r: Rule): string {
  const s = [`-A ${r.chain}`];
  if (r.src) s.push(`${r.src.neg ? '! ' : ''}-s ${addr({ ...r.src, neg: false })}`);
  if (r.dst) s.push(`${r.dst.neg ? '! ' : ''}-d ${addr({ ...r.dst, neg: false })}`);
  if (r.inIface) s.push(`${r.inIface.neg ? '! ' : ''}-i ${r.inIface.name}`);
  if (r.outIface) s.push(`${r.outIface.neg ? '! ' : ''}-o ${r.outIface.name}`);
  if (r.proto) s.push(`${r.proto.neg ? '! ' : ''}-p ${r.proto.name}`);
  for (const m of r.matches) s.push(formatMatch(m));
  const tgt = formatTarget(r.target);
  if (tgt) s.push(tgt);
  return s.join(' ');
}
