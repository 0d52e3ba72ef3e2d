import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { alignSteps, summarize, stepKey } from '../../../renderer/src/compare/align';
import { applyVariant, currentSettings, variantLabel } from '../../../renderer/src/compare/variant';
import { SimCore } from '../../../renderer/src/worker/simCore';
import type { Phase, Step } from '../../../renderer/src/worker/protocol';

const VXLAN = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../../assets/labs/flannel-vxlan-2node.podlab.json'), 'utf8'),
) as Record<string, unknown>;

function step(index: number, phase: Phase, host: string, stage: Step['hop']['stage'], rule?: string): Step {
  return {
    index,
    phase,
    hopIndex: index,
    hop: { host, stage, detail: '', layers: [], ...(rule ? { rule } : {}) },
  };
}

describe('alignSteps', () => {
  it('pairs hops at the same host and stage, and marks hops only one side has', () => {
    const left = [
      step(0, 'request', 'node/a', 'route'),
      step(1, 'request', 'node/a', 'encap'),
      step(2, 'request', 'node/a', 'tx'),
      step(3, 'request', 'node/b', 'decap'),
      step(4, 'request', 'node/b', 'deliver'),
    ];
    const right = [
      step(0, 'request', 'node/a', 'route', '10.244.1.0/24 via 192.168.1.11 dev eth0'),
      step(1, 'request', 'node/a', 'tx'),
      step(2, 'request', 'node/b', 'deliver'),
    ];
    const rows = alignSteps(left, right);
    expect(rows.map((r) => [r.left?.index ?? null, r.right?.index ?? null, r.marks])).toEqual([
      [0, 0, ['rule']],
      [1, null, ['only-left']],
      [2, 1, []],
      [3, null, ['only-left']],
      [4, 2, []],
    ]);
  });

  it('never pairs a request hop with a reply hop', () => {
    const rows = alignSteps([step(0, 'request', 'node/a', 'tx')], [step(0, 'reply', 'node/a', 'tx')]);
    expect(rows.map((r) => r.marks)).toEqual([['only-left'], ['only-right']]);
    expect(stepKey(step(0, 'reply', 'node/a', 'tx'))).toBe('reply|node/a|tx');
  });
});

describe('variants', () => {
  it('changes only the CNI or kube-proxy settings, and drops the old plugin VXLAN defaults', () => {
    const doc = {
      ...VXLAN,
      cluster: { cni: { plugin: 'flannel', mode: 'vxlan', vxlan: { vni: 1, port: 8472 } } },
    };
    expect(applyVariant(doc, { cni: { plugin: 'flannel', mode: 'host-gw' } })).toEqual({
      ...doc,
      cluster: { cni: { plugin: 'flannel', mode: 'host-gw', vxlan: { vni: 1, port: 8472 } } },
    });
    expect(
      (applyVariant(doc, { cni: { plugin: 'calico', mode: 'vxlan' } }) as typeof doc).cluster.cni,
    ).toEqual({
      plugin: 'calico',
      mode: 'vxlan',
    });
    expect(currentSettings(applyVariant(doc, { kubeProxy: { mode: 'ipvs' } }))).toEqual({
      cni: { plugin: 'flannel', mode: 'vxlan' },
      kubeProxy: { mode: 'ipvs' },
    });
    expect(variantLabel(doc, { cni: { plugin: 'calico', mode: 'ipip', crossSubnet: true } })).toBe(
      'calico ipip CrossSubnet · kube-proxy iptables',
    );
    expect(doc.cluster.cni.mode).toBe('vxlan');
  });
});

