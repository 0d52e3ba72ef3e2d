/**
 * A problem found in user input: which field, which value, and why.
 * `message` is the sentence shown to users, e.g.
 * `nodes[1].ip 192.168.9.10 is not inside network rack-a 192.168.1.0/24`.
 */
export interface Problem {
  readonly severity: 'error' | 'warning';
  /** JSON-path-like location in the lab file: `nodes[1].ip`, `cluster.cni.mode`. Empty for the whole document. */
  readonly path: string;
  /** Element reference concerned (CONTRACT.md §2), when there is one: `node/node-1`. */
  readonly ref?: string;
  readonly message: string;
}

export function problem(path: string, value: unknown, reason: string, ref?: string): Problem {
  const shown = showValue(value);
  const message = path ? `${path} ${shown === '' ? '' : shown + ' '}${reason}` : reason;
  return ref === undefined
    ? { severity: 'error', path, message: message.replace(/\s+/g, ' ').trim() }
    : { severity: 'error', path, ref, message: message.replace(/\s+/g, ' ').trim() };
}

export function warning(path: string, message: string, ref?: string): Problem {
  return ref === undefined
    ? { severity: 'warning', path, message }
    : { severity: 'warning', path, ref, message };
}

/** How a value is quoted in a message: strings as they are (empty shown as ""), others as JSON, long values cut. */
export function showValue(value: unknown): string {
  if (value === undefined) return '';
  let s: string;
  if (typeof value === 'string') s = value === '' ? '""' : value;
  else {
    try {
      s = JSON.stringify(value) ?? typeof value;
    } catch {
      s = typeof value;
    }
  }
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

/** Thrown only for programming errors inside the simulator (never for user input). */
export class InternalError extends Error {
  constructor(message: string) {
    super(`internal error: ${message}`);
    this.name = 'InternalError';
  }
}

export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new InternalError(message);
}
