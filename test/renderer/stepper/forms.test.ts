import { describe, expect, it } from 'vitest';
import { COMPLETIONS, History, complete, promptFor } from '../../../renderer/src/terminal/completion';
import {
  DEFAULT_FORM,
  defaultTarget,
  formToRequest,
  portFor,
} from '../../../renderer/src/stepper/stepperStore';
import { rewrites, toolFor } from '../../../renderer/src/stepper/HopDetail';
import type { ProbeEndpoints } from '../../../shared-sim/src/index';
import type { Step } from '../../../renderer/src/worker/protocol';

describe('formToRequest', () => {
  it('turns the form into the CLI probe', () => {
    expect(formToRequest({ ...DEFAULT_FORM, from: 'pod/shop/web-1', to: ' web ', port: '80' })).toEqual({
      ok: true,
      req: { from: 'pod/shop/web-1', to: 'web', proto: 'tcp', port: 80 },
    });
    expect(
      formToRequest({
        ...DEFAULT_FORM,
        from: 'node/n',
        to: '10.0.0.1',
        proto: 'icmp',
        port: 'x',
        size: '1472',
      }),
    ).toEqual({
      ok: true,
      req: { from: 'node/n', to: '10.0.0.1', proto: 'icmp', size: 1472 },
    });
  });

  it('names the field that is wrong', () => {
    expect(formToRequest({ ...DEFAULT_FORM, from: 'node/n', to: 'x', port: '70000' })).toEqual({
      ok: false,
      field: 'port',
      message: 'port 70000 is out of range (1-65535)',
    });
    expect(formToRequest({ ...DEFAULT_FORM, from: 'node/n', to: 'x', port: '8o' })).toMatchObject({
      field: 'port',
      message: 'port 8o is not a whole number',
    });
    expect(formToRequest({ ...DEFAULT_FORM, from: 'node/n', to: 'x', size: '-1' })).toMatchObject({
      field: 'size',
    });
    expect(formToRequest({ ...DEFAULT_FORM, from: '', to: 'x' })).toMatchObject({ field: 'from' });
    expect(formToRequest({ ...DEFAULT_FORM, from: 'node/n', to: '  ' })).toMatchObject({ field: 'to' });
  });
});

describe('default destination and port', () => {
  const e: ProbeEndpoints = {
    sources: ['pod/a/x', 'pod/a/y', 'pod/a/z', 'node/n1', 'node/n2'],
    targets: ['pod/a/x', 'pod/a/y', 'pod/a/z', 'svc/a/web', 'node/n1', 'node/n2'],
    dnsNames: ['web.a.svc.cluster.local'],
    ports: {
      'pod/a/z': [
        { port: 5353, protocol: 'udp' },
        { port: 8080, protocol: 'tcp' },
      ],
      'svc/a/web': [{ port: 80, protocol: 'tcp' }],
    },
    nodeOf: { 'pod/a/x': 'node/n1', 'pod/a/y': 'node/n1', 'pod/a/z': 'node/n2' },
  };
  it('prefers a pod on another node', () => {
    expect(defaultTarget(e, 'pod/a/x')).toBe('pod/a/z');
    expect(defaultTarget(e, 'node/n2')).toBe('pod/a/x');
    expect(defaultTarget(e, 'pod/a/z')).toBe('pod/a/x');
  });
  it('aims at the first declared port unless the form already names one of them', () => {
    expect(portFor(e, { ...DEFAULT_FORM, to: 'pod/a/z' })).toEqual({ port: '5353', proto: 'udp' });
    expect(portFor(e, { ...DEFAULT_FORM, to: 'pod/a/z', port: '8080', proto: 'tcp' })).toEqual({});
    expect(portFor(e, { ...DEFAULT_FORM, to: '10.0.0.1' })).toEqual({});
  });
});

