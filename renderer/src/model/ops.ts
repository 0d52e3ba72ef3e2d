/**
 * Pure operations on the lab document: each takes a document and returns a new one (sharing every
 * part it did not change), so that history can keep documents by reference and the canvas can
 * patch only what changed. No operation reads the clock or the DOM.
 */
import {
  arr,
  elementKindOfObject,
  gatewayOn,
  hostList,
  isObject,
  nextFreeAddress,
  nextFreeSubnet,
  objectIndex,
  objLabels,
  objName,
  objNamespace,
  podNodeName,
  refOf,
  str,
  takenNames,
  uniqueName,
  type ElementId,
  type ElementKind,
  type HostDoc,
  type InterfaceDoc,
  type JsonObject,
  type KubeObjectDoc,
  type LabDoc,
  type NetworkDoc,
  type Position,
  type RouterDoc,
} from './labDoc';

export interface OpResult {
  readonly doc: LabDoc;
  /** Elements the operation created (selected afterwards). */
  readonly created: readonly ElementId[];
}

/** A new, empty lab: one network to put machines on, Flannel VXLAN, kube-proxy iptables. */
export function newLabDocument(name: string): LabDoc {
  return {
    podpath: 1,
    name,
    description: '',
    cluster: {
      podCIDR: '10.244.0.0/16',
      serviceCIDR: '10.96.0.0/12',
      cni: { plugin: 'flannel', mode: 'vxlan' },
      kubeProxy: { mode: 'iptables' },
    },
    networks: [{ name: 'lan', cidr: '192.168.1.0/24', mtu: 1500 }],
    routers: [],
    nodes: [],
    clients: [],
    objects: [],
    layout: { 'network/lan': { x: 400, y: 420 } },
  };
}

// ---------------------------------------------------------------------------------------------
// small immutable helpers

function setAt<T>(list: readonly T[], i: number, value: T): T[] {
  const out = list.slice();
  out[i] = value;
  return out;
}

function withLayout(doc: LabDoc, positions: Readonly<Record<string, Position | undefined>>): LabDoc {
  const layout: Record<string, Position> = { ...(doc.layout ?? {}) };
  let changed = false;
  for (const [ref, p] of Object.entries(positions)) {
    if (ref.startsWith('netpol/')) continue; // not an element reference of the lab file
    if (p === undefined) {
      if (ref in layout) {
        delete layout[ref];
        changed = true;
      }
      continue;
    }
    const q = { x: Math.round(p.x), y: Math.round(p.y) };
    const old = layout[ref];
    if (old?.x === q.x && old.y === q.y) continue;
    layout[ref] = q;
    changed = true;
  }
  return changed ? { ...doc, layout } : doc;
}

/** Stores canvas positions (model coordinates, rounded) in `layout`. */
export function setPositions(doc: LabDoc, positions: Readonly<Record<string, Position>>): LabDoc {
  return withLayout(doc, positions);
}

function hostKey(kind: 'node' | 'client'): 'nodes' | 'clients' {
  return kind === 'node' ? 'nodes' : 'clients';
}

function updateObject(doc: LabDoc, index: number, fn: (o: KubeObjectDoc) => KubeObjectDoc): LabDoc {
  const objects = arr(doc.objects);
  const o = objects[index];
  if (o === undefined) return doc;
  return { ...doc, objects: setAt(objects, index, fn(o)) };
}

function ensureNamespace(doc: LabDoc, namespace: string): LabDoc {
  if (namespace === 'default') return doc;
  const exists = arr(doc.objects).some((o) => o.kind === 'Namespace' && objName(o) === namespace);
  if (exists) return doc;
  const ns: KubeObjectDoc = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } };
  return { ...doc, objects: [ns, ...arr(doc.objects)] };
}

// ---------------------------------------------------------------------------------------------
// adding elements

export function addNetwork(doc: LabDoc, at?: Position, name?: string): OpResult {
  const n = name ?? uniqueName(takenNames(doc, 'network'), 'net-1');
  const net: NetworkDoc = { name: n, cidr: nextFreeSubnet(doc), mtu: 1500 };
  const id: ElementId = { kind: 'network', name: n };
  const d = { ...doc, networks: [...arr(doc.networks), net] };
  return { doc: at ? withLayout(d, { [refOf(id)]: at }) : d, created: [id] };
}

