import type { World } from '../compile/world';
import { formatIpv4 } from '../dataplane/addr/ipv4';
import { podReady, podTerminating } from '../control/services/serviceModel';
import type {
  EndpointPort,
  EndpointsSubset,
  EndpointsSubsetAddress,
  ResolvedEndpointSlice,
  ResolvedService,
  ServiceEndpoints,
} from '../control/services/types';
import type { KubeObject, PodSpec } from '../model/lab';
import type { LabelSelector, NetworkPolicy } from '../model/networkPolicy';
import type { CommandResult } from './commands';
import { describeNetworkPolicies } from './netpolDescribe';

/**
 * `kubectl get services|endpoints|endpointslices|pods`, as kubectl prints them: the server-side
 * table printers (pkg/printers/internalversion) written through kubectl's tabwriter (minimum
 * width 6, padding 3, spaces), rows in the API server's list order (namespace, then name), AGE
 * `<unknown>` since a lab has no timestamps. `-o json` prints a `List` with keys sorted, indented
 * by four spaces, as kubectl prints unstructured objects.
 */

type Resource = 'services' | 'endpoints' | 'endpointslices' | 'pods' | 'networkpolicies';

const RESOURCES: Readonly<Record<string, Resource>> = {
  svc: 'services',
  service: 'services',
  services: 'services',
  ep: 'endpoints',
  endpoints: 'endpoints',
  endpoint: 'endpoints',
  endpointslice: 'endpointslices',
  endpointslices: 'endpointslices',
  'endpointslice.discovery.k8s.io': 'endpointslices',
  'endpointslices.discovery.k8s.io': 'endpointslices',
  po: 'pods',
  pod: 'pods',
  pods: 'pods',
  netpol: 'networkpolicies',
  networkpolicy: 'networkpolicies',
  networkpolicies: 'networkpolicies',
  'networkpolicy.networking.k8s.io': 'networkpolicies',
  'networkpolicies.networking.k8s.io': 'networkpolicies',
};

/** The name kubectl uses in messages and for `-o name`. */
const KIND_NAME: Readonly<Record<Resource, string>> = {
  services: 'service',
  endpoints: 'endpoints',
  endpointslices: 'endpointslice.discovery.k8s.io',
  pods: 'pod',
  networkpolicies: 'networkpolicy.networking.k8s.io',
};

interface GetArgs {
  resource: Resource;
  names: string[];
  namespace: string;
  all: boolean;
  output: '' | 'wide' | 'json' | 'name';
}

const fail = (error: string): CommandResult => ({ ok: false, error });

/** What `kubectl ARGV…` prints, or undefined when it is not a kubectl command this view knows. */
export function kubectlCommand(world: World, argv: readonly string[]): CommandResult | undefined {
  if (argv[0] === 'kubectl' && argv[1] === 'describe') return describeNetworkPolicies(world, argv.slice(2));
  if (argv[0] !== 'kubectl' || argv[1] !== 'get') return undefined;
  const parsed = parseGet(argv.slice(2));
  if (parsed === undefined) return undefined;
  if (typeof parsed === 'string') return fail(parsed);
  const a = parsed;
  if (a.all && a.names.length > 0)
    return fail('error: a resource cannot be retrieved by name across all namespaces');

  const items = listItems(world, a.resource).filter(
    (it) => (a.all || it.namespace === a.namespace) && (a.names.length === 0 || a.names.includes(it.name)),
  );
  items.sort((x, y) => cmp(x.namespace, y.namespace) || cmp(x.name, y.name));
  if (a.names.length > 0) {
    const missing = a.names.filter((n) => !items.some((it) => it.name === n));
    if (missing.length > 0)
      return fail(
        missing
          .map(
            (n) =>
              `Error from server (NotFound): ${a.resource === 'networkpolicies' ? 'networkpolicies.networking.k8s.io' : a.resource} "${n}" not found`,
          )
          .join('\n'),
      );
    // kubectl keeps the order the names were asked in
    items.sort((x, y) => a.names.indexOf(x.name) - a.names.indexOf(y.name));
  }

  if (a.output === 'json') {
    const objs = items.map((it) => it.json());
    const doc =
      a.names.length === 1 && objs.length === 1
        ? objs[0]
        : { apiVersion: 'v1', items: objs, kind: 'List', metadata: { resourceVersion: '' } };
    return { ok: true, stdout: goJson(doc) + '\n' };
  }
  if (a.output === 'name')
    return { ok: true, stdout: items.map((it) => `${KIND_NAME[a.resource]}/${it.name}\n`).join('') };

  if (items.length === 0)
    return {
      ok: true,
      stdout: '',
      stderr: a.all ? 'No resources found\n' : `No resources found in ${a.namespace} namespace.\n`,
    };
  const wide = a.output === 'wide';
  const header = [...(a.all ? ['NAMESPACE'] : []), ...HEADERS[a.resource](wide)];
  const rows = items.map((it) => [...(a.all ? [it.namespace] : []), ...it.cells(wide)]);
  return { ok: true, stdout: tabwrite([header, ...rows]) };
}

