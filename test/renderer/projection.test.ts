import cytoscape from 'cytoscape';
import { describe, expect, it } from 'vitest';
import { patchCy } from '../../renderer/src/canvas/patchCy';
import { toElements, type ElementDef } from '../../renderer/src/canvas/toElements';
import { autoPositions } from '../../renderer/src/canvas/layout';
import { derive } from '../../renderer/src/model/derive';
import type { LabDoc } from '../../renderer/src/model/labDoc';
import {
  addDevice,
  addPod,
  addService,
  addNetworkPolicy,
  deleteElements,
  newLabDocument,
  setPodNode,
} from '../../renderer/src/model/ops';
import example from '../../assets/labs/flannel-vxlan-2node.podlab.json';

function lab(): LabDoc {
  let d = newLabDocument('t');
  d = addDevice(d, 'router', { network: 'lan', at: { x: 0, y: 500 } }).doc;
  d = addDevice(d, 'node', { network: 'lan', at: { x: -200, y: 200 } }).doc;
  d = addDevice(d, 'node', { network: 'lan', at: { x: 200, y: 200 } }).doc;
  d = addPod(d, { nodeName: 'node-1', at: { x: -200, y: 200 } }).doc;
  d = addPod(d, { nodeName: 'node-2', at: { x: 200, y: 200 } }).doc;
  return d;
}

const summary = (defs: ElementDef[]) =>
  defs.map((e) =>
    e.group === 'nodes'
      ? `${e.data.id}${e.data.parent ? ` in ${e.data.parent}` : ''} [${e.classes}]`
      : `${e.data.id} [${e.classes}]`,
  );

