/** Command completion and history for the terminal panel. Pure. */
import { SUPPORTED_COMMANDS } from '../../../shared-sim/src/index';

/** A placeholder word (`TABLE`, `ADDRESS`), an optional part or a choice. */
const PLACEHOLDER = /\b[A-Z]{2,}\b|\[|\|/;

/** Forms users type that `SUPPORTED_COMMANDS` writes with placeholders (`-t TABLE`, `pods|svc`). */
const EXTRA: readonly string[] = [
  'ip route get ',
  'iptables-save -t nat',
  'iptables-save -t filter',
  'iptables -t nat -S',
  'iptables -t filter -S',
  'ipvsadm -Ln',
  'ipset list',
  'kubectl get pods -A -o wide',
  'kubectl get svc -A',
  'kubectl get endpoints -A',
  'kubectl get endpointslices -A',
  'kubectl get networkpolicies -A',
  'help',
  'clear',
];

/**
 * What the terminal offers to complete: every command `podpath show` runs that has no
 * placeholder, as it is listed, and the usual concrete forms of the others.
 */
export const COMPLETIONS: readonly string[] = [
  ...new Set([...SUPPORTED_COMMANDS.filter((c) => !PLACEHOLDER.test(c)), ...EXTRA]),
];

function commonPrefix(xs: readonly string[]): string {
  if (!xs.length) return '';
  let p = xs[0] ?? '';
  for (const x of xs) while (!x.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/**
 * Tab: the input completed as far as it is unambiguous, and the candidates when several remain
 * (as bash lists them on a second Tab).
 */
export function complete(
  input: string,
  list: readonly string[] = COMPLETIONS,
): { text: string; candidates: string[] } {
  const lead = input.replace(/^\s+/, '');
  const matches = list.filter((c) => c.startsWith(lead));
  if (matches.length === 0) return { text: input, candidates: [] };
  if (matches.length === 1) {
    const only = matches[0] ?? '';
    return { text: only.endsWith(' ') ? only : `${only}`, candidates: [] };
  }
  const prefix = commonPrefix(matches);
  return { text: prefix.length > lead.length ? prefix : input, candidates: matches };
}

/** Shell-style history: ↑ goes back, ↓ forward, past the newest entry the line is empty again. */
export class History {
  private readonly items: string[] = [];
  private pos = 0;

  push(line: string): void {
    const l = line.trim();
    if (l && this.items[this.items.length - 1] !== l) this.items.push(l);
    this.pos = this.items.length;
  }

  up(): string | undefined {
    if (this.pos === 0) return this.items[0];
    this.pos--;
    return this.items[this.pos];
  }

  down(): string {
    if (this.pos >= this.items.length - 1) {
      this.pos = this.items.length;
      return '';
    }
    this.pos++;
    return this.items[this.pos] ?? '';
  }
}

/** The prompt a shell on that host shows: `root@node-1:~#`. */
export function promptFor(ref: string): string {
  const name = ref.split('/').pop() ?? ref;
  return `root@${name}:~#`;
}
