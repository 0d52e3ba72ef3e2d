import {
  explainReach,
  formatExplain,
  formatReach,
  reachJson,
  reachMatrix,
  type Problem,
  type ReachProto,
  type World,
} from '../../shared-sim/src/index';

/**
 * `podpath reach LAB [--port N] [--proto tcp|udp|sctp] [--json] [--explain FROM TO]`
 * (CONTRACT.md §3): the pod-to-pod matrix, or one pair explained.
 */
export interface ReachArgs {
  readonly port: number;
  readonly proto: ReachProto;
  readonly json: boolean;
  /** FROM and TO pods for --explain. */
  readonly explain?: readonly [string, string];
}

export type ReachOutcome =
  { readonly code: number; readonly stdout: string; readonly stderr: string } | { readonly usage: string };

/** Checks --proto; undefined when valid. */
export function reachProto(text: string | undefined): ReachProto | { usage: string } {
  if (text === undefined) return 'tcp';
  if (text === 'tcp' || text === 'udp' || text === 'sctp') return text;
  return { usage: `--proto ${text} is not one of tcp, udp, sctp (reach probes connections between pods)` };
}

function policyWarnings(warnings: readonly Problem[]): string {
  return warnings
    .filter((p) => p.severity === 'warning' && /^NetworkPolicy .* is not enforced/.test(p.message))
    .map((p) => `podpath: warning: ${p.message}\n`)
    .join('');
}

export function runReach(world: World, warnings: readonly Problem[], a: ReachArgs): ReachOutcome {
  const stderr = policyWarnings(warnings);
  const opts = { port: a.port, proto: a.proto };
  if (a.explain) {
    const e = explainReach(world, a.explain[0], a.explain[1], opts);
    if (!e.ok) return { usage: e.error };
    if (a.json) {
      const doc = {
        from: e.from,
        to: e.to,
        port: e.port,
        proto: e.proto,
        allowed: e.allowed,
        verdict: e.cell,
        reason: e.reason,
        enforced: e.enforced,
        dataPlane: e.dataPlane,
        ...(e.egress ? { egress: direction(e.egress) } : {}),
        ...(e.ingress ? { ingress: direction(e.ingress) } : {}),
        ...(e.trace ? { trace: e.trace } : {}),
      };
      return { code: 0, stdout: JSON.stringify(doc, null, 2) + '\n', stderr };
    }
    return { code: 0, stdout: formatExplain(e), stderr };
  }
  const m = reachMatrix(world, opts);
  if (a.json) return { code: 0, stdout: JSON.stringify(reachJson(m)) + '\n', stderr };
  return { code: 0, stdout: formatReach(m), stderr };
}

function direction(v: NonNullable<Extract<ReturnType<typeof explainReach>, { ok: true }>['egress']>): object {
  return {
    pod: v.pod,
    allowed: v.allowed,
    isolatedBy: v.policies.map((p) => `${p.namespace}/${p.name}`),
    ...(v.by ? { policy: `${v.by.policy.namespace}/${v.by.policy.name}`, rule: v.by.rule } : {}),
    reason: v.reason,
  };
}
