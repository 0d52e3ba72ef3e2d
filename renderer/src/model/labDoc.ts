/**
 * The lab document as the editor holds it: the raw JSON of a `.podlab.json` file (CONTRACT.md §1),
 * never the parsed `Lab`. Unknown fields and objects survive every edit because the editor only
 * ever copies and replaces the parts it changes. Everything here is read tolerantly: a half-edited
 * document (a node without a network, a pod on a deleted node) is still shown, and shared-sim's
 * validator says what is wrong with it.
 */
import { parseIpv4, formatIpv4 } from '../../../shared-sim/src/index';

export type Json = string | number | boolean | null | readonly Json[] | { readonly [k: string]: Json };
export type JsonObject = { readonly [k: string]: unknown };

export interface NetworkDoc extends JsonObject {
  readonly name: string;
  readonly cidr: string;
  readonly mtu?: number;
}
export interface InterfaceDoc extends JsonObject {
  readonly network: string;
  readonly ip: string;
}
export interface RouterDoc extends JsonObject {
  readonly name: string;
  readonly interfaces?: readonly InterfaceDoc[];
}
/** A node or a client: one NIC on one network. */
export interface HostDoc extends JsonObject {
  readonly name: string;
  readonly network?: string;
  readonly ip?: string;
  readonly gateway?: string;
}
export interface KubeObjectDoc extends JsonObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly [k: string]: unknown;
  };
  readonly spec?: JsonObject;
  readonly status?: JsonObject;
}
export interface Position {
  readonly x: number;
  readonly y: number;
}

export interface LabDoc extends JsonObject {
  readonly podpath: number;
  readonly name?: string;
  readonly description?: string;
  readonly cluster?: JsonObject;
  readonly networks?: readonly NetworkDoc[];
  readonly routers?: readonly RouterDoc[];
  readonly nodes?: readonly HostDoc[];
  readonly clients?: readonly HostDoc[];
  readonly objects?: readonly KubeObjectDoc[];
  readonly faults?: readonly JsonObject[];
  readonly layout?: Readonly<Record<string, Position>>;
}

/** What the editor can select and the canvas draws (CONTRACT.md §2 refs, plus `netpol/NS/NAME`). */
export type ElementKind = 'network' | 'node' | 'router' | 'client' | 'pod' | 'svc' | 'netpol';

export interface ElementId {
  readonly kind: ElementKind;
  readonly name: string;
  readonly namespace?: string;
}

export function refOf(id: ElementId): string {
  return id.namespace === undefined ? `${id.kind}/${id.name}` : `${id.kind}/${id.namespace}/${id.name}`;
}

const KINDS: readonly ElementKind[] = ['network', 'node', 'router', 'client', 'pod', 'svc', 'netpol'];

export function parseElementRef(ref: string): ElementId | undefined {
  const parts = ref.split('/');
  const kind = parts[0] as ElementKind;
  if (!KINDS.includes(kind)) return undefined;
  if (kind === 'pod' || kind === 'svc' || kind === 'netpol') {
    if (parts.length !== 3 || !parts[1] || !parts[2]) return undefined;
    return { kind, namespace: parts[1], name: parts[2] };
  }
  if (parts.length !== 2 || !parts[1]) return undefined;
  return { kind, name: parts[1] };
}

// ---------------------------------------------------------------------------------------------
// Reading

export const arr = <T>(v: readonly T[] | undefined): readonly T[] =>
  Array.isArray(v) ? (v as readonly T[]) : [];

/** A number or string field as text for a form ('' when absent or of another type). */
export function numText(v: unknown): string {
  return typeof v === 'number' ? String(v) : typeof v === 'string' ? v : '';
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function objName(o: KubeObjectDoc): string {
  return str(o.metadata?.name);
}

export function objNamespace(o: KubeObjectDoc): string {
  return str(o.metadata?.namespace) || 'default';
}

export function objLabels(o: KubeObjectDoc): Readonly<Record<string, string>> {
  const l = o.metadata?.labels;
  return isObject(l) ? l : {};
}

/** The kind of canvas element a Kubernetes object is drawn as, if any. */
export function elementKindOfObject(o: KubeObjectDoc): ElementKind | undefined {
  if (o.kind === 'Pod') return 'pod';
  if (o.kind === 'Service') return 'svc';
  if (o.kind === 'NetworkPolicy') return 'netpol';
  return undefined;
}

export function objectIndex(doc: LabDoc, id: ElementId): number {
  return arr(doc.objects).findIndex(
    (o) => elementKindOfObject(o) === id.kind && objName(o) === id.name && objNamespace(o) === id.namespace,
  );
}

export function findObject(doc: LabDoc, id: ElementId): KubeObjectDoc | undefined {
  const i = objectIndex(doc, id);
  return i < 0 ? undefined : arr(doc.objects)[i];
}

export function hostList(doc: LabDoc, kind: 'node' | 'client'): readonly HostDoc[] {
  return kind === 'node' ? arr(doc.nodes) : arr(doc.clients);
}

/** Does the document contain this element? */
export function hasElement(doc: LabDoc, id: ElementId): boolean {
  switch (id.kind) {
    case 'network':
      return arr(doc.networks).some((n) => n.name === id.name);
    case 'router':
      return arr(doc.routers).some((n) => n.name === id.name);
    case 'node':
    case 'client':
      return hostList(doc, id.kind).some((n) => n.name === id.name);
    default:
      return objectIndex(doc, id) >= 0;
  }
}

/** Every network a device has an interface on. */
export function networksOf(doc: LabDoc, id: ElementId): string[] {
  if (id.kind === 'router')
    return arr(arr(doc.routers).find((r) => r.name === id.name)?.interfaces)
      .map((f) => f.network)
      .filter((n) => n !== '');
  if (id.kind === 'node' || id.kind === 'client') {
    const h = hostList(doc, id.kind).find((n) => n.name === id.name);
    return h?.network ? [h.network] : [];
  }
  return [];
}

export function podNodeName(o: KubeObjectDoc): string {
  return str(o.spec?.['nodeName']);
}

// ---------------------------------------------------------------------------------------------
// Addresses

export interface ParsedCidr {
  readonly addr: number;
  readonly len: number;
}

export function parseCidrText(text: string): ParsedCidr | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const a = parseIpv4(m[1] ?? '');
  const len = Number(m[2]);
  if (a === undefined || len > 32) return undefined;
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return { addr: (a & mask) >>> 0, len };
}