/**
 * Adds a node, router or client plugged into `network` (or the first network; a new one when the
 * lab has none) with the next free address there, and the network's router as default gateway.
 */
export function addDevice(
  doc: LabDoc,
  kind: 'node' | 'router' | 'client',
  opts: { network?: string; at?: Position } = {},
): OpResult {
  let d = doc;
  const created: ElementId[] = [];
  let network = opts.network ?? arr(d.networks)[0]?.name;
  if (network === undefined) {
    const r = addNetwork(d, opts.at ? { x: opts.at.x, y: opts.at.y + 160 } : undefined);
    d = r.doc;
    created.push(...r.created);
    network = r.created[0]?.name ?? '';
  }
  const name = uniqueName(takenNames(d, kind), `${kind}-1`);
  const ip = nextFreeAddress(d, network, kind) ?? '';
  const id: ElementId = { kind, name };
  if (kind === 'router') {
    const router: RouterDoc = { name, interfaces: [{ network, ip }] };
    d = { ...d, routers: [...arr(d.routers), router] };
  } else {
    const gw = gatewayOn(d, network);
    const host: HostDoc = { name, network, ip, ...(gw !== undefined ? { gateway: gw } : {}) };
    d = { ...d, [hostKey(kind)]: [...hostList(d, kind), host] };
  }
  if (opts.at) d = withLayout(d, { [refOf(id)]: opts.at });
  return { doc: d, created: [...created, id] };
}

/** A Pod object (app label = its name, one container on 8080) placed on `nodeName` when given. */
export function addPod(
  doc: LabDoc,
  opts: { nodeName?: string; namespace?: string; at?: Position; name?: string } = {},
): OpResult {
  const namespace = opts.namespace ?? 'default';
  const name = opts.name ?? uniqueName(takenNames(doc, 'pod', namespace), 'pod-1');
  const pod: KubeObjectDoc = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
      containers: [{ name: 'app', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }],
    },
  };
  const id: ElementId = { kind: 'pod', namespace, name };
  let d = ensureNamespace(doc, namespace);
  d = { ...d, objects: [...arr(d.objects), pod] };
  if (opts.at) d = withLayout(d, { [refOf(id)]: opts.at });
  return { doc: d, created: [id] };
}

/** A ClusterIP Service selecting `forPod`'s labels (port 80 → its first container port). */
export function addService(doc: LabDoc, opts: { forPod?: ElementId; at?: Position } = {}): OpResult {
  const pod = opts.forPod ? arr(doc.objects)[objectIndex(doc, opts.forPod)] : undefined;
  const namespace = pod ? objNamespace(pod) : 'default';
  const labels = pod ? objLabels(pod) : {};
  const selector = Object.keys(labels).length > 0 ? { ...labels } : { app: 'web' };
  const base = pod ? `${objName(pod)}-svc` : 'svc-1';
  const name = uniqueName(takenNames(doc, 'svc', namespace), base);
  const targetPort = pod ? firstContainerPort(pod) : 8080;
  const svc: KubeObjectDoc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port: 80, targetPort }] },
  };
  const id: ElementId = { kind: 'svc', namespace, name };
  let d: LabDoc = { ...doc, objects: [...arr(doc.objects), svc] };
  if (opts.at) d = withLayout(d, { [refOf(id)]: opts.at });
  return { doc: d, created: [id] };
}

function firstContainerPort(pod: KubeObjectDoc): number {
  for (const c of arr(pod.spec?.['containers'] as readonly JsonObject[] | undefined)) {
    for (const p of arr(c['ports'] as readonly JsonObject[] | undefined)) {
      if (typeof p['containerPort'] === 'number') return p['containerPort'];
    }
  }
  return 8080;
}

/** A NetworkPolicy denying all ingress to `forPod` (its labels) or to every pod of the namespace. */
export function addNetworkPolicy(doc: LabDoc, opts: { forPod?: ElementId } = {}): OpResult {
  const pod = opts.forPod ? arr(doc.objects)[objectIndex(doc, opts.forPod)] : undefined;
  const namespace = pod ? objNamespace(pod) : 'default';
  const labels = pod ? objLabels(pod) : {};
  const name = uniqueName(takenNames(doc, 'netpol', namespace), pod ? `${objName(pod)}-deny` : 'deny-1');
  const policy: KubeObjectDoc = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace },
    spec: {
      podSelector: Object.keys(labels).length > 0 ? { matchLabels: { ...labels } } : {},
      policyTypes: ['Ingress'],
      ingress: [],
    },
  };
  return {
    doc: { ...doc, objects: [...arr(doc.objects), policy] },
    created: [{ kind: 'netpol', namespace, name }],
  };
}

