/**
 * What the simulation worker does, without the worker: parse and compile a lab (cached per
 * revision), walk probes, run host commands. Runs the same in the worker, on the UI thread (when
 * workers are unavailable) and in unit tests under Node.
 */
import {
  compile,
  interfaceMtu,
  parseLab,
  probeEndpoints,
  runShow,
  runTrace,
  type Problem,
  type TraceRequest,
  type World,
} from '../../../shared-sim/src/index';
import { applyVariant, variantKey, variantLabel } from '../compare/variant';
import { buildSteps } from '../stepper/steps';
import type {
  CompareSide,
  LabRef,
  LabVariant,
  SimError,
  SimRequest,
  SimResponse,
  TraceResult,
} from './protocol';

type Compiled =
  | { readonly ok: true; readonly world: World; readonly doc: unknown }
  | { readonly ok: false; readonly problems: readonly Problem[]; readonly doc: unknown };

/** How many compiled labs are kept (the current one, and the two sides of a comparison, and some slack). */
export const CACHE_SIZE = 6;

class SimFailure extends Error {
  constructor(readonly error: SimError) {
    super(error.message);
  }
}

function invalid(problems: readonly Problem[]): SimError {
  const errors = problems.filter((p) => p.severity === 'error');
  const first = errors[0];
  return {
    code: 'lab-invalid',
    message: `the lab is not valid (${errors.length} problem${errors.length === 1 ? '' : 's'})${first ? `: ${first.message}` : ''}`,
    problems: errors,
  };
}

export class SimCore {
  private readonly cache = new Map<string, Compiled>();
  /** Compiles done since creation (for tests and the bench: proves the cache works). */
  compiles = 0;

  constructor(private readonly clock: () => number = () => performance.now()) {}

  handle(req: SimRequest): SimResponse {
    try {
      switch (req.kind) {
        case 'trace':
          return { id: req.id, kind: 'trace', ok: true, value: this.trace(req.lab, req.probe) };
        case 'compare':
          return {
            id: req.id,
            kind: 'compare',
            ok: true,
            value: this.compare(req.lab, req.probe, req.variants),
          };
        case 'command': {
          const world = this.world(req.lab).world;
          const out = runShow(world, req.on, req.command, req.now);
          if (!out.ok) throw new SimFailure({ code: 'command', message: out.error });
          return {
            id: req.id,
            kind: 'command',
            ok: true,
            value: { stdout: out.stdout, stderr: out.stderr ?? '' },
          };
        }
        case 'endpoints':
          return {
            id: req.id,
            kind: 'endpoints',
            ok: true,
            value: probeEndpoints(this.world(req.lab).world),
          };
      }
    } catch (e) {
      const error: SimError =
        e instanceof SimFailure
          ? e.error
          : {
              code: 'internal',
              message: `internal error in the simulation: ${e instanceof Error ? e.message : String(e)}`,
            };
      return { id: req.id, kind: req.kind, ok: false, error };
    }
  }

  /** The compiled lab for `key`, compiling `doc` when it is not cached. */
  private compiled(
    key: string,
    doc: (() => unknown) | undefined,
  ): { c: Compiled; ms: number; cached: boolean } {
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit); // most recently used last
      return { c: hit, ms: 0, cached: true };
    }
    if (doc === undefined)
      throw new SimFailure({
        code: 'lab-missing',
        message: `the simulation worker does not have lab revision ${key}; send the document again`,
      });
    const t0 = this.clock();
    const d = doc();
    const parsed = parseLab(d);
    const c: Compiled = parsed.ok
      ? { ok: true, world: compile(parsed.lab, parsed.warnings), doc: d }
      : { ok: false, problems: parsed.problems, doc: d };
    this.compiles++;
    this.cache.set(key, c);
    while (this.cache.size > CACHE_SIZE) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return { c, ms: this.clock() - t0, cached: false };
  }

  private world(lab: LabRef): { world: World; doc: unknown; ms: number; cached: boolean } {
    const { c, ms, cached } = this.compiled(lab.key, lab.doc === undefined ? undefined : () => lab.doc);
    if (!c.ok) throw new SimFailure(invalid(c.problems));
    return { world: c.world, doc: c.doc, ms, cached };
  }

  private walk(world: World, probe: TraceRequest, compileMs: number, cached: boolean): TraceResult {
    const t0 = this.clock();
    const run = runTrace(world, probe);
    if (!run.ok)
      throw new SimFailure({ code: 'probe', message: run.error, ...(run.dns ? { dns: run.dns } : {}) });
    const steps = buildSteps(run.trace, run.dns, (host, iface) => interfaceMtu(world, host, iface));
    return {
      trace: run.trace,
      ...(run.dns ? { dns: run.dns } : {}),
      conntrack: run.conntrack,
      steps,
      warnings: world.problems,
      timing: { compileMs, walkMs: this.clock() - t0, cached },
    };
  }

  private trace(lab: LabRef, probe: TraceRequest): TraceResult {
    const w = this.world(lab);
    return this.walk(w.world, probe, w.ms, w.cached);
  }

  private compare(
    lab: LabRef,
    probe: TraceRequest,
    variants: readonly [LabVariant, LabVariant],
  ): readonly [CompareSide, CompareSide] {
    const base = this.compiled(lab.key, lab.doc === undefined ? undefined : () => lab.doc).c;
    const side = (v: LabVariant): CompareSide => {
      const label = variantLabel(base.doc, v);
      try {
        const { c, ms, cached } = this.compiled(`${lab.key}#${variantKey(v)}`, () =>
          applyVariant(base.doc, v),
        );
        if (!c.ok) return { variant: v, label, error: invalid(c.problems) };
        return { variant: v, label, result: this.walk(c.world, probe, ms, cached) };
      } catch (e) {
        if (e instanceof SimFailure) return { variant: v, label, error: e.error };
        throw e;
      }
    };
    return [side(variants[0]), side(variants[1])];
  }
}
