import { describe, expect, it } from 'vitest';
import { compile, parseLab, type World } from '../../../shared-sim/src/index';
import { goJson, kubectlCommand, tabwrite } from '../../../shared-sim/src/views/kubectl';

// ---------------------------------------------------------------------------------------------
// One lab for every view: namespace shop with four web pods (one with a sidecar, one not ready),
// a finished job pod, a pod in default without a given IP; Services of every type.
// ---------------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

function pod(ref: string, node: string, ip: string | undefined, o: Obj = {}): Obj {
  const [namespace, name] = ref.split('/');
  const web = {
    name: 'web',
    ports: [
      { name: 'http', containerPort: 8080 },
      { name: 'metrics', containerPort: 9090 },
    ],
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: (o['labels'] as Obj | undefined) ?? { app: 'web' } },
    spec: { nodeName: node, containers: o['sidecar'] ? [web, { name: 'log' }] : [web] },
    status: {
      phase: (o['phase'] as string | undefined) ?? 'Running',
      ...(ip !== undefined ? { podIP: ip } : {}),
      conditions: [{ type: 'Ready', status: o['ready'] === false ? 'False' : 'True' }],
    },
  };
}

function svc(ref: string, spec: Obj, status?: Obj): Obj {
  const [namespace, name] = ref.split('/');
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec,
    ...(status ? { status } : {}),
  };
}

const LAB = {
  podpath: 1,
  cluster: { podCIDR: '10.244.0.0/16', serviceCIDR: '10.96.0.0/12' },
  networks: [{ name: 'lan', cidr: '192.168.1.0/24' }],
  nodes: [
    { name: 'node-1', network: 'lan', ip: '192.168.1.10', podCIDR: '10.244.1.0/24' },
    { name: 'node-2', network: 'lan', ip: '192.168.1.11', podCIDR: '10.244.2.0/24' },
  ],
  objects: [
    pod('shop/web-1', 'node-1', '10.244.1.2', { sidecar: true }),
    pod('shop/web-2', 'node-2', '10.244.2.2'),
    pod('shop/web-3', 'node-2', '10.244.2.3', { ready: false }),
    pod('shop/web-4', 'node-1', '10.244.1.3'),
    pod('shop/job-1', 'node-1', '10.244.1.9', { phase: 'Succeeded', ready: false, labels: { app: 'job' } }),
    pod('default/toolbox', 'node-2', undefined, { labels: { app: 'toolbox' } }),
    svc('shop/web', {
      type: 'NodePort',
      selector: { app: 'web' },
      ports: [
        { name: 'http', port: 80, targetPort: 'http', nodePort: 30080 },
        { name: 'metrics', port: 9090, targetPort: 'metrics', nodePort: 30090 },
      ],
    }),
    svc('shop/db', { clusterIP: 'None', selector: { app: 'db' } }),
    svc('shop/ext', { type: 'ExternalName', externalName: 'db.example.com' }),
    svc('shop/lb', {
      type: 'LoadBalancer',
      clusterIP: '10.96.100.7',
      selector: { app: 'web' },
      ports: [{ port: 443, targetPort: 8080, nodePort: 31443 }],
    }),
    svc(
      'shop/lb2',
      {
        type: 'LoadBalancer',
        clusterIP: '10.96.100.8',
        selector: { app: 'web' },
        externalIPs: ['198.51.100.7'],
        ports: [{ port: 443, targetPort: 8080, nodePort: 31444 }],
      },
      { loadBalancer: { ingress: [{ ip: '203.0.113.9' }] } },
    ),
  ],
};

function world(): World {
  const r = parseLab(LAB);
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join(' | '));
  return compile(r.lab, r.warnings);
}
const W = world();

function run(cmd: string): ReturnType<typeof kubectlCommand> {
  return kubectlCommand(W, cmd.split(' '));
}
function out(cmd: string): string {
  const r = run(cmd);
  if (!r?.ok) throw new Error(`${cmd}: ${r ? r.error : 'not handled'}`);
  return r.stdout;
}
const lines = (...l: string[]): string => l.map((x) => `${x}\n`).join('');

// ---------------------------------------------------------------------------------------------