/** A parse of `kubectl get` arguments; a string is kubectl's error message; undefined: not ours. */
function parseGet(args: readonly string[]): GetArgs | string | undefined {
  let namespace = 'default';
  let all = false;
  let output: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const x = args[i] ?? '';
    const value = (): string | undefined => {
      const next = args[i + 1];
      if (next !== undefined) i++;
      return next;
    };
    if (x === '-A' || x === '--all-namespaces' || x === '--all-namespaces=true') all = true;
    else if (x === '--all-namespaces=false') all = false;
    else if (x === '-n' || x === '--namespace') {
      const v = value();
      if (v === undefined)
        return `error: flag needs an argument: '${x === '-n' ? 'n' : 'namespace'}' in ${x}`;
      namespace = v;
    } else if (x.startsWith('--namespace=')) namespace = x.slice('--namespace='.length);
    else if (x.startsWith('-n') && !x.startsWith('--')) namespace = x.slice(2).replace(/^=/, '');
    else if (x === '-o' || x === '--output') {
      const v = value();
      if (v === undefined) return `error: flag needs an argument: '${x === '-o' ? 'o' : 'output'}' in ${x}`;
      output = v;
    } else if (x.startsWith('--output=')) output = x.slice('--output='.length);
    else if (x.startsWith('-o') && !x.startsWith('--')) output = x.slice(2).replace(/^=/, '');
    else if (x.startsWith('--')) return `error: unknown flag: ${x.split('=')[0] ?? x}`;
    else if (x.startsWith('-') && x.length > 1)
      return `error: unknown shorthand flag: '${x[1] ?? ''}' in ${x}`;
    else positional.push(x);
  }
  const [kind, ...rest] = positional;
  if (kind === undefined)
    return 'You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.';
  // kubectl also accepts TYPE/NAME
  const slash = kind.indexOf('/');
  const resource = RESOURCES[slash >= 0 ? kind.slice(0, slash) : kind];
  if (resource === undefined) return undefined;
  const names = slash >= 0 ? [kind.slice(slash + 1), ...rest] : rest;
  if (output !== undefined && !['wide', 'json', 'name'].includes(output))
    return `error: unable to match a printer suitable for the output format "${output}", allowed formats are: json,name,wide`;
  return { resource, names, namespace, all, output: (output ?? '') as GetArgs['output'] };
}

// --- rows ------------------------------------------------------------------------------------

interface Item {
  readonly namespace: string;
  readonly name: string;
  cells(wide: boolean): string[];
  json(): unknown;
}

