import { describe, expect, it } from 'vitest';
import { parseLab } from '../../shared-sim/src/index';
import {
  nameProblem,
  nextFreeAddress,
  nextFreeSubnet,
  uniqueName,
  type LabDoc,
} from '../../renderer/src/model/labDoc';
import {
  addDevice,
  addNetwork,
  addNetworkPolicy,
  addPod,
  addService,
  connect,
  copyElements,
  deleteElements,
  disconnect,
  newLabDocument,
  paste,
  renameElement,
  setCni,
  setPodNode,
  setPositions,
} from '../../renderer/src/model/ops';

/** Two nodes, a router and two pods, built the way the palette builds them. */
function twoNodeLab(): LabDoc {
  let d = newLabDocument('t');
  d = addDevice(d, 'router', { network: 'lan', at: { x: 0, y: 100 } }).doc;
  d = addDevice(d, 'node', { network: 'lan', at: { x: -200, y: -100 } }).doc;
  d = addDevice(d, 'node', { network: 'lan', at: { x: 200, y: -100 } }).doc;
  d = addPod(d, { nodeName: 'node-1' }).doc;
  d = addPod(d, { nodeName: 'node-2' }).doc;
  return d;
}

function valid(d: LabDoc): void {
  const r = parseLab(d);
  expect(r.ok ? [] : r.problems.map((p) => p.message)).toEqual([]);
}

