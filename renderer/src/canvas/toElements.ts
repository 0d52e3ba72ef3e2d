/**
 * The model → cytoscape projection: a pure function from the lab document (and derived data) to
 * element definitions keyed by id. Ids are element references (CONTRACT.md §2), so the canvas can
 * be patched by id (patchCy.ts) and the stepper can find `node/node-1` or `pod/shop/web-1`.
 *
 *  - networks: wide bars ("regions") stretched over the devices attached to them;
 *  - nodes, routers, clients: devices, with one `link` edge per network they have an interface on;
 *  - pods: children of their node (compound nodes); unscheduled pods float on their own;
 *  - Services: their own element, an `endpoint` edge to every endpoint pod;
 *  - NetworkPolicies: an element with a `policy` edge to every pod they select.
 */
import type { Derived } from '../model/derive';
import {
  arr,
  elementKindOfObject,
  isObject,
  objLabels,
  objName,
  objNamespace,
  podNodeName,
  str,
  type ElementKind,
  type LabDoc,
  type Position,
} from '../model/labDoc';
import { refOfProblem } from '../model/problems';
import { autoPositions } from './layout';

export interface NodeDef {
  readonly group: 'nodes';
  readonly data: {
    readonly id: string;
    readonly kind: ElementKind;
    readonly label: string;
    readonly parent?: string;
    /** Networks: drawn width in model units. */
    readonly width?: number;
  };
  readonly classes: string;
  readonly position: Position;
  /** False for elements whose position the lab file cannot keep (NetworkPolicies have no element reference). */
  readonly grabbable?: boolean;
}

export interface EdgeDef {
  readonly group: 'edges';
  readonly data: {
    readonly id: string;
    readonly kind: 'link' | 'endpoint' | 'policy';
    readonly source: string;
    readonly target: string;
    readonly label: string;
    /** Links: where the line meets the network bar, as an x offset from the bar's centre. */
    readonly tx?: number;
  };
  readonly classes: string;
}

export type ElementDef = NodeDef | EdgeDef;

export const NETWORK_MIN_WIDTH = 360;

/** Does a label selector ({matchLabels}, or a plain map for Services) select these labels? */
function matches(selector: unknown, labels: Readonly<Record<string, string>>, plain: boolean): boolean {
  if (!isObject(selector)) return false;
  const ml = plain ? selector : selector['matchLabels'];
  const exprs = plain ? undefined : selector['matchExpressions'];
  if (ml !== undefined && !isObject(ml)) return false;
  for (const [k, v] of Object.entries(ml ?? {})) if (labels[k] !== v) return false;
  if (Array.isArray(exprs)) {
    for (const e of exprs as unknown[]) {
      if (!isObject(e)) return false;
      const key = str(e['key']);
      const values = Array.isArray(e['values']) ? (e['values'] as unknown[]) : [];
      const has = key in labels;
      switch (e['operator']) {
        case 'In':
          if (!has || !values.includes(labels[key])) return false;
          break;
        case 'NotIn':
          if (has && values.includes(labels[key])) return false;
          break;
        case 'Exists':
          if (!has) return false;
          break;
        case 'DoesNotExist':
          if (has) return false;
          break;
        default:
          return false;
      }
    }
  }
  return true;
}

interface PodView {
  readonly ref: string;
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ip?: string;
  readonly ready: boolean;
  readonly deployment?: string;
}

/** The pods to draw: Pod objects from the document, plus Deployment replicas from derived data. */
export function podViews(doc: LabDoc, derived: Derived): PodView[] {
  const byRef = new Map(derived.pods.map((p) => [p.ref, p]));
  const out: PodView[] = [];
  for (const o of arr(doc.objects)) {
    if (o.kind !== 'Pod') continue;
    const ref = `pod/${objNamespace(o)}/${objName(o)}`;
    const d = byRef.get(ref);
    out.push({
      ref,
      namespace: objNamespace(o),
      name: objName(o),
      node: podNodeName(o),
      labels: objLabels(o),
      ...(d?.ip !== undefined ? { ip: d.ip } : {}),
      ready: d?.ready ?? true,
    });
  }
  for (const p of derived.pods) {
    if (p.deployment === undefined) continue;
    const [, namespace = '', name = ''] = p.ref.split('/');
    out.push({
      ref: p.ref,
      namespace,
      name,
      node: p.nodeName ?? '',
      labels: p.labels,
      ...(p.ip !== undefined ? { ip: p.ip } : {}),
      ready: p.ready,
      deployment: p.deployment,
    });
  }
  return out;
}