// ---------------------------------------------------------------------------------------------
// wiring

/** Schedules a pod on a node (`spec.nodeName`); an empty name unschedules it. */
export function setPodNode(doc: LabDoc, pod: ElementId, nodeName: string): LabDoc {
  const i = objectIndex(doc, pod);
  if (i < 0) return doc;
  const o = arr(doc.objects)[i];
  if (o === undefined || podNodeName(o) === nodeName) return doc;
  return updateObject(doc, i, (obj) => {
    const spec: Record<string, unknown> = { ...(obj.spec ?? {}) };
    if (nodeName === '') delete spec['nodeName'];
    else spec['nodeName'] = nodeName;
    // the old node's IPAM range no longer holds a fixed podIP: let IPAM assign a new one
    const status: Record<string, unknown> = { ...(obj.status ?? {}) };
    const hadIp = 'podIP' in status;
    delete status['podIP'];
    const next: Record<string, unknown> = { ...obj, spec };
    if (hadIp) {
      if (Object.keys(status).length > 0) next['status'] = status;
      else delete next['status'];
    }
    return next;
  });
}

/**
 * Connects a device to a network: a router gets one more interface with the next free address;
 * a node or client (one NIC) moves to that network with a new address and gateway.
 */
export function connect(doc: LabDoc, device: ElementId, network: string): LabDoc {
  if (!arr(doc.networks).some((n) => n.name === network)) return doc;
  if (device.kind === 'router') {
    const routers = arr(doc.routers);
    const i = routers.findIndex((r) => r.name === device.name);
    const r = routers[i];
    if (r === undefined || arr(r.interfaces).some((f) => f.network === network)) return doc;
    const ip = nextFreeAddress(doc, network, 'router');
    if (ip === undefined) return doc;
    const iface: InterfaceDoc = { network, ip };
    return { ...doc, routers: setAt(routers, i, { ...r, interfaces: [...arr(r.interfaces), iface] }) };
  }
  if (device.kind === 'node' || device.kind === 'client') {
    const list = hostList(doc, device.kind);
    const i = list.findIndex((h) => h.name === device.name);
    const h = list[i];
    if (h === undefined || h.network === network) return doc;
    const ip = nextFreeAddress(doc, network, device.kind) ?? '';
    const gw = gatewayOn(doc, network);
    const { gateway: _old, ...rest } = h;
    void _old;
    const next: HostDoc = { ...rest, network, ip, ...(gw !== undefined ? { gateway: gw } : {}) };
    return { ...doc, [hostKey(device.kind)]: setAt(list, i, next) };
  }
  return doc;
}

/** Removes a router's interface on a network (a router keeps at least one interface). */
export function disconnect(doc: LabDoc, router: string, network: string): LabDoc {
  const routers = arr(doc.routers);
  const i = routers.findIndex((r) => r.name === router);
  const r = routers[i];
  if (r === undefined) return doc;
  const interfaces = arr(r.interfaces).filter((f) => f.network !== network);
  if (interfaces.length === arr(r.interfaces).length || interfaces.length === 0) return doc;
  return { ...doc, routers: setAt(routers, i, { ...r, interfaces }) };
}

// ---------------------------------------------------------------------------------------------
// editing fields

/** Replaces one element's JSON (network, router, node, client, or a Kubernetes object). */
export function updateElement(doc: LabDoc, id: ElementId, fn: (el: JsonObject) => JsonObject): LabDoc {
  switch (id.kind) {
    case 'network': {
      const list = arr(doc.networks);
      const i = list.findIndex((n) => n.name === id.name);
      const el = list[i];
      return el === undefined ? doc : { ...doc, networks: setAt(list, i, fn(el) as NetworkDoc) };
    }
    case 'router': {
      const list = arr(doc.routers);
      const i = list.findIndex((n) => n.name === id.name);
      const el = list[i];
      return el === undefined ? doc : { ...doc, routers: setAt(list, i, fn(el) as RouterDoc) };
    }
    case 'node':
    case 'client': {
      const list = hostList(doc, id.kind);
      const i = list.findIndex((n) => n.name === id.name);
      const el = list[i];
      return el === undefined ? doc : { ...doc, [hostKey(id.kind)]: setAt(list, i, fn(el) as HostDoc) };
    }
    default: {
      const i = objectIndex(doc, id);
      return i < 0 ? doc : updateObject(doc, i, (o) => fn(o));
    }
  }
}

