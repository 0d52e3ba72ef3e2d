import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run';

const LABS = path.resolve(__dirname, '../../../assets/labs');
const VXLAN = path.join(LABS, 'flannel-vxlan-2node.podlab.json');
const NOW = Date.UTC(2026, 10, 22, 1, 38, 21);

const files: Record<string, string> = {
  'bad.json': '{ "podpath": 1, ',
  'newer.json': '{ "podpath": 2 }',
  'wrong.json': JSON.stringify({
    podpath: 1,
    networks: [{ name: 'rack-a', cidr: '192.168.1.0/24' }],
    nodes: [
      { name: 'n1', network: 'rack-a', ip: '192.168.1.10' },
      { name: 'n2', network: 'rack-a', ip: '192.168.9.10' },
    ],
    objects: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { nodeName: 'n3' } }],
  }),
  // kube-proxy in IPVS mode
  'svc.json': JSON.stringify({
    ...(JSON.parse(readFileSync(VXLAN, 'utf8')) as object),
    cluster: { cni: { plugin: 'flannel', mode: 'vxlan' }, kubeProxy: { mode: 'ipvs' } },
    objects: [
      ...(JSON.parse(readFileSync(VXLAN, 'utf8')) as { objects: unknown[] }).objects,
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'shop' },
        spec: {
          clusterIP: '10.96.0.50',
          selector: { app: 'web' },
          ports: [{ port: 80, targetPort: 'http' }],
        },
      },
    ],
  }),
};

const io = {
  readFile(p: string): string {
    const base = path.basename(p);
    if (base in files) return files[base] ?? '';
    if (p.startsWith(LABS)) return readFileSync(p, 'utf8');
    throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
  },
  now: () => NOW,
};

const run = (...argv: string[]) => runCli(argv, io);

describe('podpath command line', () => {
  it('prints usage with --help and exits 0; with no command it exits 1', () => {
    expect(run('--help')).toMatchObject({ code: 0 });
    expect(run('--help').stdout).toContain('podpath trace LAB --from REF --to TARGET');
    expect(run().code).toBe(1);
  });

  it('validate: a good lab, with its summary', () => {
    const r = run('validate', VXLAN);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `${VXLAN}: valid lab "Two nodes, Flannel VXLAN": 2 networks, 2 nodes, 1 routers, 1 clients, 3 pods, flannel vxlan\n`,
    );
  });

  it('validate: every problem with field, value and reason; exit 1; no stack trace', () => {
    const r = run('validate', 'wrong.json');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'wrong.json: error: nodes[1].ip 192.168.9.10 is not inside network rack-a 192.168.1.0/24\n' +
        'wrong.json: error: objects[0].spec.nodeName n3 is not a node of this lab (nodes: n1, n2)\n' +
        'podpath: wrong.json is not a valid lab (2 problems)\n',
    );
  });

  it('refuses malformed JSON, a newer format and a missing file clearly', () => {
    expect(run('validate', 'bad.json').stderr).toMatch(/^bad\.json: error: the lab file is not valid JSON: /);
    expect(run('validate', 'newer.json').stderr).toContain(
      'newer.json: error: podpath 2 is a newer lab format than this Podpath reads (it reads format 1); open the lab with a newer Podpath',
    );
    const missing = run('validate', 'nope.json');
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: 'podpath: cannot read nope.json: no such file\n',
    });
  });

  it('rejects bad arguments with exit 1', () => {
    expect(
      run('trace', VXLAN, '--from', 'shop/web-1', '--to', 'pod/shop/api-1', '--port', '70000').stderr,
    ).toContain('--port 70000 is out of range (1-65535)');
    expect(run('trace', VXLAN, '--from', 'shop/nobody', '--to', 'pod/shop/api-1').stderr).toContain(
      'there is no pod shop/nobody in this lab',
    );
    expect(
      run('trace', VXLAN, '--from', 'shop/web-1', '--to', 'pod/shop/api-1', '--proto', 'gre').stderr,
    ).toContain('--proto gre is not one of tcp, udp, sctp, icmp');
    expect(run('trace', VXLAN, '--from', 'shop/web-1').stderr).toContain('trace needs --to TARGET');
    expect(run('trace', VXLAN, '--from', 'shop/web-1', '--to', 'x', '--bogus').stderr).toContain(
      'unknown option --bogus',
    );
    expect(run('show', VXLAN, '--on', 'node/node-1', 'ip', 'route').stderr).toContain(
      'show takes one COMMAND',
    );
    for (const r of [run('trace', VXLAN, '--from', 'shop/nobody', '--to', 'x'), run('frobnicate')]) {
      expect(r.code).toBe(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('trace --json prints one JSON document in the contract shape', () => {
    const r = run(
      'trace',
      VXLAN,
      '--from',
      'shop/web-1',
      '--to',
      'pod/shop/api-1',
      '--port',
      '8080',
      '--json',
    );
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout) as {
      verdict: string;
      deliveredTo: string;
      hops: unknown[];
      wire: { network: string }[];
      reply: { verdict: string };
    };
    expect(t.verdict).toBe('delivered');
    expect(t.deliveredTo).toBe('pod/shop/api-1');
    expect(t.wire.map((w) => w.network)).toEqual(['lan']);
    expect(t.reply.verdict).toBe('delivered');
  });

  it('traces a ClusterIP in every kube-proxy mode, by name, by REF and by IP', () => {
    for (const to of ['svc/shop/web', 'web', 'web.shop.svc.cluster.local']) {
      const r = run('trace', 'svc.json', '--from', 'shop/web-1', '--to', to, '--port', '80', '--json');
      expect(r.code).toBe(0);
      const t = JSON.parse(r.stdout) as { verdict: string; hops: { stage: string; detail: string }[] };
      expect(t.verdict).toBe('delivered');
      expect(
        t.hops.some((h) => h.stage === 'ipvs' && h.detail.startsWith('IPVS TCP 10.96.0.50:80 (rr)')),
      ).toBe(true);
    }
    const none = run('trace', 'svc.json', '--from', 'shop/web-1', '--to', 'nothere', '--port', '80');
    expect(none.code).toBe(1);
    expect(none.stderr).toBe('podpath: --to nothere: Could not resolve host: nothere\n');
    expect(none.stdout).toContain('nothere.shop.svc.cluster.local A? → NXDOMAIN');
  });

  it('show: iptables-save prints the time it runs; ipvsadm on a node without IPVS fails as the tool does', () => {
    const r = run('show', VXLAN, '--on', 'node/node-1', 'iptables-save');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      '# Generated by iptables-save v1.8.9 (nf_tables) on Sun Nov 22 01:38:21 2026',
    );
    const ipvs = run('show', 'svc.json', '--on', 'node/node-1', 'ipvsadm -Ln');
    expect(ipvs.code).toBe(0);
    expect(ipvs.stdout).toContain('TCP  10.96.0.50:80 rr');
    expect(run('show', VXLAN, '--on', 'node/node-1', 'frobnicate -x').stderr).toContain(
      'podpath does not simulate "frobnicate -x" yet',
    );
  });
});
