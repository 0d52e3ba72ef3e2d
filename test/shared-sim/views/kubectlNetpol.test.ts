// kubectl get networkpolicies, as kubectl prints them (NAME, POD-SELECTOR in FormatLabelSelector form, AGE).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run';

const CALICO = path.resolve(__dirname, '../../../assets/labs/netpol-calico-deny.podlab.json');
const files: Record<string, string> = {};
const io = { readFile: (p: string) => files[p] ?? readFileSync(p, 'utf8'), now: () => 0 };
const show = (lab: string, cmd: string) => runCli(['show', lab, '--on', 'node/node-1', cmd], io);

describe('kubectl get networkpolicies', () => {
  it('-A lists every policy with its pod selector', () => {
    expect(show(CALICO, 'kubectl get netpol -A').stdout).toBe(
      [
        'NAMESPACE   NAME                   POD-SELECTOR   AGE',
        'shop        api-from-web           app=api        <unknown>',
        'shop        default-deny-ingress   <none>         <unknown>',
        '',
      ].join('\n'),
    );
  });

  it('matchExpressions print as label selector requirements sorted by key; faults add policies', () => {
    const lab = JSON.parse(readFileSync(CALICO, 'utf8')) as { objects: unknown[]; faults?: unknown[] };
    lab.objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'exprs', namespace: 'dev' },
      spec: {
        podSelector: {
          matchLabels: { tier: 'web' },
          matchExpressions: [
            { key: 'app', operator: 'In', values: ['b', 'a'] },
            { key: 'zone', operator: 'DoesNotExist' },
            { key: 'env', operator: 'NotIn', values: ['prod'] },
            { key: 'canary', operator: 'Exists' },
          ],
        },
      },
    });
    lab.faults = [
      {
        type: 'network-policy',
        policy: {
          kind: 'NetworkPolicy',
          metadata: { name: 'drill', namespace: 'dev' },
          spec: { podSelector: {} },
        },
      },
    ];
    files['x.json'] = JSON.stringify(lab);
    expect(show('x.json', 'kubectl get networkpolicies -n dev').stdout).toBe(
      [
        'NAME    POD-SELECTOR                                          AGE',
        'drill   <none>                                                <unknown>',
        'exprs   app in (a,b),canary,env notin (prod),tier=web,!zone   <unknown>',
        '',
      ].join('\n'),
    );
  });

  it('-o json shows the stored object with the API server defaults', () => {
    const j = JSON.parse(show(CALICO, 'kubectl get netpol api-from-web -n shop -o json').stdout) as {
      spec: { policyTypes: string[]; ingress: { ports: unknown[] }[] };
    };
    expect(j.spec.policyTypes).toEqual(['Ingress']);
    expect(j.spec.ingress[0]?.ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
  });

  it('an unknown name is NotFound with the resource group', () => {
    const r = show(CALICO, 'kubectl get netpol nope -n shop');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'Error from server (NotFound): networkpolicies.networking.k8s.io "nope" not found\n',
    );
  });
});

describe('kubectl describe networkpolicy', () => {
  it('prints each policy as kubectl describe does', () => {
    expect(show(CALICO, 'kubectl describe netpol -n shop').stdout).toBe(
      [
        'Name:         api-from-web',
        'Namespace:    shop',
        'Created on:   <unknown>',
        'Labels:       <none>',
        'Annotations:  <none>',
        'Spec:',
        '  PodSelector:     app=api',
        '  Allowing ingress traffic:',
        '    To Port: http/TCP',
        '    From:',
        '      PodSelector: app=web',
        '  Not affecting egress traffic',
        '  Policy Types: Ingress',
        '',
        'Name:         default-deny-ingress',
        'Namespace:    shop',
        'Created on:   <unknown>',
        'Labels:       <none>',
        'Annotations:  <none>',
        'Spec:',
        '  PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)',
        '  Allowing ingress traffic:',
        '    <none> (Selected pods are isolated for ingress connectivity)',
        '  Not affecting egress traffic',
        '  Policy Types: Ingress',
        '',
      ].join('\n'),
    );
  });

  it('egress rules: ports, ranges, one To: block per peer, AND inside a peer, ipBlock except', () => {
    const lab = JSON.parse(readFileSync(CALICO, 'utf8')) as { objects: unknown[] };
    lab.objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'egress', namespace: 'dev', labels: { team: 'dev', app: 'x' } },
      spec: {
        podSelector: { matchLabels: { app: 'debug' } },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.0.0/16'] } },
              {
                namespaceSelector: { matchLabels: { team: 'shop' } },
                podSelector: { matchLabels: { app: 'api' } },
              },
            ],
            ports: [
              { port: 8000, endPort: 8080 },
              { protocol: 'UDP', port: 53 },
            ],
          },
          { ports: [{ protocol: 'SCTP' }] },
        ],
      },
    });
    files['d.json'] = JSON.stringify(lab);
    expect(show('d.json', 'kubectl describe networkpolicy egress -n dev').stdout).toBe(
      [
        'Name:         egress',
        'Namespace:    dev',
        'Created on:   <unknown>',
        'Labels:       app=x',
        '              team=dev',
        'Annotations:  <none>',
        'Spec:',
        '  PodSelector:     app=debug',
        '  Not affecting ingress traffic',
        '  Allowing egress traffic:',
        '    To Port: 8000-8080/TCP',
        '    To Port: 53/UDP',
        '    To:',
        '      IPBlock:',
        '        CIDR: 10.0.0.0/8',
        '        Except: 10.1.0.0/16, 10.2.0.0/16',
        '    To:',
        '      NamespaceSelector: team=shop',
        '      PodSelector: app=api',
        '    ----------',
        '    To Port: <any>/SCTP',
        '    To: <any> (traffic not restricted by destination)',
        '  Policy Types: Egress',
        '',
      ].join('\n'),
    );
    expect(show('d.json', 'kubectl describe netpol nope -n dev').stderr).toBe(
      'Error from server (NotFound): networkpolicies.networking.k8s.io "nope" not found\n',
    );
  });
});
