import type { NftChain, NftFamily, NftRuleset, NftSet, NftTable } from '../dataplane/netfilter/nft';

/**
 * `nft list …` as nft (1.0.6, Debian bookworm's, the release paired with iptables 1.8.9) prints
 * it: tab indentation, a table's sets and maps before its chains (each in creation order, a blank
 * line between objects), base chains with their `type … hook … priority …; policy …;` line,
 * priorities printed symbolically only where nft allows the name for that hook (dstnat only in
 * prerouting, srcnat only in postrouting), set elements sorted the way nft sorts them.
 */

const STD_PRIOS: readonly (readonly [number, string])[] = [
  [-300, 'raw'],
  [-150, 'mangle'],
  [-100, 'dstnat'],
  [0, 'filter'],
  [50, 'security'],
  [100, 'srcnat'],
];

/** nft's prio2str for the ip/ip6/inet families. */
export function nftPriority(prio: number, hook: string): string {
  for (const [val, name] of STD_PRIOS) {
    const offset = prio - val;
    if (Math.abs(offset) > 10) continue;
    if (name === 'dstnat' && hook !== 'prerouting') break;
    if (name === 'srcnat' && hook !== 'postrouting') break;
    return offset === 0 ? name : `${name} ${offset > 0 ? '+' : '-'} ${Math.abs(offset)}`;
  }
  return String(prio);
}

/** nft's time_print: `3h`, `1h30m`, `10s`, `1d`. */
export function nftTime(seconds: number): string {
  let s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  let out = '';
  if (d) out += `${d}d`;
  if (h) out += `${h}h`;
  if (m) out += `${m}m`;
  if (s || out === '') out += `${s}s`;
  return out;
}

/** Bytes of one key part as nft stores it in a register (addresses and ports big-endian). */
function keyBytes(type: string, v: string): number[] {
  switch (type) {
    case 'ipv4_addr': {
      const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(v);
      return m ? [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] : [0, 0, 0, 0];
    }
    case 'inet_proto': {
      const n = { icmp: 1, tcp: 6, udp: 17, sctp: 132 }[v] ?? Number(v);
      return [n & 0xff];
    }
    case 'inet_service': {
      const n = Number(v);
      return [(n >> 8) & 0xff, n & 0xff];
    }
    default:
      return [...v].map((c) => c.charCodeAt(0) & 0xff);
  }
}

/**
 * nft sorts the elements it lists (mergesort.c): a plain value by its number, a concatenation by
 * its bytes read as a host-endian (little-endian) integer, i.e. from the last byte backwards.
 */
function sortedElements(set: NftSet): NftSet['elements'] {
  const types = (set.type.split(' : ')[0] ?? '').split(' . ').map((t) => t.trim());
  const concat = types.length > 1;
  const bytesOf = (key: readonly string[]): number[] => key.flatMap((k, i) => keyBytes(types[i] ?? '', k));
  return [...set.elements].sort((a, b) => {
    const x = bytesOf(a.key);
    const y = bytesOf(b.key);
    if (!concat) {
      for (let i = 0; i < Math.max(x.length, y.length); i++)
        if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
      return 0;
    }
    for (let i = Math.max(x.length, y.length) - 1; i >= 0; i--)
      if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  });
}

const NEWLINE_DELIM = ',\n\t\t\t     ';

function printSet(set: NftSet): string {
  let out = `\t${set.kind} ${set.name} {\n\t\ttype ${set.type}\n`;
  if (set.flags && set.flags.length > 0) {
    const order = ['constant', 'dynamic', 'interval', 'timeout'];
    const flags = [...set.flags].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    out += `\t\tflags ${flags.join(',')}\n`;
  }
  if (set.timeout !== undefined) out += `\t\ttimeout ${nftTime(set.timeout)}\n`;
  if (set.comment !== undefined) out += `\t\tcomment "${set.comment}"\n`;
  if (set.elements.length > 0) {
    const keyType = set.type.split(' : ')[0] ?? '';
    const pairs = !keyType.includes(' . ') && (keyType === 'ipv4_addr' || keyType === 'ipv6_addr');
    const items = sortedElements(set).map(
      (e) =>
        `${e.key.join(' . ')}${e.comment !== undefined ? ` comment "${e.comment}"` : ''}${e.value !== undefined ? ` : ${e.value}` : ''}`,
    );
    let body = '';
    items.forEach((it, i) => {
      if (i > 0) body += pairs && i % 2 === 1 ? ', ' : NEWLINE_DELIM;
      body += it;
    });
    out += `\t\telements = { ${body} }\n`;
  }
  return `${out}\t}\n`;
}