describe('kubectl get svc', () => {
  it('prints the columns kubectl prints, in name order, for one namespace', () => {
    expect(out('kubectl get svc -n shop')).toBe(
      lines(
        'NAME   TYPE           CLUSTER-IP    EXTERNAL-IP                PORT(S)                       AGE',
        'db     ClusterIP      None          <none>                     <none>                        <unknown>',
        'ext    ExternalName   <none>        db.example.com             <none>                        <unknown>',
        'lb     LoadBalancer   10.96.100.7   <pending>                  443:31443/TCP                 <unknown>',
        'lb2    LoadBalancer   10.96.100.8   203.0.113.9,198.51.100.7   443:31444/TCP                 <unknown>',
        'web    NodePort       10.99.9.225   <none>                     80:30080/TCP,9090:30090/TCP   <unknown>',
      ),
    );
  });

  it('adds NAMESPACE with -A and SELECTOR with -o wide', () => {
    expect(out('kubectl get services --all-namespaces -o wide').split('\n').slice(0, 2)).toEqual([
      'NAMESPACE   NAME   TYPE           CLUSTER-IP    EXTERNAL-IP                PORT(S)                       AGE         SELECTOR',
      'shop        db     ClusterIP      None          <none>                     <none>                        <unknown>   app=db',
    ]);
  });

  it('says so on stderr when a namespace has none', () => {
    expect(run('kubectl get svc')).toEqual({
      ok: true,
      stdout: '',
      stderr: 'No resources found in default namespace.\n',
    });
  });

  it('prints names with -o name and refuses unknown names and formats', () => {
    expect(out('kubectl get svc -o name --namespace=shop')).toBe(
      lines('service/db', 'service/ext', 'service/lb', 'service/lb2', 'service/web'),
    );
    expect(run('kubectl get svc nope -n shop')).toEqual({
      ok: false,
      error: 'Error from server (NotFound): services "nope" not found',
    });
    expect(run('kubectl get svc -A web')).toEqual({
      ok: false,
      error: 'error: a resource cannot be retrieved by name across all namespaces',
    });
    expect(run('kubectl get pods -o yaml')).toEqual({
      ok: false,
      error:
        'error: unable to match a printer suitable for the output format "yaml", allowed formats are: json,name,wide',
    });
    expect(run('kubectl get svc --watch')).toEqual({ ok: false, error: 'error: unknown flag: --watch' });
  });

  it('leaves other kubectl commands to the caller', () => {
    expect(run('kubectl get nodes')).toBeUndefined();
    expect(run('kubectl describe svc web')).toBeUndefined();
  });
});

describe('kubectl get endpoints', () => {
  it('lists ready addresses only, three at most, then + N more...', () => {
    expect(out('kubectl get ep -n shop')).toBe(
      lines(
        'NAME   ENDPOINTS                                                     AGE',
        'db     <none>                                                        <unknown>',
        'lb     10.244.1.2:8080,10.244.1.3:8080,10.244.2.2:8080               <unknown>',
        'lb2    10.244.1.2:8080,10.244.1.3:8080,10.244.2.2:8080               <unknown>',
        'web    10.244.1.2:8080,10.244.1.3:8080,10.244.2.2:8080 + 3 more...   <unknown>',
      ),
    );
  });

  it('prints one Endpoints object as JSON, keys sorted, four-space indentation', () => {
    const doc = JSON.parse(out('kubectl get endpoints web -n shop -o json')) as Obj;
    expect(doc).toEqual({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web', namespace: 'shop' },
      subsets: [
        {
          addresses: ['10.244.1.2/web-1/node-1', '10.244.1.3/web-4/node-1', '10.244.2.2/web-2/node-2'].map(
            (s) => {
              const [ip, name, nodeName] = s.split('/');
              return { ip, nodeName, targetRef: { kind: 'Pod', name, namespace: 'shop' } };
            },
          ),
          notReadyAddresses: [
            {
              ip: '10.244.2.3',
              nodeName: 'node-2',
              targetRef: { kind: 'Pod', name: 'web-3', namespace: 'shop' },
            },
          ],
          ports: [
            { name: 'http', port: 8080, protocol: 'TCP' },
            { name: 'metrics', port: 9090, protocol: 'TCP' },
          ],
        },
      ],
    });
    expect(out('kubectl get endpoints web -n shop -o json').split('\n').slice(0, 4)).toEqual([
      '{',
      '    "apiVersion": "v1",',
      '    "kind": "Endpoints",',
      '    "metadata": {',
    ]);
  });

  it('prints a List for -A -o json, with no row for an ExternalName Service', () => {
    const doc = JSON.parse(out('kubectl get endpoints -A -o json')) as {
      kind: string;
      items: { metadata: Obj }[];
    };
    expect(doc.kind).toBe('List');
    expect(doc.items.map((i) => i.metadata['name'])).toEqual(['db', 'lb', 'lb2', 'web']);
  });
});