const HEADERS: Readonly<Record<Resource, (wide: boolean) => string[]>> = {
  services: (wide) => [
    'NAME',
    'TYPE',
    'CLUSTER-IP',
    'EXTERNAL-IP',
    'PORT(S)',
    'AGE',
    ...(wide ? ['SELECTOR'] : []),
  ],
  endpoints: () => ['NAME', 'ENDPOINTS', 'AGE'],
  endpointslices: () => ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
  pods: (wide) => [
    'NAME',
    'READY',
    'STATUS',
    'RESTARTS',
    'AGE',
    ...(wide ? ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'] : []),
  ],
  networkpolicies: () => ['NAME', 'POD-SELECTOR', 'AGE'],
};

const AGE = '<unknown>';

function listItems(world: World, r: Resource): Item[] {
  const model = world.services;
  const allEndpoints: ServiceEndpoints[] = [...model.endpoints.values(), ...(model.orphanEndpoints ?? [])];
  const svcByKey = new Map(model.services.map((s) => [`${s.namespace}/${s.name}`, s]));
  switch (r) {
    case 'services':
      return model.services.map((s) => serviceItem(world, s));
    case 'endpoints':
      return allEndpoints.flatMap((e) => {
        if (e.subsets === undefined) return [];
        const { ns, name } = splitKey(e.service);
        return [endpointsItem(ns, name, e.subsets, svcByKey.get(e.service), world)];
      });
    case 'endpointslices':
      return allEndpoints.flatMap((e) => {
        const { ns, name } = splitKey(e.service);
        return e.slices.map((sl) => sliceItem(ns, name, sl, svcByKey.get(e.service)));
      });
    case 'pods':
      return world.lab.pods.map((p) => podItem(world, p));
    case 'networkpolicies':
      return world.lab.networkPolicies.map((p) => networkPolicyItem(world, p));
  }
}

function splitKey(key: string): { ns: string; name: string } {
  const i = key.indexOf('/');
  return { ns: key.slice(0, i), name: key.slice(i + 1) };
}

/** labels.FormatLabels: `k=v` pairs sorted by key, `<none>` when empty. */
function formatLabels(m: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(m ?? {}).sort(cmp);
  return keys.length ? keys.map((k) => `${k}=${m?.[k] ?? ''}`).join(',') : '<none>';
}

function externalIP(s: ResolvedService): string {
  switch (s.type) {
    case 'ClusterIP':
    case 'NodePort':
      return s.externalIPs.length ? s.externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const all = [...new Set(s.loadBalancerIPs), ...s.externalIPs];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return s.externalName ?? '';
  }
}

function portString(s: ResolvedService): string {
  const p = s.ports
    .map((x) => (x.nodePort > 0 ? `${x.port}:${x.nodePort}/${x.protocol}` : `${x.port}/${x.protocol}`))
    .join(',');
  return p === '' ? '<none>' : p;
}

function networkPolicyItem(world: World, p: NetworkPolicy): Item {
  return {
    namespace: p.namespace,
    name: p.name,
    cells: () => [p.name, formatLabelSelector(p.podSelector), AGE],
    json: () => networkPolicyJson(world, p),
  };
}

/** The stored object: what was written, with the API server's defaults (policyTypes, protocol). */
function networkPolicyJson(world: World, p: NetworkPolicy): JsonObj {
  const m = /^objects\[(\d+)\]$/.exec(p.source);
  const f = /^faults\[(\d+)\]\.policy$/.exec(p.source);
  const raw = obj(
    m ? world.lab.objects[Number(m[1])] : f ? world.lab.faults[Number(f[1])]?.['policy'] : undefined,
  );
  const spec: JsonObj = { ...obj(raw['spec']) };
  spec['policyTypes'] = [...p.policyTypes];
  if (!spec['podSelector']) spec['podSelector'] = {};
  for (const dir of ['ingress', 'egress'] as const) {
    const rules = spec[dir];
    if (!Array.isArray(rules)) continue;
    spec[dir] = rules.map((r) => {
      const rule = obj(r);
      if (!Array.isArray(rule['ports'])) return rule;
      return { ...rule, ports: rule['ports'].map((x) => ({ protocol: 'TCP', ...obj(x) })) };
    });
  }
  return {
    ...raw,
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { ...obj(raw['metadata']), namespace: p.namespace },
    spec,
  };
}

/** metav1.FormatLabelSelector: requirements sorted by key; `<none>` when the selector is empty. */
function formatLabelSelector(sel: LabelSelector): string {
  const reqs: { key: string; text: string }[] = Object.entries(sel.matchLabels).map(([k, v]) => ({
    key: k,
    text: `${k}=${v}`,
  }));
  for (const e of sel.matchExpressions) {
    const values = [...e.values].sort(cmp).join(',');
    const text =
      e.operator === 'In'
        ? `${e.key} in (${values})`
        : e.operator === 'NotIn'
          ? `${e.key} notin (${values})`
          : e.operator === 'Exists'
            ? e.key
            : `!${e.key}`;
    reqs.push({ key: e.key, text });
  }
  if (reqs.length === 0) return '<none>';
  return reqs
    .sort((a, b) => cmp(a.key, b.key))
    .map((r) => r.text)
    .join(',');
}

function rawObject(world: World, index: number): KubeObject | undefined {
  return world.lab.objects[index];
}

function serviceItem(world: World, s: ResolvedService): Item {
  return {
    namespace: s.namespace,
    name: s.name,
    cells: (wide) => [
      s.name,
      s.type,
      s.clusterIP === '' ? '<none>' : s.clusterIP,
      externalIP(s),
      portString(s),
      AGE,
      ...(wide ? [formatLabels(s.selector)] : []),
    ],
    json: () => serviceJson(rawObject(world, s.objectIndex), s),
  };
}

/** formatEndpoints: up to three `ip:port` entries (ready addresses only), then ` + N more...`. */
function formatEndpoints(subsets: readonly EndpointsSubset[]): string {
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const ports: readonly (EndpointPort | undefined)[] = ss.ports.length ? ss.ports : [undefined];
    for (const p of ports) {
      count += ss.addresses.length;
      for (const a of ss.addresses) {
        if (list.length === 3) break;
        list.push(p ? `${a.ip}:${p.port}` : a.ip);
      }
    }
  }
  return count > 3 ? `${list.join(',')} + ${count - 3} more...` : list.join(',');
}

