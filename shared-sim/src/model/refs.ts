/** Element references (CONTRACT.md §2): `node/NAME`, `router/NAME`, `client/NAME`, `network/NAME`, `pod/NS/NAME`, `svc/NS/NAME`. */

export type RefKind = 'node' | 'router' | 'client' | 'network' | 'pod' | 'svc';

export interface ElementRef {
  readonly kind: RefKind;
  readonly name: string;
  /** Pods and services only. */
  readonly namespace?: string;
}

const KINDS: readonly RefKind[] = ['node', 'router', 'client', 'network', 'pod', 'svc'];

export type RefParse =
  { readonly ok: true; readonly ref: ElementRef } | { readonly ok: false; readonly reason: string };

/** Parses a reference; a bare `NAMESPACE/NAME` means a pod. */
export function parseRef(text: string): RefParse {
  const parts = text.split('/');
  if (parts.some((p) => p === '')) return { ok: false, reason: 'is not an element reference (empty part)' };
  if (parts.length === 2 && !KINDS.includes(parts[0] as RefKind)) {
    return { ok: true, ref: { kind: 'pod', namespace: parts[0] ?? '', name: parts[1] ?? '' } };
  }
  const kind = parts[0] as RefKind;
  if (!KINDS.includes(kind)) {
    return {
      ok: false,
      reason: `is not an element reference (expected ${KINDS.map((k) => k + '/…').join(', ')} or NAMESPACE/NAME)`,
    };
  }
  if (kind === 'pod' || kind === 'svc') {
    if (parts.length !== 3)
      return { ok: false, reason: `is not an element reference (expected ${kind}/NAMESPACE/NAME)` };
    return { ok: true, ref: { kind, namespace: parts[1] ?? '', name: parts[2] ?? '' } };
  }
  if (parts.length !== 2) return { ok: false, reason: `is not an element reference (expected ${kind}/NAME)` };
  return { ok: true, ref: { kind, name: parts[1] ?? '' } };
}

export function formatRef(ref: ElementRef): string {
  return ref.namespace === undefined ? `${ref.kind}/${ref.name}` : `${ref.kind}/${ref.namespace}/${ref.name}`;
}

export const nodeRef = (name: string): string => `node/${name}`;
export const routerRef = (name: string): string => `router/${name}`;
export const clientRef = (name: string): string => `client/${name}`;
export const networkRef = (name: string): string => `network/${name}`;
export const podRef = (namespace: string, name: string): string => `pod/${namespace}/${name}`;
export const svcRef = (namespace: string, name: string): string => `svc/${namespace}/${name}`;