/** Problem severity per element ref ('error' wins over 'warning'). */
export function problemsByRef(doc: LabDoc, derived: Derived): Map<string, 'error' | 'warning'> {
  const m = new Map<string, 'error' | 'warning'>();
  for (const p of derived.problems) {
    const ref = refOfProblem(doc, p);
    if (ref === undefined) continue;
    if (p.severity === 'error' || !m.has(ref)) m.set(ref, p.severity);
  }
  return m;
}

export function toElements(doc: LabDoc, derived: Derived): ElementDef[] {
  const out: ElementDef[] = [];
  const pos = autoPositions(doc, derived);
  const at = (ref: string): Position => doc.layout?.[ref] ?? pos.get(ref) ?? { x: 0, y: 0 };
  const severity = problemsByRef(doc, derived);
  const cls = (kind: string, ref: string, extra: string[] = []) => {
    const s = severity.get(ref);
    return [kind, ...(s ? [`has-${s}`] : []), ...extra].join(' ');
  };
  const networks = new Set(arr(doc.networks).map((n) => n.name));
  const nodes = new Set(arr(doc.nodes).map((n) => n.name));

  // devices first (network widths depend on where they are)
  const attached = new Map<string, number[]>(); // network -> device x positions
  const attach = (network: string, x: number) => {
    if (!networks.has(network)) return;
    const list = attached.get(network) ?? [];
    list.push(x);
    attached.set(network, list);
  };
  const devices: NodeDef[] = [];
  const links: { device: string; network: string; ip: string; x: number }[] = [];
  const pods = podViews(doc, derived);
  const podsByNode = new Map<string, PodView[]>();
  for (const p of pods) {
    if (!nodes.has(p.node)) continue;
    const list = podsByNode.get(p.node) ?? [];
    list.push(p);
    podsByNode.set(p.node, list);
  }

  for (const n of arr(doc.nodes)) {
    const ref = `node/${n.name}`;
    // a node with pods is drawn around them (compound node): its centre is theirs
    const inside = (podsByNode.get(n.name) ?? []).map((pv) => at(pv.ref));
    const p =
      inside.length > 0
        ? {
            x: (Math.min(...inside.map((q) => q.x)) + Math.max(...inside.map((q) => q.x))) / 2,
            y: (Math.min(...inside.map((q) => q.y)) + Math.max(...inside.map((q) => q.y))) / 2,
          }
        : at(ref);
    const subnet = derived.podSubnets[n.name];
    const label = [n.name, str(n.ip), subnet ? `pods ${subnet}` : ''].filter(Boolean).join('\n');
    const hasPods = (podsByNode.get(n.name)?.length ?? 0) > 0;
    devices.push({
      group: 'nodes',
      data: { id: ref, kind: 'node', label },
      classes: cls('node', ref, hasPods ? ['with-pods'] : []),
      position: p,
    });
    if (n.network) {
      attach(n.network, p.x);
      links.push({ device: ref, network: n.network, ip: str(n.ip), x: p.x });
    }
  }
  for (const r of arr(doc.routers)) {
    const ref = `router/${r.name}`;
    const p = at(ref);
    devices.push({
      group: 'nodes',
      data: { id: ref, kind: 'router', label: r.name },
      classes: cls('router', ref),
      position: p,
    });
    for (const f of arr(r.interfaces)) {
      if (!f.network) continue;
      attach(f.network, p.x);
      links.push({ device: ref, network: f.network, ip: f.ip, x: p.x });
    }
  }
  for (const c of arr(doc.clients)) {
    const ref = `client/${c.name}`;
    const p = at(ref);
    devices.push({
      group: 'nodes',
      data: { id: ref, kind: 'client', label: [c.name, str(c.ip)].filter(Boolean).join('\n') },
      classes: cls('client', ref),
      position: p,
    });
    if (c.network) {
      attach(c.network, p.x);
      links.push({ device: ref, network: c.network, ip: str(c.ip), x: p.x });
    }
  }

  const bars = new Map<string, { x: number; width: number }>();
  for (const n of arr(doc.networks)) {
    const ref = `network/${n.name}`;
    const p = at(ref);
    const xs = attached.get(n.name) ?? [];
    const reach = xs.reduce((m, x) => Math.max(m, Math.abs(x - p.x)), 0);
    const width = Math.max(NETWORK_MIN_WIDTH, Math.round(2 * reach + 240));
    if (!bars.has(n.name)) bars.set(n.name, { x: p.x, width });
    out.push({
      group: 'nodes',
      data: { id: ref, kind: 'network', label: `${n.name}  ${str(n.cidr)}`, width },
      classes: cls('network', ref),
      position: p,
    });
  }
  out.push(...devices);

  for (const pv of pods) {
    const onNode = nodes.has(pv.node);
    const extra = [
      ...(pv.ready ? [] : ['not-ready']),
      ...(onNode ? [] : ['pending']),
      ...(pv.deployment !== undefined ? ['replica'] : []),
    ];
    out.push({
      group: 'nodes',
      data: {
        id: pv.ref,
        kind: 'pod',
        label: [pv.namespace === 'default' ? pv.name : `${pv.namespace}/${pv.name}`, pv.ip ?? '']
          .filter(Boolean)
          .join('\n'),
        ...(onNode ? { parent: `node/${pv.node}` } : {}),
      },
      classes: cls('pod', pv.ref, extra),
      position: at(pv.ref),
    });
  }

  const svcByRef = new Map(derived.services.map((s) => [s.ref, s]));
  const podRefs = new Set(pods.map((p) => p.ref));
  for (const o of arr(doc.objects)) {
    const kind = elementKindOfObject(o);
    if (kind !== 'svc' && kind !== 'netpol') continue;
    const namespace = objNamespace(o);
    const ref = `${kind}/${namespace}/${objName(o)}`;
    const shown = namespace === 'default' ? objName(o) : `${namespace}/${objName(o)}`;
    if (kind === 'svc') {
      const d = svcByRef.get(ref);
      const ip = d && d.clusterIP !== '' ? d.clusterIP : '';
      out.push({
        group: 'nodes',
        data: { id: ref, kind, label: [shown, ip].filter(Boolean).join('\n') },
        classes: cls('svc', ref),
        position: at(ref),
      });
      const endpoints = d
        ? d.endpoints
        : pods
            .filter((p) => p.namespace === namespace && matches(o.spec?.['selector'], p.labels, true))
            .map((p) => ({ pod: p.ref, ready: p.ready }));
      for (const e of endpoints) {
        if (!podRefs.has(e.pod)) continue;
        out.push({
          group: 'edges',
          data: { id: `endpoint|${ref}|${e.pod}`, kind: 'endpoint', source: ref, target: e.pod, label: '' },
          classes: e.ready ? 'endpoint' : 'endpoint not-ready',
        });
      }
    } else {
      out.push({
        group: 'nodes',
        data: { id: ref, kind, label: shown },
        classes: cls('netpol', ref),
        position: at(ref),
        grabbable: false,
      });
      for (const p of pods) {
        if (p.namespace !== namespace || !matches(o.spec?.['podSelector'], p.labels, false)) continue;
        out.push({
          group: 'edges',
          data: { id: `policy|${ref}|${p.ref}`, kind: 'policy', source: ref, target: p.ref, label: '' },
          classes: 'policy',
        });
      }
    }
  }
  for (const l of links) {
    const bar = bars.get(l.network);
    const half = bar ? bar.width / 2 - 24 : 0;
    const tx = bar ? Math.round(Math.max(-half, Math.min(half, l.x - bar.x))) : 0;
    out.push(linkEdge(l.device, l.network, l.ip, tx));
  }
  return wellFormed(out);
}

/**
 * Cytoscape refuses duplicate ids and edges to missing nodes; a half-edited document can have
 * both (two networks with one name, a link to a deleted network). The validator reports them;
 * the canvas draws the first of each and skips dangling edges.
 */
function wellFormed(defs: ElementDef[]): ElementDef[] {
  const ids = new Set<string>();
  const nodes: ElementDef[] = [];
  const edges: EdgeDef[] = [];
  for (const d of defs) {
    if (ids.has(d.data.id)) continue;
    ids.add(d.data.id);
    if (d.group === 'nodes') nodes.push(d);
    else edges.push(d);
  }
  const nodeIds = new Set(nodes.map((n) => n.data.id));
  return [...nodes, ...edges.filter((e) => nodeIds.has(e.data.source) && nodeIds.has(e.data.target))];
}

function linkEdge(deviceRef: string, network: string, ip: string, tx: number): EdgeDef {
  return {
    group: 'edges',
    data: {
      id: `link|${deviceRef}|${network}`,
      kind: 'link',
      source: deviceRef,
      target: `network/${network}`,
      label: ip,
      tx,
    },
    classes: 'link',
  };
}
