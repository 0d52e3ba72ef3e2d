/**
 * Derived data for the editor: the validator's problems, compile warnings, pod addresses and
 * Service endpoints. Pure (runs in the derive worker, and in tests directly).
 */
import { compile, formatIpv4, parseLab, type Problem } from '../../../shared-sim/src/index';

export interface DerivedPod {
  readonly ref: string;
  readonly nodeName?: string;
  readonly ip?: string;
  /** Set for pods a Deployment expands to (they have no object of their own). */
  readonly deployment?: string;
  readonly ready: boolean;
  readonly labels: Readonly<Record<string, string>>;
  /** Why the pod has no network, when it has none. */
  readonly why?: string;
}

export interface DerivedService {
  readonly ref: string;
  readonly type: string;
  readonly clusterIP: string;
  /** `pod/NS/NAME` of every endpoint (ready or not). */
  readonly endpoints: readonly { readonly pod: string; readonly ready: boolean }[];
}

export interface Derived {
  /** Which request this answers (the store ignores stale answers). */
  readonly seq: number;
  readonly valid: boolean;
  readonly problems: readonly Problem[];
  readonly pods: readonly DerivedPod[];
  readonly services: readonly DerivedService[];
  /** Node name → pod subnet. */
  readonly podSubnets: Readonly<Record<string, string>>;
  readonly parseMs: number;
  readonly compileMs: number;
}

export const EMPTY_DERIVED: Derived = {
  seq: -1,
  valid: true,
  problems: [],
  pods: [],
  services: [],
  podSubnets: {},
  parseMs: 0,
  compileMs: 0,
};

export function derive(doc: unknown, seq: number, now: () => number = () => 0): Derived {
  const t0 = now();
  let parsed;
  try {
    parsed = parseLab(doc);
  } catch (e) {
    return { ...EMPTY_DERIVED, seq, valid: false, problems: [internal(e)] };
  }
  const t1 = now();
  if (!parsed.ok) return { ...EMPTY_DERIVED, seq, valid: false, problems: parsed.problems, parseMs: t1 - t0 };
  let world;
  try {
    world = compile(parsed.lab, parsed.warnings);
  } catch (e) {
    return {
      ...EMPTY_DERIVED,
      seq,
      valid: false,
      problems: [...parsed.warnings, internal(e)],
      parseMs: t1 - t0,
    };
  }
  const t2 = now();
  const pods: DerivedPod[] = world.pods.map((p) => ({
    ref: p.ref,
    ...(p.spec.nodeName !== undefined ? { nodeName: p.spec.nodeName } : {}),
    ...(p.ip !== undefined ? { ip: formatIpv4(p.ip) } : {}),
    ...(p.spec.fromDeployment !== undefined ? { deployment: p.spec.fromDeployment } : {}),
    ...(p.why !== undefined ? { why: p.why } : {}),
    ready: p.spec.ready,
    labels: p.spec.labels,
  }));
  const services: DerivedService[] = world.services.services.map((s) => {
    const eps = world.services.endpoints.get(`${s.namespace}/${s.name}`);
    const seen = new Set<string>();
    const endpoints: { pod: string; ready: boolean }[] = [];
    for (const slice of eps?.slices ?? [])
      for (const a of slice.endpoints)
        if (a.podRef !== undefined && !seen.has(a.podRef)) {
          seen.add(a.podRef);
          endpoints.push({ pod: a.podRef, ready: a.ready });
        }
    return { ref: `svc/${s.namespace}/${s.name}`, type: s.type, clusterIP: s.clusterIP, endpoints };
  });
  const podSubnets: Record<string, string> = {};
  for (const [node, c] of world.podSubnets) podSubnets[node] = `${formatIpv4(c.addr)}/${c.len}`;
  return {
    seq,
    valid: true,
    problems: world.problems,
    pods,
    services,
    podSubnets,
    parseMs: t1 - t0,
    compileMs: t2 - t1,
  };
}

function internal(e: unknown): Problem {
  return {
    severity: 'error',
    path: '',
    message: `internal error in the simulator: ${e instanceof Error ? e.message : String(e)}`,
  };
}
