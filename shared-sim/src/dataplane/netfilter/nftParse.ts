/**
 * A parser for the nftables rule syntax kube-proxy writes (matches, lookups, concatenations,
 * verdict maps, numgen, mark/update/dnat/masquerade statements), and the printer that gives the
 * text `nft list` shows for it (nft stores rules as bytecode and prints them back normalised:
 * `mark set mark or 0x4000` comes back as `meta mark set meta mark | 0x00004000`, a one-element
 * anonymous set as a plain value).
 */

/** A selector: `ip daddr`, `meta l4proto`, `th dport`, `tcp dport`, `ct state`, `fib daddr type`, `meta mark`, `iif`, `iifname`, … */
export type NftField = string;

export type NftMatch =
  /** `FIELD [!=] VALUE`, `FIELD [!=] { V1, V2 }` (any of), `meta mark & MASK ==|!= VALUE`. */
  | {
      readonly k: 'cmp';
      readonly fields: readonly NftField[];
      readonly neg: boolean;
      readonly values: readonly string[];
      readonly mask?: number;
    }
  /** `FIELD[ . FIELD…] [!=] @set` */
  | {
      readonly k: 'lookup';
      readonly fields: readonly NftField[];
      readonly set: string;
      readonly neg: boolean;
    };

export interface NftVmapElement {
  readonly key: string;
  readonly verdict: string;
}

export type NftStmt =
  | { readonly k: 'verdict'; readonly verdict: 'accept' | 'drop' | 'reject' | 'return' | 'continue' }
  | { readonly k: 'jump' | 'goto'; readonly chain: string }
  /** `FIELDS vmap @map`, `FIELDS vmap { … }`, `numgen random mod N vmap { … }` (fields empty, `numgen` set). */
  | {
      readonly k: 'vmap';
      readonly fields: readonly NftField[];
      readonly numgen?: number;
      readonly map?: string;
      readonly elements?: readonly NftVmapElement[];
    }
  | { readonly k: 'mark'; readonly op: 'or' | 'xor' | 'and' | 'set'; readonly value: number }
  | { readonly k: 'update'; readonly set: string; readonly fields: readonly NftField[] }
  | { readonly k: 'dnat'; readonly addr: string; readonly port?: number }
  | { readonly k: 'masquerade'; readonly fullyRandom: boolean }
  /** Something this simulator cannot run; the rule never matches. */
  | { readonly k: 'unknown'; readonly text: string };

export interface NftParsedRule {
  readonly matches: readonly NftMatch[];
  readonly stmts: readonly NftStmt[];
  readonly comment?: string;
}

const TWO_WORD: Readonly<Record<string, readonly string[]>> = {
  ip: ['saddr', 'daddr', 'protocol'],
  meta: ['l4proto', 'mark', 'iifname', 'oifname'],
  th: ['sport', 'dport'],
  tcp: ['sport', 'dport'],
  udp: ['sport', 'dport'],
  sctp: ['sport', 'dport'],
  ct: ['state', 'status'],
};
const ONE_WORD = new Set(['iif', 'iifname', 'oif', 'oifname', 'mark']);

function tokenize(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      const stop = end < 0 ? text.length : end + 1;
      out.push(text.slice(i, stop));
      i = stop;
      continue;
    }
    if (c === '{' || c === '}' || c === ',') {
      out.push(c);
      i++;
      continue;
    }
    let j = i;
    while (j < text.length && !' \t\n{},"'.includes(text[j] ?? ' ')) j++;
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}

const unquote = (s: string): string => (s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s);

function parseNumber(s: string): number {
  return s.startsWith('0x') ? parseInt(s.slice(2), 16) >>> 0 : Number(s) >>> 0;
}