function endpointsItem(
  ns: string,
  name: string,
  subsets: readonly EndpointsSubset[],
  svc: ResolvedService | undefined,
  world: World,
): Item {
  return {
    namespace: ns,
    name,
    cells: () => [name, formatEndpoints(subsets), AGE],
    json: () => endpointsJson(ns, name, subsets, svc, world),
  };
}

/** listWithMoreString: up to three entries, ` + N more...`, `<unset>` when empty. */
function listWithMore(all: readonly string[]): string {
  if (all.length > 3) return `${all.slice(0, 3).join(',')} + ${all.length - 3} more...`;
  return all.length ? all.join(',') : '<unset>';
}

function sliceItem(
  ns: string,
  svcName: string,
  sl: ResolvedEndpointSlice,
  svc: ResolvedService | undefined,
): Item {
  return {
    namespace: ns,
    name: sl.name,
    cells: () => [
      sl.name,
      sl.addressType ?? 'IPv4',
      listWithMore(sl.ports.map((p) => String(p.port))),
      listWithMore(sl.endpoints.map((e) => e.ip)),
      AGE,
    ],
    json: () => sliceJson(ns, svcName, sl, svc),
  };
}

function podContainers(world: World, p: PodSpec): unknown[] {
  const raw = rawObject(world, p.objectIndex);
  const spec = raw?.kind === 'Pod' ? obj(raw.spec) : obj(obj(obj(raw?.spec)['template'])['spec']);
  return Array.isArray(spec['containers']) ? spec['containers'] : [];
}

function podStatus(world: World, p: PodSpec): string {
  const terminal = p.phase === 'Succeeded' || p.phase === 'Failed';
  if (podTerminating(world.lab, p) && !terminal) return 'Terminating';
  // the kubelet's container termination reasons, which printPod shows for finished pods
  if (p.phase === 'Succeeded') return 'Completed';
  if (p.phase === 'Failed') return 'Error';
  if (p.nodeName === undefined) return 'Pending';
  return p.phase;
}

function podIp(world: World, p: PodSpec): string | undefined {
  if (p.podIP !== undefined) return p.podIP;
  const info = world.pods.find((x) => x.spec === p);
  return info?.ip !== undefined ? formatIpv4(info.ip) : undefined;
}