/** Sets (or, with undefined, removes) one field of an element. */
export function setField(doc: LabDoc, id: ElementId, field: string, value: unknown): LabDoc {
  return updateElement(doc, id, (el) => {
    if (el[field] === value) return el;
    const next: Record<string, unknown> = { ...el };
    if (value === undefined) delete next[field];
    else next[field] = value;
    return next;
  });
}

/** Sets a value at a dotted path under `cluster` (`cni.mode`, `kubeProxy.ipvsScheduler`). */
export function setClusterField(doc: LabDoc, path: string, value: unknown): LabDoc {
  const keys = path.split('.');
  const put = (obj: JsonObject | undefined, i: number): JsonObject => {
    const o: Record<string, unknown> = { ...(obj ?? {}) };
    const k = keys[i] ?? '';
    if (i === keys.length - 1) {
      if (value === undefined) delete o[k];
      else o[k] = value;
    } else {
      o[k] = put(isObject(o[k]) ? o[k] : undefined, i + 1);
    }
    return o;
  };
  return { ...doc, cluster: put(doc.cluster, 0) };
}

/** Switches the CNI plugin and mode together (and drops settings that only the other plugin reads). */
export function setCni(doc: LabDoc, plugin: 'flannel' | 'calico', mode: string): LabDoc {
  const cni: Record<string, unknown> = { ...(isObject(doc.cluster?.['cni']) ? doc.cluster['cni'] : {}) };
  const pluginChanged = cni['plugin'] !== plugin;
  cni['plugin'] = plugin;
  cni['mode'] = mode;
  if (pluginChanged) delete cni['vxlan']; // the defaults differ (flannel 1/8472, calico 4096/4789)
  if (plugin === 'flannel') delete cni['crossSubnet'];
  return { ...doc, cluster: { ...(doc.cluster ?? {}), cni } };
}

/** Replaces a Kubernetes object (from the YAML tab); the element keeps its place in `objects`. */
export function replaceObject(doc: LabDoc, id: ElementId, obj: KubeObjectDoc): LabDoc {
  const i = objectIndex(doc, id);
  if (i < 0) return doc;
  let d = updateObject(doc, i, () => obj);
  const kind = elementKindOfObject(obj);
  if (kind !== undefined) {
    const next: ElementId = { kind, namespace: objNamespace(obj), name: objName(obj) };
    if (refOf(next) !== refOf(id)) d = moveLayoutKey(d, refOf(id), refOf(next));
  }
  return d;
}

function moveLayoutKey(doc: LabDoc, from: string, to: string): LabDoc {
  const p = doc.layout?.[from];
  if (p === undefined) return doc;
  return withLayout(withLayout(doc, { [from]: undefined }), { [to]: p });
}

// ---------------------------------------------------------------------------------------------
// rename (every reference follows)

const replaceIn = (list: unknown, from: string, to: string): unknown =>
  Array.isArray(list) ? (list as unknown[]).map((v) => (v === from ? to : v)) : list;