describe('kubectl get endpointslices', () => {
  it('lists every address of a slice and <unset> for the placeholder', () => {
    expect(out('kubectl get endpointslices -n shop')).toBe(
      lines(
        'NAME        ADDRESSTYPE   PORTS       ENDPOINTS                                      AGE',
        'db-zbpbp    IPv4          <unset>     <unset>                                        <unknown>',
        'lb-mtvrb    IPv4          8080        10.244.1.2,10.244.1.3,10.244.2.2 + 1 more...   <unknown>',
        'lb2-75j6q   IPv4          8080        10.244.1.2,10.244.1.3,10.244.2.2 + 1 more...   <unknown>',
        'web-6psvb   IPv4          8080,9090   10.244.1.2,10.244.1.3,10.244.2.2 + 1 more...   <unknown>',
      ),
    );
  });

  it('shows the endpoint conditions in JSON', () => {
    const doc = JSON.parse(out('kubectl get endpointslice web-6psvb -n shop -o json')) as {
      endpoints: { addresses: string[]; conditions: Obj }[];
      metadata: { labels: Obj };
    };
    expect(doc.endpoints.map((e) => [e.addresses[0], e.conditions])).toEqual([
      ['10.244.1.2', { ready: true, serving: true, terminating: false }],
      ['10.244.1.3', { ready: true, serving: true, terminating: false }],
      ['10.244.2.2', { ready: true, serving: true, terminating: false }],
      ['10.244.2.3', { ready: false, serving: false, terminating: false }],
    ]);
    expect(doc.metadata.labels).toEqual({
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      'kubernetes.io/service-name': 'web',
    });
  });
});

describe('kubectl get pods', () => {
  it('prints READY as ready/total containers, STATUS, and the wide columns', () => {
    expect(out('kubectl get pods -A -o wide')).toBe(
      lines(
        'NAMESPACE   NAME      READY   STATUS      RESTARTS   AGE         IP           NODE     NOMINATED NODE   READINESS GATES',
        'default     toolbox   1/1     Running     0          <unknown>   10.244.2.4   node-2   <none>           <none>',
        'shop        job-1     0/1     Completed   0          <unknown>   10.244.1.9   node-1   <none>           <none>',
        'shop        web-1     2/2     Running     0          <unknown>   10.244.1.2   node-1   <none>           <none>',
        'shop        web-2     1/1     Running     0          <unknown>   10.244.2.2   node-2   <none>           <none>',
        'shop        web-3     0/1     Running     0          <unknown>   10.244.2.3   node-2   <none>           <none>',
        'shop        web-4     1/1     Running     0          <unknown>   10.244.1.3   node-1   <none>           <none>',
      ),
    );
    expect(out('kubectl get po')).toBe(
      lines('NAME      READY   STATUS    RESTARTS   AGE', 'toolbox   1/1     Running   0          <unknown>'),
    );
  });

  it('puts the IP and node in the JSON status', () => {
    const doc = JSON.parse(out('kubectl get pod toolbox -o json')) as { status: Obj };
    expect(doc.status).toEqual({
      conditions: [{ status: 'True', type: 'Ready' }],
      hostIP: '192.168.1.11',
      hostIPs: [{ ip: '192.168.1.11' }],
      phase: 'Running',
      podIP: '10.244.2.4',
      podIPs: [{ ip: '10.244.2.4' }],
    });
  });
});

describe('output helpers', () => {
  it('tabwrite pads every cell but the last to max(6, widest + 3)', () => {
    expect(
      tabwrite([
        ['A', 'BB', 'C'],
        ['aaaa', '', 'last cell is not padded'],
      ]),
    ).toBe('A      BB    C\naaaa         last cell is not padded\n');
  });

  it('goJson sorts keys and escapes <, > and & as Go does', () => {
    expect(goJson({ b: 1, a: ['<x&y>'] })).toBe(
      '{\n    "a": [\n        "\\u003cx\\u0026y\\u003e"\n    ],\n    "b": 1\n}',
    );
  });
});
