import { hash32 } from '../core/hash';
import type { IpSet } from '../dataplane/netfilter/ipvs';
import type { Host } from '../dataplane/walker/host';

/**
 * `ipset list [NAME]` as ipset 7.x prints it on a 5.x kernel: one block per set in creation order,
 * blocks separated by a blank line. The kernel-side numbers Podpath cannot know are derived:
 * `initval` (random per set) from a hash of the host and set name, `Size in memory` from the
 * entry count with the kernel's per-type element size (an approximation), and `References` by
 * counting the iptables rules that use the set, which is what the kernel's refcount is.
 */

const IPSET_VERSION = 'v7.15';

/** The highest revision of each set type in Linux 5.15 (the one ipset creates). */
const REVISION: Readonly<Record<string, number>> = {
  'hash:ip': 5,
  'hash:ip,port': 6,
  'hash:ip,port,ip': 6,
  'hash:ip,port,net': 8,
  'hash:net': 7,
  'bitmap:port': 3,
};

/** Bytes per element the kernel allocates, by type (approximate). */
const ELEM: Readonly<Record<string, number>> = {
  'hash:ip': 8,
  'hash:ip,port': 16,
  'hash:ip,port,ip': 16,
  'hash:ip,port,net': 24,
  'hash:net': 16,
};

function references(h: Host, name: string): number {
  let n = 0;
  for (const t of ['raw', 'mangle', 'nat', 'filter'] as const)
    for (const c of h.netfilter[t].chains)
      for (const r of c.rules) for (const m of r.matches) if (m.m === 'set' && m.name === name) n++;
  return n;
}

/** Members in the order `ipset list` shows them (Podpath: sorted, as `ipset list -sorted` would). */
function members(set: IpSet): string[] {
  return set.members
    .map((m) => {
      if (set.type !== 'hash:ip,port,net' && set.type !== 'hash:net') return m;
      // ipset prints a host-sized net without its /32
      return m.endsWith('/32') ? m.slice(0, -3) : m;
    })
    .sort((a, b) => {
      if (set.type === 'bitmap:port') return Number(a) - Number(b);
      return a < b ? -1 : a > b ? 1 : 0;
    });
}

function block(h: Host, set: IpSet): string {
  const bitmap = set.type.startsWith('bitmap:');
  const n = set.members.length;
  const initval = `0x${hash32(`ipset-initval|${h.id}|${set.name}`).toString(16).padStart(8, '0')}`;
  const header = bitmap
    ? 'range 0-65535'
    : `family inet hashsize 1024 maxelem 65536 bucketsize 12 initval ${initval}`;
  const size = bitmap ? 8268 : n === 0 ? 200 : 200 + 80 + n * (ELEM[set.type] ?? 16);
  const lines = [
    `Name: ${set.name}`,
    `Type: ${set.type}`,
    `Revision: ${REVISION[set.type] ?? 0}`,
    `Header: ${header}`,
    `Size in memory: ${size}`,
    `References: ${references(h, set.name)}`,
    `Number of entries: ${n}`,
    'Members:',
    ...members(set),
  ];
  return lines.join('\n') + '\n';
}

export type IpsetResult =
  { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly error: string };

/** `ipset list` (every set) or `ipset list NAME`. */
export function ipsetList(h: Host, name?: string): IpsetResult {
  const sets = [...(h.ipsets?.values() ?? [])];
  if (name !== undefined) {
    const s = h.ipsets?.get(name);
    if (!s) return { ok: false, error: `ipset ${IPSET_VERSION}: The set with the given name does not exist` };
    return { ok: true, stdout: block(h, s) };
  }
  return { ok: true, stdout: sets.map((s) => block(h, s)).join('\n') };
}
