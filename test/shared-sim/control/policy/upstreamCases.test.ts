// The NetworkPolicy engine alone (no data plane) against the 95 upstream cases in
// ../shared/oracles/upstream/netpol: egress at the source and ingress at the destination, by pod IP.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPolicyEngine } from '../../../../shared-sim/src/control/policy/engine';
import { parseIpv4 } from '../../../../shared-sim/src/dataplane/addr/ipv4';
import { parseLabText } from '../../../../shared-sim/src/model/parseLab';

const DIR = path.resolve(__dirname, '../../../../../shared/oracles/upstream/netpol');
const cases = fs.existsSync(DIR)
  ? fs
      .readdirSync(DIR)
      .filter((f) => f.endsWith('.podlab.json'))
      .map((f) => f.replace(/\.podlab\.json$/, ''))
  : [];

interface Probe {
  port: number;
  proto: 'TCP' | 'UDP' | 'SCTP';
  allowed: Record<string, Record<string, boolean>>;
}

describe.skipIf(cases.length === 0)('NetworkPolicy engine: upstream truth tables', () => {
  it('has all 95 cases', () => expect(cases.length).toBe(95));
  it.each(cases)('%s', (name) => {
    const parsed = parseLabText(fs.readFileSync(path.join(DIR, `${name}.podlab.json`), 'utf8'));
    if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'));
    const lab = parsed.lab;
    const engine = buildPolicyEngine(
      lab.objects,
      lab.networkPolicies,
      lab.pods.map((p) => ({ spec: p, ...(p.podIP ? { ip: parseIpv4(p.podIP) } : {}) })),
    );
    const expected = JSON.parse(fs.readFileSync(path.join(DIR, `${name}.expected.json`), 'utf8')) as {
      probes: Probe[];
    };
    const wrong: string[] = [];
    for (const probe of expected.probes) {
      for (const [from, row] of Object.entries(probe.allowed)) {
        for (const [to, want] of Object.entries(row)) {
          const s = engine.podIndex.get(from);
          const d = engine.podIndex.get(to);
          const sp = engine.pods[s ?? -1];
          const dp = engine.pods[d ?? -1];
          if (s === undefined || d === undefined || !sp?.ip || !dp?.ip) {
            wrong.push(`${from}->${to}: pod missing`);
            continue;
          }
          const flow = { src: sp.ip, dst: dp.ip, proto: probe.proto, port: probe.port };
          const got = engine.egress(s, flow).allowed && engine.ingress(d, flow).allowed;
          if (got !== want)
            wrong.push(`${probe.proto}/${probe.port} ${from}->${to}: got ${got}, want ${want}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