function printChain(c: NftChain): string {
  let out = `\tchain ${c.name} {\n`;
  if (c.comment !== undefined) out += `\t\tcomment "${c.comment}"\n`;
  if (c.base)
    out += `\t\ttype ${c.base.type} hook ${c.base.hook} priority ${nftPriority(c.base.priority, c.base.hook)}; policy ${c.base.policy};\n`;
  for (const r of c.rules) out += `\t\t${r.text}\n`;
  return `${out}\t}\n`;
}

/** `nft list table FAMILY NAME` for one table. */
export function nftPrintTable(t: NftTable): string {
  let out = `table ${t.family} ${t.name} {\n`;
  if (t.comment !== undefined) out += `\tcomment "${t.comment}"\n`;
  let delim = '';
  for (const s of t.sets) {
    out += delim + printSet(s);
    delim = '\n';
  }
  for (const c of t.chains) {
    out += delim + printChain(c);
    delim = '\n';
  }
  return `${out}}\n`;
}

/** `nft list ruleset`: every table, back to back. */
export function nftListRuleset(rs: NftRuleset | undefined): string {
  return (rs?.tables ?? []).map(nftPrintTable).join('');
}

/** `nft list tables`. */
export function nftListTables(rs: NftRuleset | undefined): string {
  return (rs?.tables ?? []).map((t) => `table ${t.family} ${t.name}\n`).join('');
}

export type NftListResult =
  { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly error: string };

const FAMILIES: readonly NftFamily[] = ['ip', 'ip6', 'inet'];

/** nft's error for a missing object: the message, the command, carets under the name. */
function notFound(cmd: string, name: string): NftListResult {
  const at = cmd.lastIndexOf(name);
  return {
    ok: false,
    error: `Error: No such file or directory\n${cmd}\n${' '.repeat(at)}${'^'.repeat(name.length)}`,
  };
}

/**
 * `nft list …` for the arguments after `nft` (`list table ip kube-proxy`, `list table kube-proxy`,
 * `list ruleset`, `list tables`, `list chain [FAMILY] TABLE CHAIN`, `list set|map [FAMILY] TABLE NAME`).
 * Undefined when the arguments are not one of those.
 */
export function nftList(rs: NftRuleset | undefined, args: readonly string[]): NftListResult | undefined {
  if (args[0] !== 'list') return undefined;
  const what = args[1];
  if (what === 'ruleset' && args.length === 2) return { ok: true, stdout: nftListRuleset(rs) };
  if (what === 'tables' && args.length === 2) return { ok: true, stdout: nftListTables(rs) };
  if (what !== 'table' && what !== 'chain' && what !== 'set' && what !== 'map') return undefined;
  let i = 2;
  let family: NftFamily = 'ip';
  if (FAMILIES.includes(args[i] as NftFamily) && args.length > i + 1) family = args[i++] as NftFamily;
  const tableName = args[i++];
  if (tableName === undefined) return undefined;
  const objName = what === 'table' ? undefined : args[i++];
  if (args.length !== i || (what !== 'table' && objName === undefined)) return undefined;
  const cmd = `list ${what} ${family} ${tableName}${objName !== undefined ? ` ${objName}` : ''}`;
  const table = rs?.tables.find((t) => t.family === family && t.name === tableName);
  if (!table) return notFound(cmd, tableName);
  if (what === 'table') return { ok: true, stdout: nftPrintTable(table) };
  const head = `table ${table.family} ${table.name} {\n`;
  if (what === 'chain') {
    const c = table.chains.find((x) => x.name === objName);
    return c ? { ok: true, stdout: `${head}${printChain(c)}}\n` } : notFound(cmd, objName ?? '');
  }
  const s = table.sets.find((x) => x.name === objName && x.kind === what);
  return s ? { ok: true, stdout: `${head}${printSet(s)}}\n` } : notFound(cmd, objName ?? '');
}
