// NetworkPolicy validation: every bad field named with its value and the reason, as the API server refuses it.
import { describe, expect, it } from 'vitest';
import { parseLab } from '../../../shared-sim/src/model/parseLab';

function errors(spec: unknown, extra: Record<string, unknown> = {}): string[] {
  const r = parseLab({
    podpath: 1,
    networks: [{ name: 'lan', cidr: '192.168.1.0/24' }],
    nodes: [{ name: 'n1', network: 'lan', ip: '192.168.1.10' }],
    objects: [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'p', namespace: 'shop' },
        spec,
        ...extra,
      },
    ],
  });
  return r.ok ? [] : r.problems.filter((p) => p.severity === 'error').map((p) => p.message);
}

describe('NetworkPolicy validation', () => {
  it.each([
    [
      { podSelector: { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['a'] }] } },
      'objects[0].spec.podSelector.matchExpressions[0].operator Equals is not a valid selector operator (In, NotIn, Exists or DoesNotExist)',
    ],
    [
      { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] } },
      'objects[0].spec.podSelector.matchExpressions[0].values must not be empty when the operator is In',
    ],
    [
      { podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] } },
      'objects[0].spec.podSelector.matchExpressions[0].values ["x"] must be empty when the operator is Exists',
    ],
    [
      { podSelector: { matchLabels: { 'bad key!': 'x' } } },
      'objects[0].spec.podSelector.matchLabels bad key! is not a valid label key: letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
    ],
    [
      { podSelector: { matchLabels: { app: 'no spaces' } } },
      'objects[0].spec.podSelector.matchLabels.app no spaces is not a valid label value: letters, digits, "-", "_" and ".", starting and ending with a letter or digit (or empty)',
    ],
    [
      { podSelector: {}, policyTypes: ['Inbound'] },
      'objects[0].spec.policyTypes[0] Inbound is not a policy type (Ingress or Egress)',
    ],
    [
      { podSelector: {}, ingress: [{ ports: [{ port: 70000 }] }] },
      'objects[0].spec.ingress[0].ports[0].port 70000 is not a valid port number (1-65535)',
    ],
    [
      { podSelector: {}, ingress: [{ ports: [{ port: 'HTTP_PORT' }] }] },
      'objects[0].spec.ingress[0].ports[0].port HTTP_PORT is not a valid port name: lower-case letters, digits and "-"',
    ],
    [
      { podSelector: {}, ingress: [{ ports: [{ port: 8080, endPort: 8000 }] }] },
      'objects[0].spec.ingress[0].ports[0].endPort 8000 must be greater than or equal to port (8080)',
    ],
    [
      { podSelector: {}, ingress: [{ ports: [{ port: 'http', endPort: 8000 }] }] },
      'objects[0].spec.ingress[0].ports[0].endPort 8000 may not be given when port is a named port (http)',
    ],
    [
      { podSelector: {}, egress: [{ ports: [{ endPort: 8000 }] }] },
      'objects[0].spec.egress[0].ports[0].endPort 8000 may not be given without port (the first port of the range)',
    ],
    [
      { podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP' }] }] },
      'objects[0].spec.ingress[0].ports[0].protocol ICMP is not one of "TCP", "UDP", "SCTP"',
    ],
    [
      { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] },
      'objects[0].spec.ingress[0].from[0].ipBlock may not be combined with podSelector or namespaceSelector in the same peer (write them as separate peers)',
    ],
    [
      { podSelector: {}, ingress: [{ from: [{}] }] },
      'objects[0].spec.ingress[0].from[0] {} must name a peer: podSelector, namespaceSelector or ipBlock',
    ],
    [
      {
        podSelector: {},
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] } }] }],
      },
      'objects[0].spec.egress[0].to[0].ipBlock.except[0] 192.168.0.0/16 must be a strict subset of cidr 10.0.0.0/8',
    ],
    [
      { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] } }] }] },
      'objects[0].spec.egress[0].to[0].ipBlock.except[0] 10.0.0.0/8 must be a strict subset of cidr 10.0.0.0/8',
    ],
  ])('%j', (spec, message) => {
    expect(errors(spec)).toEqual([message]);
  });

  it('a wrong apiVersion', () => {
    expect(errors({ podSelector: {} }, { apiVersion: 'extensions/v1beta1' })).toEqual([
      'objects[0].apiVersion extensions/v1beta1 is not the NetworkPolicy API version (networking.k8s.io/v1)',
    ]);
  });

  it('a network-policy fault is validated like an object, and adds the policy', () => {
    const base = {
      podpath: 1,
      networks: [{ name: 'lan', cidr: '192.168.1.0/24' }],
      nodes: [{ name: 'n1', network: 'lan', ip: '192.168.1.10' }],
    };
    const bad = parseLab({ ...base, faults: [{ type: 'network-policy' }] });
    expect(bad.ok ? [] : bad.problems.map((p) => p.message)).toEqual([
      'faults[0].policy is missing: a network-policy fault carries a NetworkPolicy object',
    ]);
    const bad2 = parseLab({
      ...base,
      faults: [
        {
          type: 'network-policy',
          policy: {
            kind: 'NetworkPolicy',
            metadata: { name: 'd' },
            spec: { podSelector: {}, policyTypes: ['Sideways'] },
          },
        },
      ],
    });
    expect(bad2.ok ? [] : bad2.problems.map((p) => p.message)).toEqual([
      'faults[0].policy.spec.policyTypes[0] Sideways is not a policy type (Ingress or Egress)',
    ]);
    const good = parseLab({
      ...base,
      faults: [
        {
          type: 'network-policy',
          policy: {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'NetworkPolicy',
            metadata: { name: 'deny', namespace: 'shop' },
            spec: { podSelector: {} },
          },
        },
      ],
    });
    expect(
      good.ok && good.lab.networkPolicies.map((p) => [p.namespace, p.name, p.policyTypes, p.source]),
    ).toEqual([['shop', 'deny', ['Ingress'], 'faults[0].policy']]);
  });
});