describe('document operations', () => {
  it('builds a valid lab from palette inserts: addresses, gateway, pods on nodes', () => {
    const d = twoNodeLab();
    expect(d.routers).toEqual([{ name: 'router-1', interfaces: [{ network: 'lan', ip: '192.168.1.1' }] }]);
    expect(d.nodes).toEqual([
      { name: 'node-1', network: 'lan', ip: '192.168.1.10', gateway: '192.168.1.1' },
      { name: 'node-2', network: 'lan', ip: '192.168.1.11', gateway: '192.168.1.1' },
    ]);
    expect(d.objects?.map((o) => [o.metadata?.name, o.spec?.['nodeName']])).toEqual([
      ['pod-1', 'node-1'],
      ['pod-2', 'node-2'],
    ]);
    expect(d.layout).toEqual({
      'network/lan': { x: 400, y: 420 },
      'router/router-1': { x: 0, y: 100 },
      'node/node-1': { x: -200, y: -100 },
      'node/node-2': { x: 200, y: -100 },
    });
    valid(d);
  });

  it('adds a network with the next free /24 when a device is added to a lab without networks', () => {
    const empty: LabDoc = { podpath: 1, name: 'x' };
    const r = addDevice(empty, 'node', { at: { x: 10, y: 10 } });
    expect(r.created).toEqual([
      { kind: 'network', name: 'net-1' },
      { kind: 'node', name: 'node-1' },
    ]);
    expect(r.doc.networks).toEqual([{ name: 'net-1', cidr: '192.168.1.0/24', mtu: 1500 }]);
    expect(nextFreeSubnet(r.doc)).toBe('192.168.2.0/24');
    valid(r.doc);
  });

  it('never shares an address: routers from .1, nodes from .10, clients from .100', () => {
    let d = newLabDocument('t');
    d = addDevice(d, 'client', { network: 'lan' }).doc;
    d = addDevice(d, 'router', { network: 'lan' }).doc;
    d = addDevice(d, 'router', { network: 'lan' }).doc;
    expect(nextFreeAddress(d, 'lan', 'node')).toBe('192.168.1.10');
    expect(d.clients?.[0]?.ip).toBe('192.168.1.100');
    expect(d.routers?.map((r) => r.interfaces?.[0]?.ip)).toEqual(['192.168.1.1', '192.168.1.2']);
  });

  it('connecting a router to a second network adds an interface with the next free address', () => {
    let d = twoNodeLab();
    d = addNetwork(d).doc;
    d = connect(d, { kind: 'router', name: 'router-1' }, 'net-1');
    expect(d.routers?.[0]?.interfaces).toEqual([
      { network: 'lan', ip: '192.168.1.1' },
      { network: 'net-1', ip: '192.168.2.1' },
    ]);
    expect(connect(d, { kind: 'router', name: 'router-1' }, 'net-1')).toBe(d); // already there
    d = disconnect(d, 'router-1', 'lan');
    expect(d.routers?.[0]?.interfaces).toEqual([{ network: 'net-1', ip: '192.168.2.1' }]);
    expect(disconnect(d, 'router-1', 'net-1')).toBe(d); // a router keeps one interface
    valid(d);
  });

  it('moving a pod to another node sets spec.nodeName and drops a fixed podIP', () => {
    let d = twoNodeLab();
    d = setPodNode(d, { kind: 'pod', namespace: 'default', name: 'pod-1' }, 'node-2');
    expect(d.objects?.[0]?.spec?.['nodeName']).toBe('node-2');
    const withIp: LabDoc = {
      ...d,
      objects: [{ ...d.objects![0]!, status: { podIP: '10.244.1.9', phase: 'Running' } }, d.objects![1]!],
    };
    const moved = setPodNode(withIp, { kind: 'pod', namespace: 'default', name: 'pod-1' }, 'node-1');
    expect(moved.objects?.[0]?.status).toEqual({ phase: 'Running' });
  });

  it('renames a node everywhere it is referenced', () => {
    let d = twoNodeLab();
    d = {
      ...d,
      cluster: {
        ...d.cluster,
        cni: {
          plugin: 'calico',
          mode: 'bgp',
          bgp: { topology: 'route-reflector', routeReflectors: ['node-1'] },
        },
      },
    };
    d = { ...d, faults: [{ type: 'kube-proxy-down', node: 'node-1' }] };
    const r = renameElement(d, { kind: 'node', name: 'node-1' }, 'worker-a');
    expect(r.created).toEqual([{ kind: 'node', name: 'worker-a' }]);
    expect(r.doc.nodes?.[0]?.name).toBe('worker-a');
    expect(r.doc.objects?.[0]?.spec?.['nodeName']).toBe('worker-a');
    expect((r.doc.cluster?.['cni'] as { bgp: unknown }).bgp).toEqual({
      topology: 'route-reflector',
      routeReflectors: ['worker-a'],
    });
    expect(r.doc.faults).toEqual([{ type: 'kube-proxy-down', node: 'worker-a' }]);
    expect(r.doc.layout?.['node/worker-a']).toEqual({ x: -200, y: -100 });
    expect(r.doc.layout?.['node/node-1']).toBeUndefined();
    valid(r.doc);
  });

  it('renames a network in interfaces, hosts and layout', () => {
    const r = renameElement(twoNodeLab(), { kind: 'network', name: 'lan' }, 'rack-a');
    expect(r.doc.routers?.[0]?.interfaces).toEqual([{ network: 'rack-a', ip: '192.168.1.1' }]);
    expect(r.doc.nodes?.map((n) => n.network)).toEqual(['rack-a', 'rack-a']);
    expect(r.doc.layout?.['network/rack-a']).toEqual({ x: 400, y: 420 });
    valid(r.doc);
  });

  it('deleting a node deletes its pods; deleting the network deletes what hangs on it', () => {
    const d = twoNodeLab();
    const a = deleteElements(d, [{ kind: 'node', name: 'node-1' }]);
    expect(a.removed.map((x) => `${x.kind}/${x.name}`)).toEqual(['node/node-1', 'pod/pod-1']);
    expect(a.doc.objects?.map((o) => o.metadata?.name)).toEqual(['pod-2']);
    expect(a.doc.layout?.['node/node-1']).toBeUndefined();
    valid(a.doc);
    const b = deleteElements(d, [{ kind: 'network', name: 'lan' }]);
    expect(b.doc.nodes).toEqual([]);
    expect(b.doc.routers).toEqual([]);
    expect(b.doc.objects).toEqual([]);
    expect(b.removed).toHaveLength(6);
    valid(b.doc);
  });

  it('copy and paste give fresh names, addresses and positions; pods follow their pasted node', () => {
    const d = twoNodeLab();
    const clip = copyElements(d, [{ kind: 'node', name: 'node-1' }]);
    expect(clip.items.map((i) => i.kind)).toEqual(['node', 'pod']);
    const r = paste(d, clip, { x: 40, y: 40 });
    expect(r.created).toEqual([
      { kind: 'node', name: 'node-3' },
      { kind: 'pod', namespace: 'default', name: 'pod-3' },
    ]);
    expect(r.doc.nodes?.[2]).toEqual({
      name: 'node-3',
      network: 'lan',
      ip: '192.168.1.12',
      gateway: '192.168.1.1',
    });
    expect(r.doc.objects?.[2]?.spec?.['nodeName']).toBe('node-3');
    expect(r.doc.layout?.['node/node-3']).toEqual({ x: -160, y: -60 });
    valid(r.doc);
  });

  it('Services select the pod they are dropped on; policies deny ingress to it', () => {
    let d = twoNodeLab();
    d = addService(d, { forPod: { kind: 'pod', namespace: 'default', name: 'pod-2' } }).doc;
    d = addNetworkPolicy(d, { forPod: { kind: 'pod', namespace: 'default', name: 'pod-2' } }).doc;
    expect(d.objects?.[2]).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'pod-2-svc', namespace: 'default' },
      spec: {
        type: 'ClusterIP',
        selector: { app: 'pod-2' },
        ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      },
    });
    expect(d.objects?.[3]?.spec).toEqual({
      podSelector: { matchLabels: { app: 'pod-2' } },
      policyTypes: ['Ingress'],
      ingress: [],
    });
    valid(d);
  });

  it('switching the CNI plugin drops the other plugin’s VXLAN defaults', () => {
    let d = twoNodeLab();
    d = {
      ...d,
      cluster: { ...d.cluster, cni: { plugin: 'flannel', mode: 'vxlan', vxlan: { vni: 1, port: 8472 } } },
    };
    expect(setCni(d, 'flannel', 'host-gw').cluster?.['cni']).toEqual({
      plugin: 'flannel',
      mode: 'host-gw',
      vxlan: { vni: 1, port: 8472 },
    });
    expect(setCni(d, 'calico', 'vxlan').cluster?.['cni']).toEqual({ plugin: 'calico', mode: 'vxlan' });
  });

  it('positions are rounded and an unchanged position keeps the document', () => {
    const d = twoNodeLab();
    const moved = setPositions(d, { 'node/node-1': { x: 10.4, y: 20.6 } });
    expect(moved.layout?.['node/node-1']).toEqual({ x: 10, y: 21 });
    expect(setPositions(moved, { 'node/node-1': { x: 10, y: 21 } })).toBe(moved);
  });

  it('names: unique suffixes and the validator’s name rules', () => {
    expect(uniqueName(new Set(['node-1', 'node-2']), 'node-1')).toBe('node-3');
    expect(uniqueName(new Set(), 'web')).toBe('web');
    expect(uniqueName(new Set(['web']), 'web')).toBe('web-1');
    const d = twoNodeLab();
    expect(nameProblem(d, { kind: 'node', name: 'node-1' }, 'node-2')).toBe('taken');
    expect(nameProblem(d, { kind: 'node', name: 'node-1' }, 'bad name')).toBe('elementName');
    expect(nameProblem(d, { kind: 'pod', namespace: 'default', name: 'pod-1' }, 'Pod_1')).toBe('kubeName');
    expect(nameProblem(d, { kind: 'node', name: 'node-1' }, 'node-1')).toBeUndefined();
  });
});
