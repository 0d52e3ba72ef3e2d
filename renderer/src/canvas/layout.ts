/**
 * Automatic positions for elements the lab's `layout` does not place (imported labs, Deployment
 * replicas) and for the "Auto-layout" action. Deterministic: the same document gives the same
 * picture. Networks are horizontal bars stacked top to bottom; the hosts on a network stand above
 * its bar in rows of at most ROW_MAX; routers joining several networks stand between them on the
 * right; pods sit inside their node in two columns; Services and NetworkPolicies form columns on
 * the right.
 */
import type { Derived } from '../model/derive';
import {
  arr,
  elementKindOfObject,
  objName,
  objNamespace,
  podNodeName,
  type LabDoc,
  type Position,
} from '../model/labDoc';

const ROW_MAX = 12;
const DEVICE_GAP = 50;
const DEVICE_MIN = 200;
const ROW_H = 200;
const POD_DX = 150;
const POD_DY = 86;

function podsPerNode(doc: LabDoc, derived: Derived): Map<string, string[]> {
  const m = new Map<string, string[]>();
  const add = (node: string, ref: string) => {
    const l = m.get(node) ?? [];
    l.push(ref);
    m.set(node, l);
  };
  for (const o of arr(doc.objects))
    if (o.kind === 'Pod') add(podNodeName(o), `pod/${objNamespace(o)}/${objName(o)}`);
  for (const p of derived.pods) if (p.deployment !== undefined) add(p.nodeName ?? '', p.ref);
  return m;
}

/** Width of a node drawn with `pods` pods inside (two columns). */
function nodeWidth(pods: number): number {
  return pods <= 1 ? DEVICE_MIN : POD_DX * 2 + 40;
}

/** Positions for every element, ignoring `layout` (auto-layout) — or filling only what it lacks. */
export function autoPositions(doc: LabDoc, derived: Derived, ignoreLayout = false): Map<string, Position> {
  const out = new Map<string, Position>();
  const given = (ref: string): Position | undefined => (ignoreLayout ? undefined : doc.layout?.[ref]);
  const pods = podsPerNode(doc, derived);
  const networks = arr(doc.networks);
  const netIndex = new Map(networks.map((n, i) => [n.name, i]));

  // hosts per network (nodes, clients, single-network routers), and multi-network routers
  const rows = new Map<string, { ref: string; width: number }[]>();
  const put = (network: string, ref: string, width: number) => {
    const l = rows.get(network) ?? [];
    l.push({ ref, width });
    rows.set(network, l);
  };
  const floating: { ref: string; width: number }[] = [];
  for (const n of arr(doc.nodes)) {
    const w = nodeWidth(pods.get(n.name)?.length ?? 0);
    if (n.network !== undefined && netIndex.has(n.network)) put(n.network, `node/${n.name}`, w);
    else floating.push({ ref: `node/${n.name}`, width: w });
  }
  for (const c of arr(doc.clients)) {
    if (c.network !== undefined && netIndex.has(c.network)) put(c.network, `client/${c.name}`, DEVICE_MIN);
    else floating.push({ ref: `client/${c.name}`, width: DEVICE_MIN });
  }
  const joining: { ref: string; nets: number[] }[] = [];
  for (const r of arr(doc.routers)) {
    const nets = [...new Set(arr(r.interfaces).map((f) => netIndex.get(f.network)))].filter(
      (i): i is number => i !== undefined,
    );
    if (nets.length === 1) put(networks[nets[0] ?? 0]?.name ?? '', `router/${r.name}`, DEVICE_MIN);
    else if (nets.length > 1) joining.push({ ref: `router/${r.name}`, nets });
    else floating.push({ ref: `router/${r.name}`, width: DEVICE_MIN });
  }

  // networks top to bottom; each band is as tall as its rows of hosts
  let y = 0;
  let maxX = 0;
  const barY: number[] = [];
  networks.forEach((n, i) => {
    const hosts = rows.get(n.name) ?? [];
    const bands: { ref: string; width: number }[][] = [];
    for (let k = 0; k < hosts.length; k += ROW_MAX) bands.push(hosts.slice(k, k + ROW_MAX));
    const bandHeights = bands.map((b) => {
      const maxPods = Math.max(
        0,
        ...b.map((h) => (h.ref.startsWith('node/') ? (pods.get(h.ref.slice(5))?.length ?? 0) : 0)),
      );
      return Math.max(ROW_H, 130 + Math.ceil(maxPods / 2) * POD_DY);
    });
    const top = y;
    let rowY = top + 40;
    let widest = 0;
    bands.forEach((band, k) => {
      let x = 0;
      const h = bandHeights[k] ?? ROW_H;
      rowY += h / 2;
      for (const d of band) {
        out.set(d.ref, { x: x + d.width / 2, y: rowY });
        x += d.width + DEVICE_GAP;
      }
      widest = Math.max(widest, x);
      rowY += h / 2;
    });
    const by = bands.length === 0 ? top + 60 : rowY + 10;
    barY[i] = by;
    out.set(`network/${n.name}`, { x: Math.max(widest - DEVICE_GAP, 0) / 2, y: by });
    maxX = Math.max(maxX, widest);
    y = by + 60;
  });

  joining.forEach((r, k) => {
    const ys = r.nets.map((i) => barY[i] ?? 0);
    out.set(r.ref, { x: maxX + 40 + (k % 3) * 200, y: (Math.min(...ys) + Math.max(...ys)) / 2 });
  });
  if (joining.length > 0) maxX += 40 + Math.min(joining.length, 3) * 200;
  // each bar centred under everything attached to it (so it is no wider than it needs to be)
  networks.forEach((n, i) => {
    const xs = [
      ...(rows.get(n.name) ?? []).map((h) => out.get(h.ref)?.x ?? 0),
      ...joining.filter((r) => r.nets.includes(i)).map((r) => out.get(r.ref)?.x ?? 0),
    ];
    const bar = out.get(`network/${n.name}`);
    if (bar && xs.length > 0)
      out.set(`network/${n.name}`, { x: (Math.min(...xs) + Math.max(...xs)) / 2, y: bar.y });
  });

  floating.forEach((d, k) => out.set(d.ref, { x: k * (d.width + DEVICE_GAP), y: y + 140 }));
  if (floating.length > 0) y += 300;

  // pods inside their node; unscheduled pods in a row at the bottom
  let loose = 0;
  for (const [node, refs] of pods) {
    const np = given(`node/${node}`) ?? out.get(`node/${node}`);
    refs.forEach((ref, k) => {
      if (np === undefined) {
        out.set(ref, { x: loose++ * 170, y: y + 120 });
        return;
      }
      const cols = refs.length === 1 ? 1 : 2;
      const col = k % cols;
      const row = Math.floor(k / cols);
      const x = np.x + (cols === 1 ? 0 : (col - 0.5) * POD_DX);
      out.set(ref, { x, y: np.y + row * POD_DY });
    });
  }

  // Services and NetworkPolicies: columns on the right
  let svcRow = 0;
  let npRow = 0;
  for (const o of arr(doc.objects)) {
    const kind = elementKindOfObject(o);
    const ref = `${kind}/${objNamespace(o)}/${objName(o)}`;
    if (kind === 'svc') out.set(ref, { x: maxX + 200, y: 80 + svcRow++ * 120 });
    else if (kind === 'netpol') out.set(ref, { x: maxX + 460, y: 80 + npRow++ * 120 });
  }
  return out;
}