describe('terminal completion and history', () => {
  it('completes a unique prefix and lists the candidates of an ambiguous one', () => {
    expect(complete('ip ro')).toEqual({
      text: 'ip route',
      candidates: ['ip route', 'ip route show table local', 'ip route get '],
    });
    expect(complete('bridge')).toEqual({ text: 'bridge fdb show', candidates: [] });
    expect(complete('iptables-save -t n')).toEqual({ text: 'iptables-save -t nat', candidates: [] });
    expect(complete('kubectl get e')).toEqual({
      text: 'kubectl get endpoints',
      candidates: ['kubectl get endpoints -A', 'kubectl get endpointslices -A'],
    });
    expect(complete('frobnicate')).toEqual({ text: 'frobnicate', candidates: [] });
    expect(COMPLETIONS).toContain('iptables-save');
    expect(COMPLETIONS).toContain('birdc show route');
    expect(COMPLETIONS.some((c) => /\b[A-Z]{2,}\b|\[|\|/.test(c))).toBe(false);
    expect(COMPLETIONS).toContain('conntrack -L');
    expect(complete('birdc show r')).toEqual({ text: 'birdc show route', candidates: [] });
  });

  it('walks the history like a shell', () => {
    const h = new History();
    h.push('ip route');
    h.push('ip route');
    h.push('iptables-save');
    expect(h.up()).toBe('iptables-save');
    expect(h.up()).toBe('ip route');
    expect(h.up()).toBe('ip route');
    expect(h.down()).toBe('iptables-save');
    expect(h.down()).toBe('');
  });

  it('prompts with the host name', () => {
    expect(promptFor('node/node-1')).toBe('root@node-1:~#');
    expect(promptFor('pod/shop/web-1')).toBe('root@web-1:~#');
  });
});

describe('rewrites', () => {
  const step = (index: number, stage: Step['hop']['stage'], dst: string, dport: number): Step => ({
    index,
    phase: 'request',
    hopIndex: index,
    hop: {
      host: 'node/n',
      stage,
      detail: '',
      layers: [
        { type: 'ipv4', src: '10.244.0.2', dst, ttl: 64, protocol: 'tcp', df: true, length: 60 },
        { type: 'tcp', src: 40000, dst: dport, flags: 'S' },
      ],
    },
  });
  it('says what a DNAT hop rewrites, as the next hop sees it', () => {
    expect(rewrites(step(0, 'netfilter', '10.96.0.10', 80), step(1, 'bridge', '10.244.1.5', 8080))).toEqual([
      'IPv4 dst 10.96.0.10 → 10.244.1.5',
      'TCP dst 80 → 8080',
    ]);
  });
  it('says nothing for hops that do not translate', () => {
    expect(rewrites(step(0, 'route', '10.96.0.10', 80), step(1, 'bridge', '10.244.1.5', 8080))).toEqual([]);
    expect(rewrites(step(0, 'netfilter', '10.96.0.10', 80), undefined)).toEqual([]);
  });
});

describe('toolFor', () => {
  const at = (stage: Step['hop']['stage'], rule?: string): Step => ({
    index: 0,
    phase: 'request',
    hopIndex: 0,
    hop: { host: 'node/n', stage, detail: '', layers: [], ...(rule !== undefined ? { rule } : {}) },
  });
  it('names the command whose output the deciding entry is a line of', () => {
    expect(toolFor(at('route', '10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink'))).toBe('ip route');
    expect(
      toolFor(at('route', 'local 10.244.1.2 dev eth0 table local proto kernel scope host src 10.244.1.2')),
    ).toBe('ip route show table local');
    expect(toolFor(at('arp', '10.244.0.1 dev eth0 lladdr a6:24:90:0e:06:43 REACHABLE'))).toBe('ip neigh');
    expect(toolFor(at('encap', '7e:39:7f:8f:a8:ce dev flannel.1 dst 192.168.1.11 self permanent'))).toBe(
      'bridge fdb show',
    );
    expect(toolFor(at('encap'))).toBeUndefined();
    expect(toolFor(at('netfilter', '-A KUBE-SEP-X -p tcp -j DNAT --to-destination 10.244.0.3:8080'))).toBe(
      'iptables-save',
    );
    expect(toolFor(at('netfilter', '-P OUTPUT ACCEPT'))).toBe('iptables-save');
    expect(toolFor(at('netfilter', 'meta l4proto tcp dnat to 10.244.0.3:8080'))).toBe('nft list ruleset');
    expect(toolFor(at('netfilter', 'chain filter-prerouting { policy accept; }'))).toBe('nft list ruleset');
    expect(toolFor(at('deliver', 'TCP LISTEN 0.0.0.0:8080 (shop/api-1)'))).toBeUndefined();
  });
});