export function cidrHas(c: ParsedCidr, ip: number): boolean {
  const mask = c.len === 0 ? 0 : (0xffffffff << (32 - c.len)) >>> 0;
  return (ip & mask) >>> 0 === c.addr;
}

/** Every address in use on a network (router interfaces, nodes, clients). */
export function usedAddresses(doc: LabDoc, network: string): Set<string> {
  const used = new Set<string>();
  for (const r of arr(doc.routers))
    for (const f of arr(r.interfaces)) if (f.network === network) used.add(f.ip);
  for (const h of [...arr(doc.nodes), ...arr(doc.clients)]) if (h.network === network && h.ip) used.add(h.ip);
  return used;
}

/** Where each kind of device starts looking for a free host address (gateways low, clients high). */
const FIRST_OFFSET: Record<'router' | 'node' | 'client', number> = { router: 1, node: 10, client: 100 };

/** The next free host address of a network for a device of this kind, or undefined when full. */
export function nextFreeAddress(
  doc: LabDoc,
  network: string,
  kind: 'router' | 'node' | 'client',
): string | undefined {
  const net = arr(doc.networks).find((n) => n.name === network);
  const c = net ? parseCidrText(net.cidr) : undefined;
  if (!c) return undefined;
  const size = 2 ** (32 - c.len);
  if (size < 4) return undefined;
  const used = usedAddresses(doc, network);
  const first = Math.min(FIRST_OFFSET[kind], size - 2);
  for (let k = 0; k < size - 2; k++) {
    const off = 1 + ((first - 1 + k) % (size - 2));
    const ip = formatIpv4((c.addr + off) >>> 0);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}

/** A router's address on a network (the natural default gateway for hosts there). */
export function gatewayOn(doc: LabDoc, network: string): string | undefined {
  for (const r of arr(doc.routers)) {
    const f = arr(r.interfaces).find((i) => i.network === network);
    if (f?.ip) return f.ip;
  }
  return undefined;
}

/** The next /24 in 192.168.0.0/16 (then 172.16.0.0/12) that overlaps no network of the lab. */
export function nextFreeSubnet(doc: LabDoc): string {
  const taken = arr(doc.networks)
    .map((n) => parseCidrText(n.cidr))
    .filter((c): c is ParsedCidr => c !== undefined);
  const overlaps = (a: ParsedCidr, b: ParsedCidr) => {
    const len = Math.min(a.len, b.len);
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    return (a.addr & mask) >>> 0 === (b.addr & mask) >>> 0;
  };
  const bases = [parseIpv4('192.168.0.0') ?? 0, parseIpv4('172.16.0.0') ?? 0];
  for (const base of bases) {
    for (let i = 1; i < 256; i++) {
      const c = { addr: (base + i * 256) >>> 0, len: 24 };
      if (!taken.some((t) => overlaps(t, c))) return `${formatIpv4(c.addr)}/24`;
    }
  }
  return '10.250.0.0/24';
}

// ---------------------------------------------------------------------------------------------
// Names

export const ELEMENT_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
export const KUBE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Names already taken in the name space of this kind (Kubernetes objects: per namespace). */
export function takenNames(doc: LabDoc, kind: ElementKind, namespace = 'default'): Set<string> {
  switch (kind) {
    case 'network':
      return new Set(arr(doc.networks).map((n) => n.name));
    case 'router':
      return new Set(arr(doc.routers).map((n) => n.name));
    case 'node':
    case 'client':
      return new Set(hostList(doc, kind).map((n) => n.name));
    default:
      return new Set(
        arr(doc.objects)
          .filter((o) => elementKindOfObject(o) === kind && objNamespace(o) === namespace)
          .map(objName),
      );
  }
}

/** `base-1`, `base-2`, … the first not taken. A name that already ends in -N counts on from N. */
export function uniqueName(taken: ReadonlySet<string>, base: string): string {
  const m = /^(.*?)-(\d+)$/.exec(base);
  const stem = m ? (m[1] ?? base) : base;
  let n = m ? Number(m[2]) : 1;
  if (!taken.has(base)) return base;
  for (;;) {
    const candidate = `${stem}-${n}`;
    if (!taken.has(candidate)) return candidate;
    n++;
  }
}

/** Why a new name cannot be used for this element, or undefined when it can. */
export function nameProblem(doc: LabDoc, id: ElementId, name: string): string | undefined {
  const kube = id.kind === 'pod' || id.kind === 'svc' || id.kind === 'netpol';
  if (name === '') return 'empty';
  if (kube ? !KUBE_NAME.test(name) : !ELEMENT_NAME.test(name)) return kube ? 'kubeName' : 'elementName';
  if (name !== id.name && takenNames(doc, id.kind, id.namespace).has(name)) return 'taken';
  return undefined;
}