/** Renames an element and every reference to it (pods' nodeName, interfaces, BGP, faults, layout). */
export function renameElement(doc: LabDoc, id: ElementId, newName: string): OpResult {
  if (newName === id.name) return { doc, created: [id] };
  const next: ElementId = { ...id, name: newName };
  let d = updateElement(doc, id, (el) =>
    id.kind === 'pod' || id.kind === 'svc' || id.kind === 'netpol'
      ? { ...el, metadata: { ...(isObject(el['metadata']) ? el['metadata'] : {}), name: newName } }
      : { ...el, name: newName },
  );
  d = moveLayoutKey(d, refOf(id), refOf(next));
  const faults = (f: JsonObject): JsonObject => {
    let o = f;
    for (const key of ['node', 'router']) {
      if (o[key] === id.name && id.kind === key) o = { ...o, [key]: newName };
    }
    if (id.kind === 'pod' && o['pod'] === `${id.namespace}/${id.name}`)
      o = { ...o, pod: `${id.namespace}/${newName}` };
    if (id.kind === 'svc' && o['service'] === `${id.namespace}/${id.name}`)
      o = { ...o, service: `${id.namespace}/${newName}` };
    if ((id.kind === 'node' || id.kind === 'router') && Array.isArray(o['between']))
      o = { ...o, between: replaceIn(o['between'], id.name, newName) };
    return o;
  };
  if (d.faults !== undefined) d = { ...d, faults: arr(d.faults).map(faults) };

  if (id.kind === 'network') {
    d = {
      ...d,
      routers: arr(d.routers).map((r) =>
        arr(r.interfaces).some((f) => f.network === id.name)
          ? {
              ...r,
              interfaces: arr(r.interfaces).map((f) =>
                f.network === id.name ? { ...f, network: newName } : f,
              ),
            }
          : r,
      ),
      nodes: arr(d.nodes).map((h) => (h.network === id.name ? { ...h, network: newName } : h)),
      clients: arr(d.clients).map((h) => (h.network === id.name ? { ...h, network: newName } : h)),
    };
  }
  if (id.kind === 'node' || id.kind === 'router') {
    d = renameInCluster(d, id.kind, id.name, newName);
  }
  if (id.kind === 'node') {
    d = {
      ...d,
      objects: arr(d.objects).map((o) => {
        if (o.kind === 'Pod' && podNodeName(o) === id.name)
          return { ...o, spec: { ...(o.spec ?? {}), nodeName: newName } };
        if (o.kind === 'Deployment') {
          const t = o.spec?.['template'];
          const ts = isObject(t) && isObject(t['spec']) ? t['spec'] : undefined;
          if (ts?.['nodeName'] === id.name)
            return {
              ...o,
              spec: { ...o.spec, template: { ...(t as JsonObject), spec: { ...ts, nodeName: newName } } },
            };
        }
        return o;
      }),
    };
  }
  return { doc: d, created: [next] };
}

function renameInCluster(doc: LabDoc, kind: 'node' | 'router', from: string, to: string): LabDoc {
  const cluster = doc.cluster;
  if (!isObject(cluster)) return doc;
  let c: Record<string, unknown> = { ...cluster };
  const cni = cluster['cni'];
  if (isObject(cni) && isObject(cni['bgp'])) {
    const bgp: Record<string, unknown> = { ...cni['bgp'] };
    bgp['routeReflectors'] = replaceIn(bgp['routeReflectors'], from, to);
    if (Array.isArray(bgp['peers']))
      bgp['peers'] = (bgp['peers'] as unknown[]).map((p) => {
        if (!isObject(p)) return p;
        return kind === 'router'
          ? p['router'] === from
            ? { ...p, router: to }
            : p
          : { ...p, nodes: replaceIn(p['nodes'], from, to) };
      });
    c = { ...c, cni: { ...cni, bgp } };
  }
  const coredns = cluster['coredns'];
  if (kind === 'node' && isObject(coredns))
    c = { ...c, coredns: { ...coredns, nodes: replaceIn(coredns['nodes'], from, to) } };
  return { ...doc, cluster: c };
}

// ---------------------------------------------------------------------------------------------
// delete

export interface DeleteResult {
  readonly doc: LabDoc;
  /** Everything removed, including what went with the elements asked for. */
  readonly removed: readonly ElementId[];
}

/**
 * Deletes elements and what cannot exist without them: a network takes the nodes and clients on
 * it (a host needs its one network) and the routers' interfaces there (a router left with no
 * interface goes too); a node takes the pods scheduled on it. References in BGP settings,
 * CoreDNS and layout are cleaned up.
 */
