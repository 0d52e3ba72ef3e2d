/**
 * Cluster DNS: the resolver's search list, the query walked as a real UDP packet through
 * kube-proxy to a CoreDNS pod, and the answers CoreDNS gives.
 */
import { describe, expect, it } from 'vitest';
import { resolveByDns, resolveTarget } from '../../shared-sim/src/index';
import { compileLab, flannelLab, node, pod, type LabJson } from '../fixtures/labBuilder';

function dnsLab(faults: LabJson['faults'] = []): LabJson {
  const lab = flannelLab({
    mode: 'vxlan',
    nodes: [
      node('node-1', '192.168.1.10', { gateway: '192.168.1.1' }),
      node('node-2', '192.168.1.11', { gateway: '192.168.1.1' }),
    ],
    pods: [
      pod('shop/web-1', 'node-1', { labels: { app: 'web' } }),
      pod('shop/api-1', 'node-2', { ports: [8080], labels: { app: 'api' } }),
      pod('shop/db-0', 'node-2', { ports: [5432], labels: { app: 'db' } }),
    ],
    faults,
  });
  (lab.cluster as Record<string, unknown>)['coredns'] = { nodes: ['node-2'] };
  const svc = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'shop' },
    spec,
  });
  lab.objects.push(
    svc('api', { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080 }] }),
    svc('db', { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] }),
    svc('ext', { type: 'ExternalName', externalName: 'example.org' }),
  );
  return lab;
}

describe('cluster DNS through CoreDNS', () => {
  const world = compileLab(dnsLab());
  const api = world.services.services.find((s) => s.name === 'api');

  it('a short name is tried with the first search domain, and the query really reaches a CoreDNS pod', () => {
    const d = resolveByDns(world, 'pod/shop/web-1', 'api');
    expect(d.method).toBe('coredns');
    expect(d.nameserver).toBe('10.96.0.10');
    expect(d.search).toEqual(['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local']);
    expect(d.queries).toHaveLength(1);
    expect(d.queries[0]).toMatchObject({
      name: 'api.shop.svc.cluster.local',
      rcode: 'NOERROR',
      answer: api?.clusterIP,
    });
    expect(d.queries[0]?.server).toMatch(/^pod\/kube-system\/coredns-/);
    const dnat = d.walk?.hops.find((h) => h.stage === 'netfilter' && h.detail.includes('DNAT'));
    expect(dnat?.detail).toContain('KUBE-SVC-');
    expect(d.walk?.reply?.verdict).toBe('delivered');
  });

  it('name.namespace walks the search list: NXDOMAIN first, then the answer', () => {
    const d = resolveByDns(world, 'pod/shop/web-1', 'api.shop');
    expect(d.queries.map((q) => `${q.name} ${q.rcode}`)).toEqual([
      'api.shop.shop.svc.cluster.local NXDOMAIN',
      'api.shop.svc.cluster.local NOERROR',
    ]);
    expect(d.address).toBe(api?.clusterIP);
  });

  it('a headless Service answers with a pod IP; an ExternalName with a CNAME', () => {
    const db = world.services.endpoints.get('shop/db')?.slices[0]?.endpoints[0]?.ip;
    expect(db).toBe('10.244.1.3');
    expect(resolveByDns(world, 'pod/shop/web-1', 'db').address).toBe(db);
    const ext = resolveByDns(world, 'pod/shop/web-1', 'ext');
    expect(ext.queries[0]?.answer).toBe('CNAME example.org.');
    expect(ext.error).toContain('a name outside the lab');
  });

  it('a node resolves through systemd-resolved, which knows no cluster names', () => {
    const d = resolveByDns(world, 'node/node-1', 'api.shop.svc.cluster.local');
    expect(d.method).toBe('host');
    expect(d.address).toBeUndefined();
  });

  it('trace --to NAME carries the resolution', () => {
    const p = resolveTarget(world, { from: 'shop/web-1', to: 'api', port: 80, proto: 'tcp' });
    expect(p.ok && p.dns?.address).toBe(api?.clusterIP);
  });

  it('coredns-down: the query is rejected (kube-dns has no endpoints) and resolution fails', () => {
    const down = compileLab(dnsLab([{ type: 'coredns-down' }]));
    const d = resolveByDns(down, 'pod/shop/web-1', 'api');
    expect(d.queries[0]?.rcode).toBe('UNREACHABLE');
    expect(d.error).toBe(
      'Could not resolve host: api (10.96.0.10 answered ICMP port unreachable: Temporary failure in name resolution)',
    );
  });
});