describe('compare Flannel VXLAN with host-gw (worker)', () => {
  const core = new SimCore();
  const res = core.handle({
    id: 1,
    kind: 'compare',
    lab: { key: 'v', doc: VXLAN },
    probe: { from: 'shop/web-1', to: 'shop/api-1', port: 8080 },
    variants: [
      { cni: { plugin: 'flannel', mode: 'vxlan' } },
      { cni: { plugin: 'flannel', mode: 'host-gw' } },
    ],
  });
  if (!res.ok || res.kind !== 'compare') throw new Error('compare failed');
  const [l, r] = res.value;
  const left = l.result;
  const right = r.result;
  if (!left || !right) throw new Error('a side failed');

  it('labels the sides', () => {
    expect([l.label, r.label]).toEqual([
      'flannel vxlan · kube-proxy iptables',
      'flannel host-gw · kube-proxy iptables',
    ]);
  });

  it('marks the VXLAN encap and decap hops as only on the VXLAN side', () => {
    const rows = alignSteps(left.steps, right.steps);
    const onlyLeft = rows
      .filter((x) => x.marks.includes('only-left'))
      .map((x) => `${x.left?.hop.host} ${x.left?.hop.stage}`);
    expect(onlyLeft).toContain('node/node-1 encap');
    expect(onlyLeft).toContain('node/node-2 decap');
    expect(rows.filter((x) => x.marks.includes('only-right'))).toHaveLength(
      right.steps.length - rows.filter((x) => x.left && x.right).length,
    );
    // the route that decides differs: via flannel.1 onlink vs via the other node's address on eth0
    const route = rows.find(
      (x) => x.left?.hop.host === 'node/node-1' && x.left.hop.stage === 'route' && x.right,
    );
    expect(route?.marks).toContain('rule');
    expect(route?.left?.hop.rule).toBe('10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink');
    expect(route?.right?.hop.rule).toBe('10.244.1.0/24 via 192.168.1.11 dev eth0');
    // the pod's eth0 MTU: 1450 under VXLAN, 1500 under host-gw
    const podTx = rows.find((x) => x.left?.hop.host === 'pod/shop/web-1' && x.left.hop.stage === 'tx');
    expect(podTx?.marks).toContain('mtu');
    expect([podTx?.left?.mtu, podTx?.right?.mtu]).toEqual([1450, 1500]);
  });

  it('summarizes verdicts, encapsulation, the wire headers and the path MTU', () => {
    expect(summarize(left, right)).toEqual([
      { key: 'verdict', left: 'delivered', right: 'delivered', differs: false },
      { key: 'deliveredTo', left: 'pod/shop/api-1', right: 'pod/shop/api-1', differs: false },
      {
        key: 'hops',
        left: `${left.trace.hops.length} + ${left.trace.reply?.hops.length}`,
        right: `${right.trace.hops.length} + ${right.trace.reply?.hops.length}`,
        differs: true,
      },
      { key: 'encap', left: 'VXLAN VNI 1, UDP 8472', right: 'none', differs: true },
      {
        key: 'wire',
        left: 'Ethernet › IPv4 › UDP › VXLAN › Ethernet › IPv4 › TCP',
        right: 'Ethernet › IPv4 › TCP',
        differs: true,
      },
      { key: 'pathMtu', left: '1450', right: '1500', differs: true },
    ]);
  });

  it('compiles each side once and reuses them', () => {
    const before = core.compiles;
    core.handle({
      id: 2,
      kind: 'compare',
      lab: { key: 'v' },
      probe: { from: 'shop/web-1', to: 'shop/api-1', port: 8080, proto: 'udp' },
      variants: [
        { cni: { plugin: 'flannel', mode: 'vxlan' } },
        { cni: { plugin: 'flannel', mode: 'host-gw' } },
      ],
    });
    expect(core.compiles).toBe(before);
  });
});

describe('compare Flannel VXLAN with Calico IPIP and Calico BGP (worker)', () => {
  it('summarizes IP-in-IP (MTU 1480) and plain routing (no encapsulation, MTU 1500)', () => {
    const core = new SimCore();
    const probe = { from: 'shop/web-1', to: 'shop/api-1', port: 8080 };
    const base = { cni: { plugin: 'flannel', mode: 'vxlan' } } as const;
    const rows = (variant: { cni: { plugin: 'calico'; mode: string } }) => {
      const res = core.handle({
        id: 1,
        kind: 'compare',
        lab: { key: 'v', doc: VXLAN },
        probe,
        variants: [base, variant],
      });
      if (!res.ok || res.kind !== 'compare') throw new Error('compare failed');
      const [a, b] = res.value;
      if (!a.result || !b.result) throw new Error(b.error?.message ?? 'a side failed');
      return Object.fromEntries(summarize(a.result, b.result).map((x) => [x.key, x.right]));
    };
    expect(rows({ cni: { plugin: 'calico', mode: 'ipip' } })).toMatchObject({
      verdict: 'delivered',
      encap: 'IP-in-IP',
      wire: 'Ethernet › IPv4 › IPv4 › TCP',
      pathMtu: '1480',
    });
    expect(rows({ cni: { plugin: 'calico', mode: 'bgp' } })).toMatchObject({
      verdict: 'delivered',
      encap: 'none',
      wire: 'Ethernet › IPv4 › TCP',
      pathMtu: '1500',
    });
  });
});