/** Parses one rule as written after `nft add rule FAMILY TABLE CHAIN`. */
export function parseNftRule(text: string): NftParsedRule {
  const t = tokenize(text);
  let i = 0;
  const matches: NftMatch[] = [];
  const stmts: NftStmt[] = [];
  let comment: string | undefined;
  const peek = (o = 0): string | undefined => t[i + o];
  const next = (): string => t[i++] ?? '';
  const unknown = (): NftParsedRule => {
    const rest = t.slice(i).join(' ');
    return { matches, stmts: [...stmts, { k: 'unknown', text: rest }], ...(comment ? { comment } : {}) };
  };

  /** A selector starting at the cursor, or undefined (cursor untouched). */
  const field = (): NftField | undefined => {
    const a = peek();
    if (a === undefined) return undefined;
    const two = TWO_WORD[a];
    const b = peek(1);
    if (two && b !== undefined && two.includes(b)) {
      i += 2;
      return a === 'meta' && b === 'mark' ? 'meta mark' : `${a} ${b}`;
    }
    if (a === 'fib' && (b === 'daddr' || b === 'saddr') && peek(2) === 'type') {
      i += 3;
      return `fib ${b} type`;
    }
    if (ONE_WORD.has(a) && b !== 'set') {
      i += 1;
      return a === 'mark' ? 'meta mark' : a;
    }
    return undefined;
  };

  /** `{ a, b }` contents (cursor on `{`). */
  const braced = (): string[] => {
    next(); // {
    const items: string[] = [];
    let cur: string[] = [];
    while (i < t.length && peek() !== '}') {
      const x = next();
      if (x === ',') {
        items.push(cur.join(' '));
        cur = [];
      } else cur.push(x);
    }
    next(); // }
    if (cur.length > 0) items.push(cur.join(' '));
    return items;
  };

  const vmapElements = (items: readonly string[]): NftVmapElement[] =>
    items.map((s) => {
      const k = s.indexOf(' : ');
      return { key: s.slice(0, k).trim(), verdict: s.slice(k + 3).trim() };
    });

  while (i < t.length) {
    const a = peek() ?? '';
    if (a === 'comment') {
      next();
      comment = unquote(next());
      continue;
    }
    if (a === 'numgen' && peek(1) === 'random' && peek(2) === 'mod') {
      i += 3;
      const mod = Number(next());
      if (next() !== 'vmap' || peek() !== '{') return unknown();
      stmts.push({ k: 'vmap', fields: [], numgen: mod, elements: vmapElements(braced()) });
      continue;
    }
    const f0 = field();
    if (f0 !== undefined) {
      const fields = [f0];
      while (peek() === '.') {
        next();
        const f = field();
        if (f === undefined) return unknown();
        fields.push(f);
      }
      let neg = false;
      let mask: number | undefined;
      if (peek() === '&' || peek() === 'and') {
        next();
        mask = parseNumber(next());
        const op = next();
        if (op === '!=') neg = true;
        else if (op !== '==') return unknown();
      } else if (peek() === '!=') {
        next();
        neg = true;
      } else if (peek() === '==') next();
      const v = peek();
      if (v === 'vmap') {
        next();
        if (peek() === '{') stmts.push({ k: 'vmap', fields, elements: vmapElements(braced()) });
        else stmts.push({ k: 'vmap', fields, map: next().replace(/^@/, '') });
        continue;
      }
      if (v !== undefined && v.startsWith('@')) {
        next();
        matches.push({ k: 'lookup', fields, set: v.slice(1), neg });
        continue;
      }
      if (v === '{') {
        matches.push({ k: 'cmp', fields, neg, values: braced() });
        continue;
      }
      if (v === undefined) return unknown();
      next();
      matches.push({
        k: 'cmp',
        fields,
        neg,
        values: [v.startsWith('"') ? unquote(v) : v],
        ...(mask !== undefined ? { mask } : {}),
      });
      continue;
    }
    switch (a) {
      case 'accept':
      case 'drop':
      case 'reject':
      case 'return':
      case 'continue':
        next();
        stmts.push({ k: 'verdict', verdict: a });
        continue;
      case 'jump':
      case 'goto':
        next();
        stmts.push({ k: a, chain: next() });
        continue;
      case 'masquerade': {
        next();
        const fr = peek() === 'fully-random';
        if (fr) next();
        stmts.push({ k: 'masquerade', fullyRandom: fr });
        continue;
      }
      case 'dnat': {
        next();
        if (peek() === 'ip') next();
        if (next() !== 'to') return unknown();
        const to = next();
        const m = /^([0-9.]+)(?::(\d+))?$/.exec(to);
        if (!m) return unknown();
        stmts.push(
          m[2] !== undefined
            ? { k: 'dnat', addr: m[1] ?? '', port: Number(m[2]) }
            : { k: 'dnat', addr: m[1] ?? '' },
        );
        continue;
      }
      case 'update': {
        next();
        const set = next().replace(/^@/, '');
        if (peek() !== '{') return unknown();
        next();
        const fields: NftField[] = [];
        while (i < t.length && peek() !== '}') {
          const f = field();
          if (f === undefined) return unknown();
          fields.push(f);
          if (peek() === '.') next();
        }
        next();
        stmts.push({ k: 'update', set, fields });
        continue;
      }
    }
    // mark set mark or|xor X / meta mark set meta mark | X / meta mark set X
    if ((a === 'mark' || (a === 'meta' && peek(1) === 'mark')) && t.includes('set')) {
      i += a === 'meta' ? 2 : 1;
      if (next() !== 'set') return unknown();
      const b = peek();
      if (b === 'mark' || b === 'meta') {
        i += b === 'meta' ? 2 : 1;
        const op = next();
        const value = parseNumber(next());
        const o =
          op === 'or' || op === '|'
            ? 'or'
            : op === 'xor' || op === '^'
              ? 'xor'
              : op === 'and' || op === '&'
                ? 'and'
                : undefined;
        if (o === undefined) return unknown();
        stmts.push({ k: 'mark', op: o, value });
      } else stmts.push({ k: 'mark', op: 'set', value: parseNumber(next()) });
      continue;
    }
    return unknown();
  }
  return { matches, stmts, ...(comment !== undefined ? { comment } : {}) };
}

