/**
 * The typed messages between the UI thread and the simulation worker (sim.worker.ts). Every
 * request carries an `id`; the worker answers each with exactly one response of the same id.
 * Errors are data (`ok: false` with a code), never exceptions crossing the thread boundary.
 */
import type {
  DnsResolution,
  Hop,
  Problem,
  ProbeEndpoints,
  Trace,
  TraceRequest,
} from '../../../shared-sim/src/index';

/**
 * The lab a request is about. `key` names one revision of the document (the same key always
 * means the same document); `doc` may be left out when the worker was already sent this key,
 * and the worker answers `lab-missing` if it no longer has it.
 */
export interface LabRef {
  readonly key: string;
  readonly doc?: unknown;
}

/** A change of the cluster settings to compare against (Compare mode). */
export interface LabVariant {
  readonly cni?: {
    readonly plugin: 'flannel' | 'calico';
    readonly mode: string;
    readonly crossSubnet?: boolean;
  };
  readonly kubeProxy?: { readonly mode: 'iptables' | 'ipvs' | 'nftables' };
}

export type SimRequest =
  | { readonly id: number; readonly kind: 'trace'; readonly lab: LabRef; readonly probe: TraceRequest }
  | {
      readonly id: number;
      readonly kind: 'compare';
      readonly lab: LabRef;
      readonly probe: TraceRequest;
      readonly variants: readonly [LabVariant, LabVariant];
    }
  | {
      readonly id: number;
      readonly kind: 'command';
      readonly lab: LabRef;
      readonly on: string;
      readonly command: string;
      /** Wall-clock time in ms since the epoch (what `iptables-save` prints in its header). */
      readonly now: number;
    }
  | { readonly id: number; readonly kind: 'endpoints'; readonly lab: LabRef };

/** Which packet a step belongs to: the DNS query that resolved the name, its answer, the request, the reply. */
export type Phase = 'dns' | 'dns-reply' | 'request' | 'reply';

/** One hop of the walk, flattened over all the packets of a probe in the order they happened. */
export interface Step {
  readonly index: number;
  readonly phase: Phase;
  /** Index of the hop within its packet's `hops`. */
  readonly hopIndex: number;
  readonly hop: Hop;
  /** MTU of the hop's interface on its host (`ip link`), when the hop names one. */
  readonly mtu?: number;
}

export interface TraceResult {
  /** The trace as `podpath trace --json` prints it (CONTRACT.md §3), plus `dns` and `conntrack`. */
  readonly trace: Trace;
  readonly dns?: DnsResolution;
  readonly conntrack: Record<string, string[]>;
  readonly steps: readonly Step[];
  /** The lab's validation and compile warnings. */
  readonly warnings: readonly Problem[];
  readonly timing: Timing;
}

export interface Timing {
  /** Parse and compile, 0 when the compiled lab came from the cache. */
  readonly compileMs: number;
  readonly walkMs: number;
  readonly cached: boolean;
}

export interface CompareSide {
  readonly variant: LabVariant;
  /** "flannel vxlan · iptables": the side's settings as the lab would say them. */
  readonly label: string;
  readonly result?: TraceResult;
  readonly error?: SimError;
}

export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
}

export type SimError =
  | { readonly code: 'lab-missing'; readonly message: string }
  | { readonly code: 'lab-invalid'; readonly message: string; readonly problems: readonly Problem[] }
  | { readonly code: 'probe'; readonly message: string; readonly dns?: DnsResolution }
  | { readonly code: 'command'; readonly message: string }
  | { readonly code: 'internal'; readonly message: string };

interface ResultByKind {
  trace: TraceResult;
  compare: readonly [CompareSide, CompareSide];
  command: CommandOutput;
  endpoints: ProbeEndpoints;
}

export type SimKind = SimRequest['kind'];
export type SimResult<K extends SimKind> = ResultByKind[K];

export type SimResponse =
  | {
      readonly [K in SimKind]: {
        readonly id: number;
        readonly kind: K;
        readonly ok: true;
        readonly value: ResultByKind[K];
      };
    }[SimKind]
  | { readonly id: number; readonly kind: SimKind; readonly ok: false; readonly error: SimError };

/** A request without its id (the client numbers them). */
export type SimRequestBody = SimRequest extends infer R
  ? R extends SimRequest
    ? Omit<R, 'id'>
    : never
  : never;