function podItem(world: World, p: PodSpec): Item {
  const n = podContainers(world, p).length;
  const running = p.phase === 'Running' && p.nodeName !== undefined;
  const ready = running && podReady(world.lab, p) ? n : 0;
  return {
    namespace: p.namespace,
    name: p.name,
    cells: (wide) => [
      p.name,
      `${ready}/${n}`,
      podStatus(world, p),
      '0',
      AGE,
      ...(wide ? [podIp(world, p) ?? '<none>', p.nodeName ?? '<none>', '<none>', '<none>'] : []),
    ],
    json: () => podJson(world, p),
  };
}

// --- JSON objects ----------------------------------------------------------------------------

type JsonObj = Record<string, unknown>;

function obj(v: unknown): JsonObj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObj) : {};
}

function metadataOf(raw: KubeObject | undefined, ns: string, name: string): JsonObj {
  const m = { ...obj(raw?.metadata) };
  m['name'] = name;
  m['namespace'] = ns;
  return m;
}

function serviceJson(raw: KubeObject | undefined, s: ResolvedService): JsonObj {
  const spec: JsonObj = { ...obj(raw?.spec) };
  spec['type'] = s.type;
  spec['sessionAffinity'] = s.sessionAffinity;
  if (s.type === 'ExternalName') {
    delete spec['clusterIP'];
    delete spec['clusterIPs'];
  } else {
    spec['clusterIP'] = s.clusterIP;
    spec['clusterIPs'] = [s.clusterIP];
    spec['ipFamilies'] = ['IPv4'];
    spec['ipFamilyPolicy'] = 'SingleStack';
    spec['internalTrafficPolicy'] = s.internalTrafficPolicy;
  }
  if (s.ports.length)
    spec['ports'] = s.ports.map((p) => ({
      ...(p.name ? { name: p.name } : {}),
      ...(p.nodePort > 0 ? { nodePort: p.nodePort } : {}),
      port: p.port,
      protocol: p.protocol,
      targetPort: p.targetPort,
    }));
  if (s.selector) spec['selector'] = s.selector;
  else delete spec['selector'];
  if (s.type === 'NodePort' || s.type === 'LoadBalancer')
    spec['externalTrafficPolicy'] = s.externalTrafficPolicy;
  if (s.healthCheckNodePort > 0) spec['healthCheckNodePort'] = s.healthCheckNodePort;
  if (s.externalIPs.length) spec['externalIPs'] = s.externalIPs;
  if (s.sessionAffinity === 'ClientIP')
    spec['sessionAffinityConfig'] = { clientIP: { timeoutSeconds: s.affinityTimeoutSeconds } };
  const ingress = s.loadBalancerIPs.map((ip) => ({ ip, ipMode: 'VIP' }));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadataOf(raw, s.namespace, s.name),
    spec,
    status: { loadBalancer: ingress.length ? { ingress } : {} },
  };
}

function addressJson(a: EndpointsSubsetAddress): JsonObj {
  const ref = a.podRef?.split('/');
  return {
    ...(a.hostname !== undefined ? { hostname: a.hostname } : {}),
    ip: a.ip,
    ...(a.nodeName !== undefined ? { nodeName: a.nodeName } : {}),
    ...(ref && ref.length === 3 ? { targetRef: { kind: 'Pod', name: ref[2], namespace: ref[1] } } : {}),
  };
}

function portJson(p: EndpointPort): JsonObj {
  return { ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol };
}

function givenObject(world: World, kind: string, ns: string, name: string): KubeObject | undefined {
  return world.lab.objects.find(
    (o) => o.kind === kind && (o.metadata.namespace ?? 'default') === ns && o.metadata.name === name,
  );
}

function endpointsJson(
  ns: string,
  name: string,
  subsets: readonly EndpointsSubset[],
  svc: ResolvedService | undefined,
  world: World,
): JsonObj {
  const given = givenObject(world, 'Endpoints', ns, name);
  const labels = {
    ...(svc?.labels ?? {}),
    ...(svc?.headless ? { 'service.kubernetes.io/headless': '' } : {}),
  };
  const metadata = given
    ? metadataOf(given, ns, name)
    : { name, namespace: ns, ...(Object.keys(labels).length ? { labels } : {}) };
  const out: JsonObj = { apiVersion: 'v1', kind: 'Endpoints', metadata };
  if (subsets.length)
    out['subsets'] = subsets.map((ss) => ({
      ...(ss.addresses.length ? { addresses: ss.addresses.map(addressJson) } : {}),
      ...(ss.notReadyAddresses.length ? { notReadyAddresses: ss.notReadyAddresses.map(addressJson) } : {}),
      ...(ss.ports.length ? { ports: ss.ports.map(portJson) } : {}),
    }));
  return out;
}

