import { problem, warning, type Problem } from '../core/problem';
import { parseCidr, parseIpv4 } from '../dataplane/addr/ipv4';

/**
 * Field-by-field reading of untrusted JSON, collecting every problem with its path instead of
 * stopping at the first. Getters return a safe value (the default) when the input is wrong, so
 * reading can go on and report the rest; the caller refuses the document if any error was seen.
 */
export class Reader {
  readonly problems: Problem[] = [];

  error(path: string, value: unknown, reason: string, ref?: string): void {
    this.problems.push(problem(path, value, reason, ref));
  }

  warn(path: string, message: string, ref?: string): void {
    this.problems.push(warning(path, message, ref));
  }

  get hasErrors(): boolean {
    return this.problems.some((p) => p.severity === 'error');
  }

  isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  }

  /** An object field; absent → `{}`; wrong type → error and `{}`. */
  object(obj: Record<string, unknown>, key: string, path: string): Record<string, unknown> {
    const v = obj[key];
    if (v === undefined || v === null) return {};
    if (!this.isObject(v)) {
      this.error(path, v, 'must be an object');
      return {};
    }
    return v;
  }

  array(obj: Record<string, unknown>, key: string, path: string): unknown[] {
    const v = obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.error(path, v, 'must be a list');
      return [];
    }
    return v;
  }

  string(obj: Record<string, unknown>, key: string, path: string, dflt: string): string;
  string(obj: Record<string, unknown>, key: string, path: string, dflt?: undefined): string | undefined;
  string(obj: Record<string, unknown>, key: string, path: string, dflt?: string): string | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'string') {
      this.error(path, v, 'must be a string');
      return dflt;
    }
    return v;
  }

  requiredString(obj: Record<string, unknown>, key: string, path: string): string {
    const v = obj[key];
    if (v === undefined || v === null || v === '') {
      this.error(path, undefined, 'is missing');
      return '';
    }
    if (typeof v !== 'string') {
      this.error(path, v, 'must be a string');
      return '';
    }
    return v;
  }

  boolean(obj: Record<string, unknown>, key: string, path: string, dflt: boolean): boolean {
    const v = obj[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') {
      this.error(path, v, 'must be true or false');
      return dflt;
    }
    return v;
  }

  integer(
    obj: Record<string, unknown>,
    key: string,
    path: string,
    dflt: number,
    min: number,
    max: number,
  ): number;
  integer(
    obj: Record<string, unknown>,
    key: string,
    path: string,
    dflt: undefined,
    min: number,
    max: number,
  ): number | undefined;
  integer(
    obj: Record<string, unknown>,
    key: string,
    path: string,
    dflt: number | undefined,
    min: number,
    max: number,
  ): number | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.error(path, v, 'must be a whole number');
      return dflt;
    }
    if (v < min || v > max) {
      this.error(path, v, `is out of range (${min}-${max})`);
      return dflt;
    }
    return v;
  }

  oneOf<T extends string>(
    obj: Record<string, unknown>,
    key: string,
    path: string,
    allowed: readonly T[],
    dflt: T,
  ): T {
    const v = obj[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.error(path, v, `is not one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
      return dflt;
    }
    return v as T;
  }

  /** An IPv4 address field; returns the text when valid. */
  ip(obj: Record<string, unknown>, key: string, path: string, required: boolean): string | undefined {
    const v = required ? this.requiredString(obj, key, path) : this.string(obj, key, path);
    if (v === undefined || v === '') return undefined;
    if (parseIpv4(v) === undefined) {
      this.error(path, v, 'is not a valid IPv4 address');
      return undefined;
    }
    return v;
  }

  cidr(
    obj: Record<string, unknown>,
    key: string,
    path: string,
    dflt: string | undefined,
    strict = true,
  ): string | undefined {
    const v = this.string(obj, key, path);
    if (v === undefined) return dflt;
    const r = parseCidr(v, strict);
    if (!r.ok) {
      this.error(path, v, r.reason);
      return dflt;
    }
    return v;
  }

  /** Warns about fields this version does not know (they are kept in the file and ignored). */
  unknownFields(obj: Record<string, unknown>, known: readonly string[], path: string): void {
    for (const k of Object.keys(obj)) {
      if (!known.includes(k))
        this.warn(
          path ? `${path}.${k}` : k,
          `${path ? `${path}.${k}` : k} is not a field Podpath knows; it is kept and ignored`,
        );
    }
  }
}

/** Names of lab elements: what a hostname or Kubernetes name may be (letters, digits, '-', '_', '.'). */
export const ELEMENT_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