describe('model → cytoscape projection', () => {
  it('networks, devices with links, pods inside their node; pod IPs and subnets from the derived data', () => {
    const d = lab();
    const defs = toElements(d, derive(d, 1));
    expect(summary(defs)).toEqual([
      'network/lan [network]',
      'node/node-1 [node with-pods]',
      'node/node-2 [node with-pods]',
      'router/router-1 [router]',
      'pod/default/pod-1 in node/node-1 [pod]',
      'pod/default/pod-2 in node/node-2 [pod]',
      'link|node/node-1|lan [link]',
      'link|node/node-2|lan [link]',
      'link|router/router-1|lan [link]',
    ]);
    const byId = new Map(defs.map((e) => [e.data.id, e]));
    expect(byId.get('pod/default/pod-2')?.data.label).toBe('pod-2\n10.244.1.2');
    expect(byId.get('node/node-1')?.data.label).toBe('node-1\n192.168.1.10\npods 10.244.0.0/24');
    expect(byId.get('link|router/router-1|lan')?.data.label).toBe('192.168.1.1');
    // the bar reaches past the devices on both sides
    expect((byId.get('network/lan')?.data as { width: number }).width).toBe(2 * 600 + 240);
  });

  it('Services link to their endpoints, policies to the pods they select; problems become classes', () => {
    let d = lab();
    d = addService(d, { forPod: { kind: 'pod', namespace: 'default', name: 'pod-1' } }).doc;
    d = addNetworkPolicy(d, { forPod: { kind: 'pod', namespace: 'default', name: 'pod-2' } }).doc;
    d = { ...d, nodes: [...(d.nodes ?? []), { name: 'bad', network: 'lan', ip: '10.0.0.1' }] };
    const derived = derive(d, 2);
    expect(derived.valid).toBe(false);
    const ids = toElements(d, derived).map((e) => `${e.data.id} [${e.classes}]`);
    expect(ids).toContain('svc/default/pod-1-svc [svc]');
    expect(ids).toContain('netpol/default/pod-2-deny [netpol]');
    expect(ids).toContain('endpoint|svc/default/pod-1-svc|pod/default/pod-1 [endpoint]');
    expect(ids).toContain('policy|netpol/default/pod-2-deny|pod/default/pod-2 [policy]');
    expect(derived.problems.map((p) => p.message)).toContain(
      'nodes[2].ip 10.0.0.1 is not inside network lan 192.168.1.0/24',
    );
  });

  it('auto-layout places every element of an imported lab, deterministically', () => {
    const d = example as unknown as LabDoc;
    const derived = derive(d, 3);
    const a = autoPositions(d, derived, true);
    expect([...a.keys()].sort()).toEqual([
      'client/laptop',
      'network/lan',
      'network/outside',
      'node/node-1',
      'node/node-2',
      'pod/shop/api-1',
      'pod/shop/web-1',
      'pod/shop/web-2',
      'router/gw',
    ]);
    expect(autoPositions(d, derived, true)).toEqual(a);
    // hosts above their network's bar, the router between the two bars
    const y = (r: string) => a.get(r)?.y ?? NaN;
    expect(y('node/node-1')).toBeLessThan(y('network/lan'));
    expect(y('network/lan')).toBeLessThan(y('router/gw'));
    expect(y('router/gw')).toBeLessThan(y('network/outside'));
  });

  it('patches a long-lived headless cytoscape by id: adds, moves a pod between nodes, removes', () => {
    const cy = cytoscape({ headless: true, styleEnabled: false });
    let d = lab();
    let s = patchCy(cy, toElements(d, derive(d, 1)));
    expect(s).toEqual({ added: 9, removed: 0, updated: 0 });
    const pod = cy.getElementById('pod/default/pod-1');
    pod.addClass('pp-visited'); // a class the stepper put there
    expect(patchCy(cy, toElements(d, derive(d, 1)))).toEqual({ added: 0, removed: 0, updated: 0 });

    d = setPodNode(d, { kind: 'pod', namespace: 'default', name: 'pod-1' }, 'node-2');
    s = patchCy(cy, toElements(d, derive(d, 2)));
    expect(cy.getElementById('pod/default/pod-1').parent().first().id()).toBe('node/node-2');
    expect(cy.getElementById('node/node-1').hasClass('with-pods')).toBe(false);
    expect(s.added).toBe(0);

    d = deleteElements(d, [{ kind: 'node', name: 'node-2' }]).doc;
    s = patchCy(cy, toElements(d, derive(d, 3)));
    expect(
      cy
        .nodes()
        .map((n) => n.id())
        .sort(),
    ).toEqual(['network/lan', 'node/node-1', 'router/router-1']);
    expect(
      cy
        .edges()
        .map((n) => n.id())
        .sort(),
    ).toEqual(['link|node/node-1|lan', 'link|router/router-1|lan']);
    expect(s.removed).toBe(4); // node-2, its link, and the two pods now on it
    cy.destroy();
  });

  it('a pod with a Service edge moves to another node (cytoscape re-creates it with its edges)', () => {
    const cy = cytoscape({ headless: true, styleEnabled: false });
    let d = addService(lab(), { forPod: { kind: 'pod', namespace: 'default', name: 'pod-1' } }).doc;
    patchCy(cy, toElements(d, derive(d, 1)));
    expect(cy.edges('.endpoint').map((e) => e.id())).toEqual([
      'endpoint|svc/default/pod-1-svc|pod/default/pod-1',
    ]);
    d = setPodNode(d, { kind: 'pod', namespace: 'default', name: 'pod-1' }, 'node-2');
    patchCy(cy, toElements(d, derive(d, 2)));
    expect(cy.getElementById('pod/default/pod-1').parent().first().id()).toBe('node/node-2');
    expect(cy.edges('.endpoint').map((e) => e.id())).toEqual([
      'endpoint|svc/default/pod-1-svc|pod/default/pod-1',
    ]);
    cy.destroy();
  });

  it('the stepper’s classes survive a patch that changes the model classes', () => {
    const cy = cytoscape({ headless: true, styleEnabled: false });
    const d = lab();
    patchCy(cy, toElements(d, derive(d, 1)));
    cy.getElementById('node/node-1').addClass('pp-current');
    const broken: LabDoc = {
      ...d,
      nodes: d.nodes?.map((n, i) => (i === 0 ? { ...n, gateway: '10.9.9.9' } : n)),
    };
    patchCy(cy, toElements(broken, derive(broken, 2)));
    expect(cy.getElementById('node/node-1').classes()).toEqual([
      'node',
      'with-pods',
      'pp-current',
      'has-error',
    ]);
    patchCy(cy, toElements(d, derive(d, 3)));
    expect(cy.getElementById('node/node-1').classes()).toEqual(['node', 'with-pods', 'pp-current']);
    cy.destroy();
  });
});
