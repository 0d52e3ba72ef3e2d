import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import {
  importYaml,
  labObjectsToYaml,
  objectsToYaml,
  parseKubeYaml,
  type YamlParse,
} from '../../shared-sim/src/index';

/** Two nodes and the `shop` namespace with one pod. */
function lab(objects: unknown[] = []): Record<string, unknown> {
  return {
    podpath: 1,
    name: 'yaml lab',
    networks: [{ name: 'rack-a', cidr: '192.168.1.0/24' }],
    nodes: [
      { name: 'node-1', network: 'rack-a', ip: '192.168.1.10' },
      { name: 'node-2', network: 'rack-a', ip: '192.168.1.11' },
    ],
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web-1', namespace: 'shop', labels: { app: 'web' } },
        spec: { nodeName: 'node-1', containers: [{ name: 'web' }] },
      },
      ...objects,
    ],
  };
}

function objectsOf(r: YamlParse): unknown[] {
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('\n'));
  return r.objects.map((o) => o.object);
}

function messages(r: { ok: boolean; problems?: readonly { message: string }[] }): string[] {
  return r.ok ? [] : (r.problems ?? []).map((p) => p.message);
}

/** What `kubectl get pods,svc -n shop -o yaml` prints (trimmed). */
const KUBECTL_LIST = `apiVersion: v1
items:
- apiVersion: v1
  kind: Pod
  metadata:
    creationTimestamp: "2026-11-20T10:00:00Z"
    labels:
      app: api
    name: api-1
    namespace: shop
    resourceVersion: "1234"
    uid: 0b5e3f2a-0000-4000-8000-000000000001
  spec:
    containers:
    - image: registry.k8s.io/e2e-test-images/agnhost:2.53
      name: api
      ports:
      - containerPort: 8080
        name: http
        protocol: TCP
    nodeName: node-2
  status:
    phase: Running
    podIP: 10.244.2.7
- apiVersion: v1
  kind: Service
  metadata:
    name: api
    namespace: shop
  spec:
    ports:
    - port: 80
      protocol: TCP
      targetPort: http
    selector:
      app: api
    type: ClusterIP
kind: List
metadata:
  resourceVersion: ""
`;

describe('parseKubeYaml: documents and lists', () => {
  it('reads multi-document YAML, skipping empty documents and comments', () => {
    const r = parseKubeYaml(`# a leading comment
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
# only a comment: an empty document
---
apiVersion: v1
kind: Pod
metadata: {name: web-2, namespace: shop}
...
`);
    expect(r.ok && r.objects.map((o) => o.source)).toEqual([
      { document: 1, line: 3, column: 1 },
      { document: 3, line: 10, column: 1 },
    ]);
    expect(objectsOf(r)).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-2', namespace: 'shop' } },
    ]);
  });

  it('flattens a kind: List as kubectl get -o yaml prints it, each item with its own line', () => {
    const r = parseKubeYaml(KUBECTL_LIST);
    expect(r.ok && r.objects.map((o) => [(o.object as { kind: string }).kind, o.source.line])).toEqual([
      ['Pod', 3],
      ['Service', 25],
    ]);
  });

  it('gives the items of a typed list (PodList) the kind and apiVersion the API server leaves out', () => {
    const r = parseKubeYaml(
      'apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: a}\n- kind: Pod\n  apiVersion: v1\n  metadata: {name: b}\n',
    );
    expect(objectsOf(r)).toEqual([
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' } },
      { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'b' } },
    ]);
  });

  it('flattens nested lists and treats items: null / [] as empty', () => {
    const r = parseKubeYaml(
      'kind: List\napiVersion: v1\nitems:\n- kind: List\n  apiVersion: v1\n  items:\n  - {apiVersion: v1, kind: Namespace, metadata: {name: x}}\n- kind: List\n  apiVersion: v1\n  items: null\n---\nkind: List\napiVersion: v1\nitems: []\n',
    );
    expect(objectsOf(r)).toEqual([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }]);
  });

  it('reads what kubectl get -o json prints (JSON is YAML), and Windows line endings', () => {
    const json = JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'List',
        items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }],
        metadata: { resourceVersion: '' },
      },
      null,
      4,
    );
    expect(objectsOf(parseKubeYaml(json))).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    ]);
    const crlf =
      'apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: c\r\ndata:\r\n  s: |\r\n    {[\r\n---\r\napiVersion: v1\r\nkind: Namespace\r\nmetadata: {name: x}\r\n';
    const r = parseKubeYaml(crlf);
    expect(objectsOf(r)).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { s: '{[\n' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } },
    ]);
    expect(r.ok && r.objects[1]?.source).toEqual({ document: 2, line: 9, column: 1 });
  });

  it('resolves scalars as kubectl does (YAML 1.1 through go-yaml): octal modes, yes/on booleans; timestamps and 1:20 stay strings', () => {
    const r = parseKubeYaml(`apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    when: 2026-11-20
    ports: 1:20
spec:
  enableServiceLinks: no
  hostNetwork: off
  volumes:
  - name: s
    secret:
      defaultMode: 0644
      optional: yes
`);
    const pod = objectsOf(r)[0] as {
      metadata: { annotations: Record<string, unknown> };
      spec: { enableServiceLinks: unknown; hostNetwork: unknown; volumes: { secret: unknown }[] };
    };
    expect(pod.metadata.annotations).toEqual({ when: '2026-11-20', ports: '1:20' });
    expect(pod.spec.enableServiceLinks).toBe(false);
    expect(pod.spec.hostNetwork).toBe(false);
    expect(pod.spec.volumes[0]?.secret).toEqual({ defaultMode: 420, optional: true });
  });

  it('expands a few aliases and merge keys (<<) as go-yaml does', () => {
    const r = parseKubeYaml(
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: &l {app: web, tier: front}\n  annotations:\n    <<: *l\n    note: x\n',
    );
    expect((objectsOf(r)[0] as { metadata: unknown }).metadata).toEqual({
      name: 'p',
      labels: { app: 'web', tier: 'front' },
      annotations: { app: 'web', tier: 'front', note: 'x' },
    });
  });
});