const hex8 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

function ipNum(s: string): number {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)/.exec(s);
  if (!m) return 0;
  return ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
}

function listValue(field: NftField, v: string): string {
  if (field === 'meta mark') return hex8(parseNumber(v));
  if (field === 'iif' || field === 'iifname' || field === 'oif' || field === 'oifname') return `"${v}"`;
  return v;
}

/** The text `nft list` prints for a parsed rule. */
export function nftListText(r: NftParsedRule): string {
  const parts: string[] = [];
  for (const m of r.matches) {
    const lhs = m.fields.join(' . ');
    const f = m.fields[0] ?? '';
    if (m.k === 'lookup') {
      parts.push(`${lhs}${m.neg ? ' !=' : ''} @${m.set}`);
      continue;
    }
    if (m.mask !== undefined) {
      parts.push(`${lhs} & ${hex8(m.mask)} ${m.neg ? '!=' : '=='} ${listValue(f, m.values[0] ?? '0')}`);
      continue;
    }
    let rhs: string;
    if (m.values.length === 1) rhs = listValue(f, m.values[0] ?? '');
    else {
      const vs = [...m.values];
      if (f === 'ip saddr' || f === 'ip daddr') vs.sort((a, b) => ipNum(a) - ipNum(b));
      rhs = `{ ${vs.map((v) => listValue(f, v)).join(', ')} }`;
    }
    parts.push(`${lhs}${m.neg ? ' !=' : ''} ${rhs}`);
  }
  for (const s of r.stmts) {
    switch (s.k) {
      case 'verdict':
        parts.push(s.verdict);
        break;
      case 'jump':
      case 'goto':
        parts.push(`${s.k} ${s.chain}`);
        break;
      case 'vmap': {
        const lhs = s.numgen !== undefined ? `numgen random mod ${s.numgen}` : s.fields.join(' . ');
        const rhs =
          s.map !== undefined
            ? `@${s.map}`
            : `{ ${(s.elements ?? []).map((e) => `${e.key} : ${e.verdict}`).join(', ')} }`;
        parts.push(`${lhs} vmap ${rhs}`);
        break;
      }
      case 'mark':
        parts.push(
          s.op === 'set'
            ? `meta mark set ${hex8(s.value)}`
            : `meta mark set meta mark ${s.op === 'or' ? '|' : s.op === 'xor' ? '^' : '&'} ${hex8(s.value)}`,
        );
        break;
      case 'update':
        parts.push(`update @${s.set} { ${s.fields.join(' . ')} }`);
        break;
      case 'dnat':
        parts.push(`dnat to ${s.addr}${s.port !== undefined ? `:${s.port}` : ''}`);
        break;
      case 'masquerade':
        parts.push(s.fullyRandom ? 'masquerade fully-random' : 'masquerade');
        break;
      case 'unknown':
        parts.push(s.text);
        break;
    }
  }
  if (r.comment !== undefined) parts.push(`comment "${r.comment}"`);
  return parts.join(' ');
}