export function deleteElements(doc: LabDoc, ids: readonly ElementId[]): DeleteResult {
  const removed = new Map<string, ElementId>();
  const add = (id: ElementId) => removed.set(refOf(id), id);
  ids.forEach(add);
  const gone = (id: ElementId) => removed.has(refOf(id));
  const goneNetworks = new Set(ids.filter((i) => i.kind === 'network').map((i) => i.name));

  for (const kind of ['node', 'client'] as const)
    for (const h of hostList(doc, kind))
      if (h.network && goneNetworks.has(h.network)) add({ kind, name: h.name });
  const routers = arr(doc.routers).flatMap((r) => {
    if (gone({ kind: 'router', name: r.name })) return [];
    const interfaces = arr(r.interfaces).filter((f) => !goneNetworks.has(f.network));
    if (interfaces.length === 0 && arr(r.interfaces).length > 0) {
      add({ kind: 'router', name: r.name });
      return [];
    }
    return interfaces.length === arr(r.interfaces).length ? [r] : [{ ...r, interfaces }];
  });
  const goneNodes = new Set([...removed.values()].filter((i) => i.kind === 'node').map((i) => i.name));
  for (const o of arr(doc.objects))
    if (o.kind === 'Pod' && goneNodes.has(podNodeName(o)))
      add({ kind: 'pod', namespace: objNamespace(o), name: objName(o) });

  const objects = arr(doc.objects).filter((o) => {
    const kind = elementKindOfObject(o);
    return kind === undefined || !gone({ kind, namespace: objNamespace(o), name: objName(o) });
  });
  let d: LabDoc = {
    ...doc,
    networks: arr(doc.networks).filter((n) => !goneNetworks.has(n.name)),
    routers,
    nodes: arr(doc.nodes).filter((h) => !gone({ kind: 'node', name: h.name })),
    clients: arr(doc.clients).filter((h) => !gone({ kind: 'client', name: h.name })),
    objects,
  };
  const goneRouters = new Set([...removed.values()].filter((i) => i.kind === 'router').map((i) => i.name));
  d = removeFromCluster(d, goneNodes, goneRouters);
  d = withLayout(d, Object.fromEntries([...removed.keys()].map((k) => [k, undefined])));
  return { doc: d, removed: [...removed.values()] };
}

function removeFromCluster(doc: LabDoc, nodes: ReadonlySet<string>, routers: ReadonlySet<string>): LabDoc {
  if ((nodes.size === 0 && routers.size === 0) || !isObject(doc.cluster)) return doc;
  const drop = (list: unknown, names: ReadonlySet<string>) =>
    Array.isArray(list) ? (list as unknown[]).filter((v) => typeof v !== 'string' || !names.has(v)) : list;
  let c: Record<string, unknown> = { ...doc.cluster };
  const cni = c['cni'];
  if (isObject(cni) && isObject(cni['bgp'])) {
    const bgp: Record<string, unknown> = { ...cni['bgp'] };
    if (bgp['routeReflectors'] !== undefined)
      bgp['routeReflectors'] = drop(bgp['routeReflectors'], new Set([...nodes, ...routers]));
    if (Array.isArray(bgp['peers']))
      bgp['peers'] = (bgp['peers'] as unknown[])
        .filter((p) => !isObject(p) || !routers.has(str(p['router'])))
        .map((p) => (isObject(p) && p['nodes'] !== undefined ? { ...p, nodes: drop(p['nodes'], nodes) } : p));
    c = { ...c, cni: { ...cni, bgp } };
  }
  const coredns = c['coredns'];
  if (isObject(coredns) && Array.isArray(coredns['nodes'])) {
    const left = drop(coredns['nodes'], nodes) as unknown[];
    if (left.length === 0) delete c['coredns'];
    else c = { ...c, coredns: { ...coredns, nodes: left } };
  }
  return { ...doc, cluster: c };
}

// ---------------------------------------------------------------------------------------------
// copy / paste / duplicate

/** What Copy puts on the clipboard: the elements' JSON and where they were. */
export interface Clipboard {
  readonly podpathClipboard: 1;
  readonly items: readonly {
    readonly kind: ElementKind;
    readonly json: JsonObject;
    readonly position?: Position;
  }[];
}

export function copyElements(doc: LabDoc, ids: readonly ElementId[]): Clipboard {
  const items: Clipboard['items'][number][] = [];
  const seen = new Set<string>();
  const push = (id: ElementId) => {
    const ref = refOf(id);
    if (seen.has(ref)) return;
    seen.add(ref);
    const json = elementJson(doc, id);
    if (json === undefined) return;
    const position = doc.layout?.[ref];
    items.push(position ? { kind: id.kind, json, position } : { kind: id.kind, json });
  };
  for (const id of ids) {
    push(id);
    // a node copies with its pods, as it is drawn
    if (id.kind === 'node')
      for (const o of arr(doc.objects))
        if (o.kind === 'Pod' && podNodeName(o) === id.name)
          push({ kind: 'pod', namespace: objNamespace(o), name: objName(o) });
  }
  return { podpathClipboard: 1, items };
}