describe('parseKubeYaml: errors with document, line and column', () => {
  it('bad indentation in the second document', () => {
    const r = parseKubeYaml(
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   namespace: b\n',
    );
    expect(messages(r)).toEqual([
      'document 2, line 9, column 9: Nested mappings are not allowed in compact mappings',
    ]);
    expect(r.ok ? null : r.problems[0]).toMatchObject({ document: 2, line: 9, column: 9 });
  });

  it('a duplicate key', () => {
    expect(messages(parseKubeYaml('kind: Pod\nmetadata:\n  name: a\n  name: b\n'))).toEqual([
      'document 1, line 4, column 3: Map keys must be unique',
    ]);
  });

  it('a tab used as indentation', () => {
    expect(messages(parseKubeYaml('kind: Pod\nmetadata:\n\tname: a\n'))).toEqual([
      'document 1, line 3, column 1: Tabs are not allowed as indentation',
    ]);
  });

  it('an unclosed flow sequence', () => {
    expect(messages(parseKubeYaml('---\nkind: Pod\n---\nkind: Service\nports: [1, 2\nx: 3\n'))).toEqual([
      'document 2, line 6, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('an alias to an anchor that does not exist', () => {
    expect(messages(parseKubeYaml('kind: Pod\nmetadata: *nope\n'))).toEqual([
      'document 1, line 2, column 11: the alias *nope names no anchor before it (write &nope on an earlier node)',
    ]);
  });

  it('a document that is not a mapping', () => {
    expect(messages(parseKubeYaml('kind: Namespace\n---\n- a\n- b\n---\n"just text"\n'))).toEqual([
      'document 2, line 3, column 1: the document is a sequence, not a Kubernetes object (a mapping with apiVersion, kind and metadata)',
      'document 3, line 6, column 1: the document is the string just text, not a Kubernetes object (a mapping with apiVersion, kind and metadata)',
    ]);
  });

  it('list items that are not objects, and items that are not a sequence', () => {
    expect(messages(parseKubeYaml('kind: List\napiVersion: v1\nitems:\n- 42\n'))).toEqual([
      'document 1, line 4, column 3: items[0] is the number 42, not a Kubernetes object (a mapping with apiVersion, kind and metadata)',
    ]);
    expect(messages(parseKubeYaml('kind: List\napiVersion: v1\nitems:\n  a: 1\n'))).toEqual([
      'document 1, line 4, column 3: items of a List must be a sequence of objects',
    ]);
  });

  it('an unknown tag is kept as text, with a warning', () => {
    const r = parseKubeYaml('kind: Pod\nmetadata: {name: !vault secret}\n');
    expect(r.ok && r.warnings.map((w) => w.message)).toEqual([
      'document 1, line 2, column 18: Unresolved tag: !vault',
    ]);
  });
});

describe('parseKubeYaml: hostile input is refused quickly, with a reason', () => {
  const quick = <T>(fn: () => T): T => {
    const t = performance.now();
    const r = fn();
    // generous: the machine is shared; a hang or an exponential blow-up takes minutes, not seconds
    expect(performance.now() - t).toBeLessThan(3000);
    return r;
  };

  it('an alias bomb ("billion laughs")', () => {
    let bomb =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    let prev = 'a';
    for (const n of 'bcdefghi') {
      bomb += `  ${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
      prev = n;
    }
    expect(messages(quick(() => parseKubeYaml(bomb)))).toEqual([
      'document 1, line 1, column 1: refused: its aliases (*name) expand to too many nodes (more than 100 alias expansions; this is how "billion laughs" alias bombs exhaust memory)',
    ]);
  });

  it('a document larger than the size cap', () => {
    const huge = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  x: "${'x'.repeat(8 * 1024 * 1024)}"\n`;
    expect(messages(quick(() => parseKubeYaml(huge)))).toEqual([
      'the YAML is 8,388,675 characters long; at most 8,388,608 are imported (split it into several files)',
    ]);
  });

  it('deep flow nesting (which would exhaust the parser)', () => {
    const deep = `kind: Pod\nx: ${'['.repeat(200_000)}${']'.repeat(200_000)}\n`;
    expect(messages(quick(() => parseKubeYaml(deep)))).toEqual([
      'line 2, column 103: the YAML nests more than 100 levels deep; refused (Kubernetes manifests nest far less)',
    ]);
  });

  it('deep block nesting', () => {
    const deep = Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n';
    expect(messages(quick(() => parseKubeYaml(deep)))).toEqual([
      'line 101, column 101: the YAML nests more than 100 levels deep; refused (Kubernetes manifests nest far less)',
    ]);
    const compact = `${'- '.repeat(150)}x\n`;
    expect(messages(quick(() => parseKubeYaml(compact)))).toEqual([
      'line 1, column 1: the YAML nests more than 100 levels deep; refused (Kubernetes manifests nest far less)',
    ]);
  });

  it('too many documents', () => {
    expect(messages(quick(() => parseKubeYaml('kind: A\n---\n'.repeat(20_001))))).toEqual([
      'the YAML has more than 20,000 documents; refused (split it into several files)',
    ]);
    expect(messages(parseKubeYaml('a: 1\n---\na: 2\n---\na: 3\n', { maxDocuments: 2 }))).toEqual([
      'the YAML has 3 documents; at most 2 are imported (split it into several files)',
    ]);
  });

  it('does not mistake brackets in block scalars, quotes and comments for nesting', () => {
    const text = `apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data:
  script: |
    ${'{'.repeat(150)}
    echo "[[[[["
  quoted: "${'['.repeat(150)}"
  single: '${'{'.repeat(150)}'
  # ${'['.repeat(150)}
`;
    expect(objectsOf(parseKubeYaml(text))).toHaveLength(1);
  });
});

describe('importYaml: merge into a lab, validated', () => {
  it('adds new objects and replaces same kind/namespace/name in place', () => {
    const r = importYaml(
      lab(),
      `apiVersion: v1
kind: Pod
metadata:
  name: web-1
  namespace: shop
  labels: {app: web, version: v2}
spec:
  nodeName: node-2
  containers: [{name: web}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`,
    );
    if (!r.ok) throw new Error(messages(r).join('\n'));
    expect({ added: r.added, replaced: r.replaced }).toEqual({
      added: ['Service shop/web'],
      replaced: ['Pod shop/web-1'],
    });
    const objects = r.document['objects'] as { kind: string; spec?: { nodeName?: string } }[];
    expect(objects.map((o) => o.kind)).toEqual(['Namespace', 'Pod', 'Service']);
    expect(objects[1]?.spec?.nodeName).toBe('node-2');
    expect(r.document['name']).toBe('yaml lab');
  });

  it('imports a kubectl List into a lab without objects', () => {
    const base = lab();
    delete base['objects'];
    const r = importYaml(
      base,
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n' + KUBECTL_LIST,
    );
    expect(r.ok && r.added).toEqual(['Namespace shop', 'Pod shop/api-1', 'Service shop/api']);
  });

  it('refuses objects the lab validator refuses, naming field, value, reason and where in the YAML', () => {
    const r = importYaml(
      lab(),
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: extra}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: Web\n  namespace: shop\nspec:\n  nodeName: node-9\n  containers: [{name: c}]\n',
    );
    expect(messages(r)).toEqual([
      'document 2, line 5, column 1: objects[3].metadata.name Web is not a valid Kubernetes name (lower-case letters, digits, "-" and ".")',
      'document 2, line 5, column 1: objects[3].spec.nodeName node-9 is not a node of this lab (nodes: node-1, node-2)',
    ]);
  });

  it('refuses a label value that YAML 1.1 reads as a boolean, as the API server would', () => {
    const r = importYaml(lab(), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {canary: yes}\n');
    expect(messages(r)).toEqual([
      'document 1, line 1, column 1: objects[2].metadata.labels.canary true must be a string (label values are strings)',
    ]);
  });

  it('refuses the same object twice in one YAML', () => {
    const r = importYaml(
      lab(),
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n',
    );
    expect(messages(r)).toEqual([
      'document 2, line 5, column 1: Namespace a is also defined by document 1 (line 1); an object may appear once',
    ]);
  });

  it('refuses YAML without objects, and a lab whose objects are not a list', () => {
    expect(messages(importYaml(lab(), '# nothing\n---\n'))).toEqual([
      'the YAML holds no Kubernetes objects (every document is empty)',
    ]);
    expect(messages(importYaml({ ...lab(), objects: 7 }, 'kind: Namespace\n'))).toEqual([
      'objects 7 must be a list in the lab to import into',
    ]);
    expect(messages(importYaml([], 'kind: Namespace\n'))).toEqual([
      'the lab to import into must be a lab document (a JSON object)',
    ]);
  });

  it('keeps the validator warnings, located in the YAML', () => {
    const r = importYaml(
      lab(),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: shop}\ndata: {a: b}\n',
    );
    expect(r.ok && r.warnings.map((w) => w.message)).toEqual([
      'document 1, line 1, column 1: objects[2] is a ConfigMap, a kind Podpath does not model; it is kept and ignored',
    ]);
  });
});

describe('export to YAML', () => {
  it('writes multi-document YAML in kubectl layout that reads back to the same objects', () => {
    const r = importYaml(lab(), KUBECTL_LIST);
    if (!r.ok) throw new Error(messages(r).join('\n'));
    const text = labObjectsToYaml(r.document);
    expect(text.split('\n').slice(0, 18).join('\n')).toBe(`apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: Pod
metadata:
  name: web-1
  namespace: shop
  labels:
    app: web
spec:
  nodeName: node-1
  containers:
  - name: web
---
apiVersion: v1`);
    expect(objectsOf(parseKubeYaml(text))).toEqual(r.document['objects']);
  });

  it('quotes strings YAML 1.1 would read as something else', () => {
    const objects = [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c' },
        data: { a: 'yes', b: '0644', c: 'on', d: '2026-11-20', e: '1:20', f: 'null', g: 'multi\nline\n' },
      },
    ];
    const text = objectsToYaml(objects);
    expect(text).toBe(`apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data:
  a: "yes"
  b: "0644"
  c: "on"
  d: "2026-11-20"
  e: "1:20"
  f: "null"
  g: |
    multi
    line
`);
    expect(objectsOf(parseKubeYaml(text))).toEqual(objects);
  });

  it('gives an empty string for a lab without objects', () => {
    expect(labObjectsToYaml({ podpath: 1 })).toBe('');
    expect(objectsToYaml([])).toBe('');
  });
});
