// `podpath reach` and NetworkPolicy in traces: the same lab and policies on Flannel (not enforced:
// warnings, traffic flows) and on Calico (dropped at the destination's cali interface, policy named).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run';

const LABS = path.resolve(__dirname, '../../../assets/labs');
const CALICO = path.join(LABS, 'netpol-calico-deny.podlab.json');
const FLANNEL = path.join(LABS, 'netpol-flannel-deny.podlab.json');

const files: Record<string, string> = {};
const io = {
  readFile: (p: string) => files[p] ?? readFileSync(p, 'utf8'),
  now: () => 0,
};
const run = (...argv: string[]) => runCli(argv, io);

interface TraceJson {
  verdict: string;
  reason: string;
  hops: { host: string; iface?: string; stage: string; rule?: string; policy?: Record<string, unknown> }[];
  reply?: TraceJson;
}

describe('podpath reach', () => {
  it('Calico: the matrix with the policies enforced', () => {
    const r = run('reach', CALICO, '--port', '8080');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatchInlineSnapshot(`
      "reachability for TCP 8080: 3 pods, rows = from, columns = to; 2 NetworkPolicies enforced by Calico

                    1 2 3
      1  shop/web   ✓ ✓ ✓
      2  shop/api   ✗ ✓ ✓
      3  dev/debug  ✗ ✗ ✓

      ✓ connects (6)   ✗ denied by NetworkPolicy (3)   # not delivered by the data plane (0)   r delivered, nothing listens on TCP 8080 (0)   - pod has no network (0)
      "
    `);
  });

  it('--json has the CONTRACT shape', () => {
    const r = run('reach', CALICO, '--port', '8080', '--json');
    expect(JSON.parse(r.stdout)).toEqual({
      port: 8080,
      proto: 'tcp',
      pods: ['shop/web', 'shop/api', 'dev/debug'],
      allowed: {
        'shop/web': { 'shop/web': true, 'shop/api': true, 'dev/debug': true },
        'shop/api': { 'shop/web': false, 'shop/api': true, 'dev/debug': true },
        'dev/debug': { 'shop/web': false, 'shop/api': false, 'dev/debug': true },
      },
    });
  });

  it('Flannel: the same policies are not enforced; warnings name each one; everything connects', () => {
    const r = run('reach', FLANNEL, '--port', '8080');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatchInlineSnapshot(`
      "podpath: warning: NetworkPolicy shop/default-deny-ingress is not enforced: Flannel does not implement NetworkPolicy, so traffic flows as if the policy did not exist (enforcing needs a policy engine beside it, e.g. Calico as Canal, or kube-network-policies)
      podpath: warning: NetworkPolicy shop/api-from-web is not enforced: Flannel does not implement NetworkPolicy, so traffic flows as if the policy did not exist (enforcing needs a policy engine beside it, e.g. Calico as Canal, or kube-network-policies)
      "
    `);
    expect(r.stdout).toMatchInlineSnapshot(`
      "reachability for TCP 8080: 3 pods, rows = from, columns = to; 2 NetworkPolicies NOT enforced (Flannel does not implement NetworkPolicy)

                    1 2 3
      1  shop/web   ✓ ✓ ✓
      2  shop/api   ✓ ✓ ✓
      3  dev/debug  ✓ ✓ ✓

      ✓ connects (9)   ✗ denied by NetworkPolicy (0)   # not delivered by the data plane (0)   r delivered, nothing listens on TCP 8080 (0)   - pod has no network (0)
      "
    `);
    const v = run('validate', FLANNEL);
    expect(v.stdout).toContain(
      'warning: NetworkPolicy shop/api-from-web is not enforced: Flannel does not implement NetworkPolicy, so traffic flows as if the policy did not exist',
    );
  });

  it('a port nothing listens on is marked refused, and UDP has its own answer', () => {
    const r = run('reach', CALICO, '--port', '9000', '--proto', 'udp');
    expect(r.stdout).toMatchInlineSnapshot(`
      "reachability for UDP 9000: 3 pods, rows = from, columns = to; 2 NetworkPolicies enforced by Calico

                    1 2 3
      1  shop/web   r ✗ r
      2  shop/api   ✗ r r
      3  dev/debug  ✗ ✗ r

      ✓ connects (0)   ✗ denied by NetworkPolicy (4)   # not delivered by the data plane (0)   r delivered, nothing listens on UDP 9000 (5)   - pod has no network (0)
      "
    `);
  });

  it('--explain names the policies that isolate the pod and the Calico chain that dropped', () => {
    const r = run('reach', CALICO, '--explain', 'dev/debug', 'shop/api', '--port', '8080');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchInlineSnapshot(`
      "dev/debug → shop/api TCP 8080: not allowed — shop/api is isolated for ingress by shop/api-from-web, shop/default-deny-ingress and no ingress rule allows TCP 8080 from pod dev/debug
        data plane: the data plane delivers TCP 8080 from dev/debug (10.244.0.2) to shop/api (10.244.0.65) and the answer comes back
        egress at dev/debug: allowed — no NetworkPolicy selects dev/debug for egress: it is not isolated
        ingress at shop/api: DENIED — shop/api is isolated for ingress by shop/api-from-web, shop/default-deny-ingress and no ingress rule allows TCP 8080 from pod dev/debug
        node/node-1 cali8f1c21974c5: filter FORWARD → cali-FORWARD → cali-from-wl-dispatch → cali-fw-cali8f1c21974c5 → cali-pro-kns.dev: ACCEPT (TCP 8080 from dev/debug: no NetworkPolicy selects dev/debug for egress, so the namespace profile accepts)
            -A cali-pro-kns.dev -m comment --comment "Profile kns.dev egress" -j MARK --set-xmark 0x10000/0x10000
        node/node-2 cali50d8cbfc60a: filter FORWARD → cali-FORWARD → cali-to-wl-dispatch → cali-tw-cali50d8cbfc60a → cali-pi-_hACpBY1ua9LKX_Jf4Fy → cali-pi-_vY1mYMQZ7Pv_1K4klQK: DROP (TCP 8080 to shop/api: shop/api is isolated for ingress by shop/api-from-web, shop/default-deny-ingress and no rule matched)
            -A cali-tw-cali50d8cbfc60a -m comment --comment "Drop if no policies passed packet" -m mark --mark 0x0/0x20000 -j DROP
        trace: dropped — dropped by Calico on node/node-2 (cali-tw-cali50d8cbfc60a: no policy allowed it): shop/api is isolated for ingress by NetworkPolicy shop/api-from-web, shop/default-deny-ingress, and no ingress rule allows TCP 8080 from pod dev/debug
      "
    `);
  });

  it('--explain of an allowed pair names the policy and rule; --json carries them', () => {
    const r = run('reach', CALICO, '--explain', 'shop/web', 'pod/shop/api', '--port', '8080', '--json');
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(j['allowed']).toBe(true);
    expect(j['ingress']).toEqual({
      pod: 'shop/api',
      allowed: true,
      isolatedBy: ['shop/api-from-web', 'shop/default-deny-ingress'],
      policy: 'shop/api-from-web',
      rule: 0,
      reason: 'allowed by NetworkPolicy shop/api-from-web ingress[0]',
    });
    expect(j['egress']).toEqual({
      pod: 'shop/web',
      allowed: true,
      isolatedBy: [],
      reason: 'no NetworkPolicy selects shop/web for egress: it is not isolated',
    });
  });

  it('bad arguments are usage errors', () => {
    expect(run('reach', CALICO, '--proto', 'icmp').stderr).toBe(
      'podpath: --proto icmp is not one of tcp, udp, sctp (reach probes connections between pods)\nRun "podpath --help" for usage.\n',
    );
    expect(run('reach', CALICO, '--explain', 'dev/debug').stderr).toBe(
      'podpath: --explain needs FROM and TO (two pods)\nRun "podpath --help" for usage.\n',
    );
    expect(run('reach', CALICO, '--explain', 'dev/nope', 'shop/api').stderr).toBe(
      'podpath: --explain dev/nope: there is no pod dev/nope in this lab\nRun "podpath --help" for usage.\n',
    );
    expect(run('reach', CALICO, 'extra').code).toBe(1);
  });
});

