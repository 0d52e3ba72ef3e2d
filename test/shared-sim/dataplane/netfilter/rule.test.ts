import { describe, expect, it } from 'vitest';
import { ipv4 } from '../../../../shared-sim/src/dataplane/addr/ipv4';
import {
  formatRule,
  formatTarget,
  parseRule,
  tokenize,
} from '../../../../shared-sim/src/dataplane/netfilter/rule';

const canonical = (line: string): string => formatRule(parseRule(line));

describe('tokenize', () => {
  it('splits like a shell: quotes group, \\" escapes, runs of blanks separate', () => {
    expect(tokenize('-A X  -m comment --comment "say \\"hi\\" now"\t-j RETURN')).toEqual([
      '-A',
      'X',
      '-m',
      'comment',
      '--comment',
      'say "hi" now',
      '-j',
      'RETURN',
    ]);
    expect(tokenize('--comment ""')).toEqual(['--comment', '']);
  });

  it('refuses an unterminated quote', () => {
    expect(() => tokenize('-A X -m comment --comment "oops')).toThrow(
      'unterminated quote in: -A X -m comment --comment "oops',
    );
  });
});

describe('parseRule → formatRule: the iptables-save canonical form', () => {
  // [as the control plane writes it, as iptables-save prints it back]
  const cases: readonly (readonly [string, string, string])[] = [
    [
      'kube-proxy service rule: -s/-d, -p before the matches, /32 added, -m tcp keeps its place',
      '-A KUBE-SERVICES -m comment --comment "ns/svc:80-80 cluster IP" -m tcp -p tcp -d 10.110.199.45 --dport 80 -j KUBE-SVC-OVTWZ4GROBJZO4C5',
      '-A KUBE-SERVICES -d 10.110.199.45/32 -p tcp -m comment --comment "ns/svc:80-80 cluster IP" -m tcp --dport 80 -j KUBE-SVC-OVTWZ4GROBJZO4C5',
    ],
    [
      'kube-proxy hairpin masquerade with a negated source',
      '-A KUBE-SVC-NPX46M4PTMTKRN6Y -m comment --comment "default/kubernetes:https cluster IP" -m tcp -p tcp -d 10.96.0.1 --dport 443 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ',
      '-A KUBE-SVC-NPX46M4PTMTKRN6Y ! -s 10.244.0.0/16 -d 10.96.0.1/32 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -m tcp --dport 443 -j KUBE-MARK-MASQ',
    ],
    [
      'KUBE-SEP DNAT: a comment with "/" and ":" is quoted',
      '-A KUBE-SEP-4HQ7PEMNWKLBBS4Z -m comment --comment shop/web:http -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:8080',
      '-A KUBE-SEP-4HQ7PEMNWKLBBS4Z -p tcp -m comment --comment "shop/web:http" -m tcp -j DNAT --to-destination 10.244.1.5:8080',
    ],
    [
      'KUBE-SEP hairpin mark',
      '-A KUBE-SEP-4HQ7PEMNWKLBBS4Z -m comment --comment shop/web:http -s 10.244.1.5 -j KUBE-MARK-MASQ',
      '-A KUBE-SEP-4HQ7PEMNWKLBBS4Z -s 10.244.1.5/32 -m comment --comment "shop/web:http" -j KUBE-MARK-MASQ',
    ],
    [
      '--or-mark is stored as --set-xmark V/V',
      '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
      '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
    ],
    [
      '--xor-mark is stored as --set-xmark V/0',
      '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
      '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
    ],
    [
      '--and-mark is stored as --set-xmark 0/~V',
      '-A X -j MARK --and-mark 0xffffbfff',
      '-A X -j MARK --set-xmark 0x0/0x4000',
    ],
    [
      '--set-mark without a mask clears the other bits',
      '-A X -j MARK --set-mark 0x1',
      '-A X -j MARK --set-xmark 0x1/0xffffffff',
    ],
    [
      'mark match: leading zeros dropped, negation inside the match',
      '-A KUBE-POSTROUTING -m mark ! --mark 0x00004000/0x00004000 -j RETURN',
      '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    ],
    [
      'statistic: the probability with 11 decimals',
      '-A KUBE-SVC-X -m comment --comment "shop/web:http -> 10.244.1.5:8080" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-Y',
      '-A KUBE-SVC-X -m comment --comment "shop/web:http -> 10.244.1.5:8080" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-Y',
    ],
    [
      'statistic 0.25 is exact in 2^-31 steps',
      '-A S -m statistic --mode random --probability 0.2500000000 -j T',
      '-A S -m statistic --mode random --probability 0.25000000000 -j T',
    ],
    [
      'the implicit protocol match is made explicit',
      '-A INPUT -p tcp --dport 22 -j ACCEPT',
      '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
    ],
    [
      'port ranges and negated ports',
      '-A X -p udp -m udp ! --sport 53 --dport 30000:32767 -j DROP',
      '-A X -p udp -m udp ! --sport 53 --dport 30000:32767 -j DROP',
    ],
    [
      'REJECT prints its default --reject-with',
      '-A KUBE-EXTERNAL-SERVICES -j REJECT',
      '-A KUBE-EXTERNAL-SERVICES -j REJECT --reject-with icmp-port-unreachable',
    ],
    [
      'goto',
      '-A cali-FORWARD -i cali+ -g cali-from-wl-dispatch',
      '-A cali-FORWARD -i cali+ -g cali-from-wl-dispatch',
    ],
    ['a rule with no target', '-A KUBE-SERVICES -d 10.96.0.10/32', '-A KUBE-SERVICES -d 10.96.0.10/32'],
    [
      '--source / --destination long forms',
      '-A X --source 192.0.2.0/24 --destination 198.51.100.7 -j ACCEPT',
      '-A X -s 192.0.2.0/24 -d 198.51.100.7/32 -j ACCEPT',
    ],
    [
      'host bits of a rule address are cleared',
      '-A X -s 10.244.1.5/16 -j ACCEPT',
      '-A X -s 10.244.0.0/16 -j ACCEPT',
    ],
    [
      'a comment with quotes is escaped',
      '-A X -m comment --comment "say \\"hi\\"" -j ACCEPT',
      '-A X -m comment --comment "say \\"hi\\"" -j ACCEPT',
    ],
  ];

  it.each(cases)('%s', (_why, written, saved) => {
    expect(canonical(written)).toBe(saved);
  });

  it.each(cases)('is a fixed point: %s', (_why, _written, saved) => {
    expect(canonical(saved)).toBe(saved);
  });

  // Rules copied from iptables-save on real nodes: they must come back byte for byte.
  it.each([
    '-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN',
    '-A FLANNEL-POSTRTG -s 10.244.1.0/24 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN',
    '-A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.1.0/24 -m comment --comment "flanneld masq" -j RETURN',
    '-A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.1.0/24 -m comment --comment "flanneld masq" -j RETURN',
    '-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully',
    '-A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully',
    '-A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    '-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    '-A KUBE-SERVICES -d 10.96.0.50/32 -p tcp -m comment --comment "shop/web:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable',
    '-A KUBE-EXT-X -m comment --comment "masquerade traffic for shop/web:http external destinations" -j KUBE-MARK-MASQ',
    '-A KUBE-NODEPORTS -d 127.0.0.0/8 -p tcp -m comment --comment "shop/web:http" -m tcp --dport 30080 -m nfacct --nfacct-name  localhost_nps_accepted_pkts -j KUBE-EXT-X',
    '-A POSTROUTING -s 10.244.1.0/24 -o eth0 -j SNAT --to-source 192.168.1.10 --random-fully',
    '-A FORWARD -i cni0 ! -o cni0 -j ACCEPT',
    '-A FORWARD -m physdev --physdev-is-bridged -j ACCEPT',
    '-A INPUT -p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT',
    '-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT',
    '-A KUBE-SEP-Z -p tcp -m comment --comment "shop/web:http" -m recent --set --name KUBE-SEP-Z --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.244.1.5:8080',
    '-A OUTPUT -m addrtype --src-type LOCAL ! --dst-type LOCAL --limit-iface-out -j ACCEPT',
  ])('round-trips unchanged: %s', (saved) => {
    expect(canonical(saved)).toBe(saved);
  });

  it('keeps the line as written and parses the fields', () => {
    const line =
      '-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully';
    const r = parseRule(line);
    expect(r.written).toBe(line);
    expect(r.chain).toBe('FLANNEL-POSTRTG');
    expect(r.src).toEqual({ cidr: { addr: ipv4('10.244.0.0'), len: 16 }, neg: false });
    expect(r.dst).toEqual({ cidr: { addr: ipv4('224.0.0.0'), len: 4 }, neg: true });
    expect(r.matches).toEqual([{ m: 'comment', comment: 'flanneld masq' }]);
    expect(r.target).toEqual({ j: 'MASQUERADE', randomFully: true });
  });

  it('parses NAT targets into address and port', () => {
    expect(parseRule('-A S -p tcp -j DNAT --to-destination 10.244.2.7:8080').target).toEqual({
      j: 'DNAT',
      toAddr: ipv4('10.244.2.7'),
      toPort: 8080,
    });
    expect(parseRule('-A P -j SNAT --to-source 192.168.1.10').target).toEqual({
      j: 'SNAT',
      toAddr: ipv4('192.168.1.10'),
      randomFully: false,
    });
    expect(formatTarget({ j: 'none' })).toBe('');
  });

  it.each([
    ['-I INPUT -j ACCEPT', 'rule must start with -A CHAIN: -I INPUT -j ACCEPT'],
    ['-A', 'rule must start with -A CHAIN: -A'],
    ['-A INPUT --dport 80 -j ACCEPT', '--dport needs -p tcp|udp|sctp: -A INPUT --dport 80 -j ACCEPT'],
    [
      '-A INPUT -p icmp --dport 80 -j ACCEPT',
      '--dport needs -p tcp|udp|sctp: -A INPUT -p icmp --dport 80 -j ACCEPT',
    ],
    ['-A INPUT --comment x -j ACCEPT', '--comment without -m comment: -A INPUT --comment x -j ACCEPT'],
    ['-A INPUT --ctstate NEW -j ACCEPT', '--ctstate without -m conntrack: -A INPUT --ctstate NEW -j ACCEPT'],
    [
      '-A INPUT --frobnicate -j ACCEPT',
      'unsupported iptables option --frobnicate in: -A INPUT --frobnicate -j ACCEPT',
    ],
    ['-A INPUT -s', 'missing value in: -A INPUT -s'],
    ['-A INPUT -s 10.0.0.0/33 -j ACCEPT', 'bad address 10.0.0.0/33'],
    ['-A INPUT -p tcp --dport http -j ACCEPT', 'bad port http'],
    ['-A S -j DNAT', 'DNAT needs --to-destination: -A S -j DNAT'],
    ['-A S -j MARK', 'MARK needs --set-xmark/--or-mark/--xor-mark: -A S -j MARK'],
  ])('refuses %j', (line, message) => {
    expect(() => parseRule(line)).toThrow(message);
  });
});

describe('iptables-save fidelity details', () => {
  // Was a bug (fixed): xt_statistic stores lround(p * 2^31) and iptables-save prints that back with %.11f, so
  // kube-proxy's "0.3333333333" is saved as 0.33333333349 (and "0.2000000000" as 0.20000000019) —
  // the values every real kube-proxy dump shows. formatRule prints the written value: 0.33333333330.
  it('statistic probability is quantised to 2^-31 like the kernel stores it', () => {
    expect(
      canonical('-A KUBE-SVC-X -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-A'),
    ).toBe('-A KUBE-SVC-X -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-A');
    expect(
      canonical('-A KUBE-SVC-X -m statistic --mode random --probability 0.2000000000 -j KUBE-SEP-A'),
    ).toBe('-A KUBE-SVC-X -m statistic --mode random --probability 0.20000000019 -j KUBE-SEP-A');
  });

  // Was a bug (fixed): xtables_save_string prints a value made only of [A-Za-z0-9_-] without quotes, and escapes
  // ' as well as " and \. quoteComment always adds quotes: `--comment "masq"`.
  it('a one-word comment is printed without quotes', () => {
    expect(canonical('-A X -m comment --comment masq -j RETURN')).toBe(
      '-A X -m comment --comment masq -j RETURN',
    );
  });

  // Was a bug (fixed): libxt_conntrack prints --ctstate in a fixed order (INVALID,NEW,RELATED,ESTABLISHED,
  // UNTRACKED,SNAT,DNAT) whatever order it was written in; formatRule keeps the written order.
  it('--ctstate is printed in the kernel bit order', () => {
    expect(canonical('-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT')).toBe(
      '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    );
  });

  // Was a bug (fixed): `-p icmp --icmp-type 8` (no explicit -m icmp) loads the icmp match implicitly in iptables;
  // parseRule's --icmp-type case calls setCurrent() with no current match, so the icmp match is
  // never added to rule.matches and the rule silently becomes "-A INPUT -p icmp -j ACCEPT".
  it('--icmp-type after -p icmp loads the icmp match implicitly', () => {
    expect(canonical('-A INPUT -p icmp --icmp-type 8 -j ACCEPT')).toBe(
      '-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT',
    );
  });

  // Was a bug (fixed): iptables accepts ICMP type names and saves them as numbers (echo-request → 8);
  // parseRule does Number('echo-request') and prints "--icmp-type NaN".
  it('ICMP type names are saved as numbers', () => {
    expect(canonical('-A INPUT -p icmp -m icmp --icmp-type echo-request -j ACCEPT')).toBe(
      '-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT',
    );
  });
});