export function elementJson(doc: LabDoc, id: ElementId): JsonObject | undefined {
  switch (id.kind) {
    case 'network':
      return arr(doc.networks).find((n) => n.name === id.name);
    case 'router':
      return arr(doc.routers).find((n) => n.name === id.name);
    case 'node':
    case 'client':
      return hostList(doc, id.kind).find((n) => n.name === id.name);
    default:
      return arr(doc.objects)[objectIndex(doc, id)];
  }
}

export function isClipboard(v: unknown): v is Clipboard {
  return isObject(v) && v['podpathClipboard'] === 1 && Array.isArray(v['items']);
}

/**
 * Pastes copies with fresh names and addresses, `offset` away from the originals. Pasted pods
 * follow their pasted node; networks get a free subnet, hosts a free address on their network.
 */
export function paste(doc: LabDoc, clip: Clipboard, offset: Position): OpResult {
  let d = doc;
  const created: ElementId[] = [];
  const renamed = new Map<string, string>(); // "kind/old" -> new name (networks and nodes)
  const moved = (p?: Position) => (p ? { x: p.x + offset.x, y: p.y + offset.y } : undefined);
  const order: ElementKind[] = ['network', 'router', 'node', 'client', 'pod', 'svc', 'netpol'];
  const items = [...clip.items].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  for (const item of items) {
    const j = item.json;
    if (item.kind === 'network') {
      const name = uniqueName(takenNames(d, 'network'), str(j['name']) || 'net-1');
      renamed.set(`network/${str(j['name'])}`, name);
      const net = { ...(j as NetworkDoc), name, cidr: nextFreeSubnet(d) };
      d = withLayout(
        { ...d, networks: [...arr(d.networks), net] },
        { [`network/${name}`]: moved(item.position) },
      );
      created.push({ kind: 'network', name });
    } else if (item.kind === 'router') {
      const name = uniqueName(takenNames(d, 'router'), str(j['name']) || 'router-1');
      const r0 = j as RouterDoc;
      let dd: LabDoc = { ...d, routers: [...arr(d.routers), { ...r0, name, interfaces: [] }] };
      for (const f of arr(r0.interfaces)) {
        const network = renamed.get(`network/${f.network}`) ?? f.network;
        dd = connect(dd, { kind: 'router', name }, network);
      }
      const r = arr(dd.routers).find((x) => x.name === name);
      if (r === undefined || arr(r.interfaces).length === 0) continue; // nowhere to plug it in
      d = withLayout(dd, { [`router/${name}`]: moved(item.position) });
      created.push({ kind: 'router', name });
    } else if (item.kind === 'node' || item.kind === 'client') {
      const h0 = j as HostDoc;
      const name = uniqueName(takenNames(d, item.kind), str(h0.name) || `${item.kind}-1`);
      renamed.set(`${item.kind}/${str(h0.name)}`, name);
      const network = renamed.get(`network/${str(h0.network)}`) ?? str(h0.network);
      const ip = nextFreeAddress(d, network, item.kind) ?? '';
      const { podCIDR: _p, ...rest } = h0;
      void _p;
      const gw = gatewayOn(d, network) ?? h0.gateway;
      const h: HostDoc = { ...rest, name, network, ip, ...(gw !== undefined ? { gateway: gw } : {}) };
      d = withLayout(
        { ...d, [hostKey(item.kind)]: [...hostList(d, item.kind), h] },
        { [`${item.kind}/${name}`]: moved(item.position) },
      );
      created.push({ kind: item.kind, name });
    } else {
      const o = j as KubeObjectDoc;
      const namespace = objNamespace(o);
      const name = uniqueName(takenNames(d, item.kind, namespace), objName(o) || `${item.kind}-1`);
      let copy: KubeObjectDoc = { ...o, metadata: { ...(o.metadata ?? {}), name } };
      if (item.kind === 'pod') {
        const { status: _s, ...rest } = copy;
        void _s;
        copy = rest;
        const node = podNodeName(o);
        const newNode = renamed.get(`node/${node}`);
        if (newNode !== undefined) copy = { ...copy, spec: { ...(copy.spec ?? {}), nodeName: newNode } };
      }
      d = ensureNamespace(d, namespace);
      d = { ...d, objects: [...arr(d.objects), copy] };
      const id: ElementId = { kind: item.kind, namespace, name };
      d = withLayout(d, { [refOf(id)]: moved(item.position) });
      created.push(id);
    }
  }
  return { doc: d, created };
}