function sliceJson(
  ns: string,
  svcName: string,
  sl: ResolvedEndpointSlice,
  svc: ResolvedService | undefined,
): JsonObj {
  const labels: Record<string, string> = sl.managedBy
    ? {
        ...(svc?.labels ?? {}),
        'endpointslice.kubernetes.io/managed-by': sl.managedBy,
        'kubernetes.io/service-name': svcName,
        ...(svc?.headless ? { 'service.kubernetes.io/headless': '' } : {}),
      }
    : { 'kubernetes.io/service-name': svcName };
  return {
    addressType: sl.addressType ?? 'IPv4',
    apiVersion: 'discovery.k8s.io/v1',
    endpoints: sl.endpoints.map((e) => {
      const ref = e.podRef?.split('/');
      return {
        addresses: [e.ip],
        conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating },
        ...(e.hostname !== undefined ? { hostname: e.hostname } : {}),
        ...(e.nodeName !== undefined ? { nodeName: e.nodeName } : {}),
        ...(ref && ref.length === 3 ? { targetRef: { kind: 'Pod', name: ref[2], namespace: ref[1] } } : {}),
      };
    }),
    kind: 'EndpointSlice',
    metadata: {
      ...(sl.managedBy ? { generateName: `${svcName}-` } : {}),
      labels,
      name: sl.name,
      namespace: ns,
    },
    ports: sl.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
  };
}

function podJson(world: World, p: PodSpec): JsonObj {
  const raw = rawObject(world, p.objectIndex);
  const fromPod = raw?.kind === 'Pod';
  const base: JsonObj = fromPod
    ? { ...(raw as unknown as JsonObj) }
    : {
        apiVersion: 'v1',
        kind: 'Pod',
        spec: { ...obj(obj(obj(raw?.spec)['template'])['spec']) },
      };
  const metadata = fromPod ? metadataOf(raw, p.namespace, p.name) : { name: p.name, namespace: p.namespace };
  metadata['labels'] = p.labels;
  const spec: JsonObj = { ...obj(base['spec']) };
  if (p.nodeName !== undefined) spec['nodeName'] = p.nodeName;
  const status: JsonObj = { ...obj(base['status']) };
  status['phase'] = p.phase;
  const ip = podIp(world, p);
  if (ip !== undefined) {
    status['podIP'] = ip;
    status['podIPs'] = [{ ip }];
  }
  const hostIP = world.lab.nodes.find((n) => n.name === p.nodeName)?.ip;
  if (hostIP !== undefined) {
    status['hostIP'] = hostIP;
    status['hostIPs'] = [{ ip: hostIP }];
  }
  if (!Array.isArray(status['conditions']))
    status['conditions'] = [{ status: podReady(world.lab, p) ? 'True' : 'False', type: 'Ready' }];
  return { ...base, metadata, spec, status };
}

// --- output ----------------------------------------------------------------------------------

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Go's text/tabwriter as kubectl configures it (minwidth 6, padding 3, pad with spaces): every
 * cell but the last of a line is padded to its column's width; the last is printed as it is.
 */
export function tabwrite(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows)
    r.forEach((c, i) => {
      if (i < r.length - 1) widths[i] = Math.max(widths[i] ?? 6, c.length + 3);
    });
  return rows
    .map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i] ?? 0) : c)).join('') + '\n')
    .join('');
}

/** JSON as kubectl prints unstructured objects: keys sorted, four-space indentation. */
export function goJson(v: unknown): string {
  const sortKeys = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sortKeys);
    if (typeof x === 'object' && x !== null) {
      const o = x as JsonObj;
      return Object.fromEntries(
        Object.keys(o)
          .sort(cmp)
          .map((k) => [k, sortKeys(o[k])]),
      );
    }
    return x;
  };
  return JSON.stringify(sortKeys(v), null, 4)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
}