describe('NetworkPolicy in the packet walk', () => {
  it('Calico drops at the destination pod cali interface, after the Service DNAT, naming the policies', () => {
    const r = run('trace', CALICO, '--from', 'dev/debug', '--to', 'svc/shop/api', '--port', '80', '--json');
    const t = JSON.parse(r.stdout) as TraceJson;
    expect(t.verdict).toBe('dropped');
    expect(t.reason).toBe(
      'dropped by Calico on node/node-2 (cali-tw-cali50d8cbfc60a: no policy allowed it): shop/api is isolated for ingress by NetworkPolicy shop/api-from-web, shop/default-deny-ingress, and no ingress rule allows TCP 8080 from pod dev/debug',
    );
    const last = t.hops[t.hops.length - 1];
    expect(last?.host).toBe('node/node-2');
    expect(last?.iface).toBe('cali50d8cbfc60a');
    expect(last?.stage).toBe('netfilter');
    expect(last?.rule).toBe(
      '-A cali-tw-cali50d8cbfc60a -m comment --comment "Drop if no policies passed packet" -m mark --mark 0x0/0x20000 -j DROP',
    );
    expect(last?.policy).toEqual({
      direction: 'ingress',
      pod: 'shop/api',
      verdict: 'drop',
      isolatedBy: ['shop/api-from-web', 'shop/default-deny-ingress'],
      chains: [
        'FORWARD',
        'cali-FORWARD',
        'cali-to-wl-dispatch',
        'cali-tw-cali50d8cbfc60a',
        'cali-pi-_hACpBY1ua9LKX_Jf4Fy',
        'cali-pi-_vY1mYMQZ7Pv_1K4klQK',
      ],
    });
  });

  it('Calico accepts by the allowing rule, and the reply passes as ESTABLISHED', () => {
    const t = JSON.parse(
      run('trace', CALICO, '--from', 'shop/web', '--to', 'svc/shop/api', '--port', '80', '--json').stdout,
    ) as TraceJson;
    expect(t.verdict).toBe('delivered');
    const pol = t.hops
      .filter((h) => h.policy)
      .map((h) => [h.iface, h.policy?.['verdict'], h.policy?.['policy'] ?? null, h.policy?.['rule'] ?? null]);
    expect(pol).toEqual([
      ['cali551b05c3e54', 'accept', null, null],
      ['cali50d8cbfc60a', 'accept', 'shop/api-from-web', 0],
    ]);
    expect(t.reply?.verdict).toBe('delivered');
    expect(t.reply?.hops.filter((h) => h.policy).map((h) => h.rule)).toEqual([
      '-A cali-fw-cali50d8cbfc60a -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A cali-tw-cali551b05c3e54 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    ]);
  });

  it('Flannel delivers the same packet: nothing enforces the policies', () => {
    const t = JSON.parse(
      run('trace', FLANNEL, '--from', 'dev/debug', '--to', 'svc/shop/api', '--port', '80', '--json').stdout,
    ) as TraceJson;
    expect(t.verdict).toBe('delivered');
    expect(t.hops.some((h) => h.policy)).toBe(false);
  });

  it("egress policy also applies to a pod's traffic to its own node (cali-wl-to-host)", () => {
    const lab = JSON.parse(readFileSync(CALICO, 'utf8')) as Record<string, unknown>;
    lab['faults'] = [
      {
        type: 'network-policy',
        policy: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'deny-egress', namespace: 'dev' },
          spec: { podSelector: {}, policyTypes: ['Egress'] },
        },
      },
    ];
    files['egress.json'] = JSON.stringify(lab);
    const t = JSON.parse(
      run('trace', 'egress.json', '--from', 'dev/debug', '--to', 'node/node-1', '--port', '10250', '--json')
        .stdout,
    ) as TraceJson;
    expect(t.verdict).toBe('dropped');
    expect(t.hops[t.hops.length - 1]?.policy?.['chains']).toEqual([
      'INPUT',
      'cali-INPUT',
      'cali-wl-to-host',
      'cali-from-wl-dispatch',
      'cali-fw-cali8f1c21974c5',
      'cali-po-_TJZs75BakTfjxEyiX5S',
    ]);
    const ok = JSON.parse(
      run('trace', 'egress.json', '--from', 'shop/web', '--to', 'node/node-1', '--port', '10250', '--json')
        .stdout,
    ) as TraceJson;
    expect(ok.verdict).toBe('delivered');
  });

  it('a network-policy fault adds a deny that Calico enforces', () => {
    const lab = JSON.parse(readFileSync(CALICO, 'utf8')) as Record<string, unknown>;
    lab['faults'] = [
      {
        type: 'network-policy',
        policy: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'drill-deny-egress', namespace: 'shop' },
          spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] },
        },
      },
    ];
    files['fault.json'] = JSON.stringify(lab);
    const r = run('reach', 'fault.json', '--explain', 'shop/web', 'shop/api', '--port', '8080');
    expect(r.stdout.split('\n')[0]).toBe(
      'shop/web → shop/api TCP 8080: not allowed — shop/web is isolated for egress by shop/drill-deny-egress and no egress rule allows TCP 8080 to pod shop/api',
    );
    expect(run('validate', 'fault.json').stdout).not.toContain('has no effect');
  });
});
