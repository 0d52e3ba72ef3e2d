import type { World } from '../compile/world';
import type {
  LabelSelector,
  NetworkPolicy,
  PolicyPeer,
  PolicyPort,
  PolicyRule,
} from '../model/networkPolicy';
import type { CommandResult } from './commands';

/**
 * `kubectl describe networkpolicy [NAME…] [-n NS|-A]`, laid out as kubectl's describer prints it:
 * the pod selector, per direction either "Not affecting … traffic" or the rules (ports, then the
 * peers, one `From:`/`To:` block per peer, `----------` between rules), and the policy types. A lab
 * has no timestamps: `Created on:` says `<unknown>`.
 */
export function describeNetworkPolicies(world: World, args: readonly string[]): CommandResult | undefined {
  const [kind, ...rest] = args;
  if (kind === undefined) return undefined;
  const slash = kind.indexOf('/');
  const k = slash >= 0 ? kind.slice(0, slash) : kind;
  if (
    ![
      'netpol',
      'networkpolicy',
      'networkpolicies',
      'networkpolicy.networking.k8s.io',
      'networkpolicies.networking.k8s.io',
    ].includes(k)
  )
    return undefined;
  let namespace = 'default';
  let all = false;
  const names: string[] = slash >= 0 ? [kind.slice(slash + 1)] : [];
  for (let i = 0; i < rest.length; i++) {
    const x = rest[i] ?? '';
    if (x === '-A' || x === '--all-namespaces') all = true;
    else if (x === '-n' || x === '--namespace') {
      const v = rest[++i];
      if (v === undefined)
        return {
          ok: false,
          error: `error: flag needs an argument: '${x === '-n' ? 'n' : 'namespace'}' in ${x}`,
        };
      namespace = v;
    } else if (x.startsWith('--namespace=')) namespace = x.slice('--namespace='.length);
    else if (x.startsWith('-')) return { ok: false, error: `error: unknown flag: ${x}` };
    else names.push(x);
  }
  if (all && names.length)
    return { ok: false, error: 'error: a resource cannot be retrieved by name across all namespaces' };
  const pols = world.lab.networkPolicies
    .filter((p) => (all || p.namespace === namespace) && (names.length === 0 || names.includes(p.name)))
    .sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
  const missing = names.filter((n) => !pols.some((p) => p.name === n));
  if (missing.length)
    return {
      ok: false,
      error: missing
        .map((n) => `Error from server (NotFound): networkpolicies.networking.k8s.io "${n}" not found`)
        .join('\n'),
    };
  if (pols.length === 0)
    return {
      ok: true,
      stdout: '',
      stderr: all ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`,
    };
  return { ok: true, stdout: pols.map((p) => describeOne(world, p)).join('\n\n') + '\n' };
}

function describeOne(world: World, p: NetworkPolicy): string {
  const meta = rawMeta(world, p);
  const out = [
    `Name:         ${p.name}`,
    `Namespace:    ${p.namespace}`,
    'Created on:   <unknown>',
    ...mapLines('Labels:       ', meta.labels),
    ...mapLines('Annotations:  ', meta.annotations),
    'Spec:',
  ];
  const sel = selectorText(p.podSelector);
  out.push(
    sel === '<none>'
      ? '  PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)'
      : `  PodSelector:     ${sel}`,
  );
  for (const dir of ['ingress', 'egress'] as const) {
    const type = dir === 'ingress' ? 'Ingress' : 'Egress';
    if (!p.policyTypes.includes(type)) {
      out.push(`  Not affecting ${dir} traffic`);
      continue;
    }
    out.push(`  Allowing ${dir} traffic:`);
    const rules = dir === 'ingress' ? p.ingress : p.egress;
    if (rules.length === 0) out.push(`    <none> (Selected pods are isolated for ${dir} connectivity)`);
    rules.forEach((r, i) => {
      if (i > 0) out.push('    ----------');
      out.push(...ruleLines(r, dir));
    });
  }
  out.push(`  Policy Types: ${p.policyTypes.join(', ')}`);
  return out.join('\n');
}

function ruleLines(r: PolicyRule, dir: 'ingress' | 'egress'): string[] {
  const out: string[] = [];
  if (r.ports.length === 0) out.push('    To Port: <any> (traffic allowed to all ports)');
  for (const p of r.ports) out.push(`    To Port: ${portText(p)}`);
  const head = dir === 'ingress' ? 'From' : 'To';
  if (r.peers.length === 0)
    out.push(
      `    ${head}: <any> (traffic not restricted by ${dir === 'ingress' ? 'source' : 'destination'})`,
    );
  for (const peer of r.peers) out.push(`    ${head}:`, ...peerLines(peer));
  return out;
}

function peerLines(peer: PolicyPeer): string[] {
  if (peer.ipBlock)
    return [
      '      IPBlock:',
      `        CIDR: ${peer.ipBlock.cidr}`,
      `        Except: ${peer.ipBlock.except.join(', ')}`,
    ];
  const out: string[] = [];
  if (peer.namespaceSelector) out.push(`      NamespaceSelector: ${selectorText(peer.namespaceSelector)}`);
  if (peer.podSelector) out.push(`      PodSelector: ${selectorText(peer.podSelector)}`);
  return out;
}

function portText(p: PolicyPort): string {
  const port = p.port === undefined ? '<any>' : String(p.port);
  return `${p.endPort !== undefined ? `${port}-${p.endPort}` : port}/${p.protocol}`;
}

/** metav1.FormatLabelSelector: requirements sorted by key, `<none>` for an empty selector. */
function selectorText(sel: LabelSelector): string {
  const reqs = Object.entries(sel.matchLabels).map(([k, v]) => ({ key: k, text: `${k}=${v}` }));
  for (const e of sel.matchExpressions) {
    const values = [...e.values].sort(cmp).join(',');
    reqs.push({
      key: e.key,
      text:
        e.operator === 'In'
          ? `${e.key} in (${values})`
          : e.operator === 'NotIn'
            ? `${e.key} notin (${values})`
            : e.operator === 'Exists'
              ? e.key
              : `!${e.key}`,
    });
  }
  if (reqs.length === 0) return '<none>';
  return reqs
    .sort((a, b) => cmp(a.key, b.key))
    .map((r) => r.text)
    .join(',');
}

function rawMeta(
  world: World,
  p: NetworkPolicy,
): { labels: Record<string, string>; annotations: Record<string, string> } {
  const m = /^objects\[(\d+)\]$/.exec(p.source);
  const f = /^faults\[(\d+)\]\.policy$/.exec(p.source);
  const raw: unknown = m
    ? world.lab.objects[Number(m[1])]
    : f
      ? world.lab.faults[Number(f[1])]?.['policy']
      : undefined;
  const meta = isObj(raw) && isObj(raw['metadata']) ? raw['metadata'] : {};
  const strings = (v: unknown): Record<string, string> =>
    isObj(v)
      ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'))
      : {};
  return { labels: strings(meta['labels']), annotations: strings(meta['annotations']) };
}

/** Labels as kubectl describe prints them: sorted `k=v`, one per line, `<none>` when empty. */
function mapLines(head: string, m: Record<string, string>): string[] {
  const keys = Object.keys(m).sort(cmp);
  if (keys.length === 0) return [`${head}<none>`];
  return keys.map((k, i) => `${i === 0 ? head : ' '.repeat(head.length)}${k}=${m[k] ?? ''}`);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
