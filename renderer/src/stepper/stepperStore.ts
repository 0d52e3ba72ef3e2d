/**
 * The stepper's state outside React (so keyboard actions, the canvas and the panel share it): the
 * probe form, the last walk (or its error), the debugger position, Compare's result. Talks to the
 * simulation worker through simClient; publishes the canvas highlight.
 */
import { useSyncExternalStore } from 'react';
import type { ProbeEndpoints, TraceRequest } from '../../../shared-sim/src/index';
import { simClient, type SimClient } from '../worker/simClient';
import type { CompareSide, LabVariant, SimError, TraceResult } from '../worker/protocol';
import { highlightAt, pathHighlight, type HighlightStore } from './pathHighlight';
import { INITIAL, stepperReducer, tickInterval, type StepperEvent, type StepperState } from './stepperState';

export type Proto = 'tcp' | 'udp' | 'sctp' | 'icmp';

export interface ProbeForm {
  readonly from: string;
  readonly to: string;
  readonly proto: Proto;
  /** Text as typed (validated when the probe runs). */
  readonly port: string;
  readonly size: string;
}

export type PanelTab = 'stepper' | 'compare' | 'terminal';

export interface StepperView {
  readonly tab: PanelTab;
  readonly form: ProbeForm;
  readonly endpoints: ProbeEndpoints | undefined;
  readonly running: boolean;
  readonly result: TraceResult | undefined;
  readonly error: SimError | undefined;
  /** The probe the result is for (re-run when the lab changes). */
  readonly probe: TraceRequest | undefined;
  readonly stepper: StepperState;
  /** Wall time from asking the worker to having the step list, in ms (performance mark pp-trace). */
  readonly elapsedMs: number | undefined;
  readonly compare: {
    readonly variants: readonly [LabVariant, LabVariant];
    readonly running: boolean;
    readonly sides: readonly [CompareSide, CompareSide] | undefined;
    readonly error: SimError | undefined;
  };
}

export const DEFAULT_FORM: ProbeForm = { from: '', to: '', proto: 'tcp', port: '80', size: '' };

/** Turns the form into a probe, or says which field is wrong. */
export function formToRequest(
  f: ProbeForm,
): { ok: true; req: TraceRequest } | { ok: false; field: string; message: string } {
  if (!f.from) return { ok: false, field: 'from', message: 'pick a source' };
  if (!f.to.trim()) return { ok: false, field: 'to', message: 'name a destination' };
  const req: { -readonly [K in keyof TraceRequest]: TraceRequest[K] } = {
    from: f.from,
    to: f.to.trim(),
    proto: f.proto,
  };
  if (f.proto !== 'icmp') {
    if (!/^\d+$/.test(f.port.trim()))
      return { ok: false, field: 'port', message: `port ${f.port} is not a whole number` };
    const port = Number(f.port.trim());
    if (port < 1 || port > 65535)
      return { ok: false, field: 'port', message: `port ${port} is out of range (1-65535)` };
    req.port = port;
  }
  if (f.size.trim() !== '') {
    if (!/^\d+$/.test(f.size.trim()))
      return { ok: false, field: 'size', message: `size ${f.size} is not a whole number` };
    const size = Number(f.size.trim());
    if (size > 65507) return { ok: false, field: 'size', message: `size ${size} is out of range (0-65507)` };
    req.size = size;
  }
  return { ok: true, req };
}

/** The most instructive default destination: a pod on another node, else any other pod, else any target. */
export function defaultTarget(e: ProbeEndpoints, from: string): string {
  const pods = e.targets.filter((t) => t.startsWith('pod/') && t !== from);
  const fromNode = e.nodeOf[from] ?? from;
  return (
    pods.find((p) => e.nodeOf[p] !== undefined && e.nodeOf[p] !== fromNode) ??
    pods[0] ??
    e.targets.find((t) => t !== from) ??
    ''
  );
}

/** Port and protocol for a destination that declares ports, when the form's port is not one of them. */
export function portFor(e: ProbeEndpoints | undefined, f: ProbeForm): Partial<ProbeForm> {
  const ports = e?.ports[f.to];
  if (!ports?.length) return {};
  if (ports.some((p) => String(p.port) === f.port.trim() && p.protocol === f.proto)) return {};
  const first = ports[0];
  return first ? { port: String(first.port), proto: first.protocol as Proto } : {};
}

type Listener = () => void;

export class StepperStore {
  private view: StepperView;
  private readonly listeners = new Set<Listener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private doc: unknown;
  private seq = 0;

  constructor(
    private readonly client: () => SimClient = simClient,
    private readonly highlight: HighlightStore = pathHighlight,
  ) {
    this.view = {
      tab: 'stepper',
      form: DEFAULT_FORM,
      endpoints: undefined,
      running: false,
      result: undefined,
      error: undefined,
      probe: undefined,
      stepper: INITIAL,
      elapsedMs: undefined,
      compare: {
        variants: [
          { cni: { plugin: 'flannel', mode: 'vxlan' } },
          { cni: { plugin: 'flannel', mode: 'host-gw' } },
        ],
        running: false,
        sides: undefined,
        error: undefined,
      },
    };
  }

  get = (): StepperView => this.view;

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  private set(patch: Partial<StepperView>): void {
    const prev = this.view;
    this.view = { ...prev, ...patch };
    if (prev.stepper !== this.view.stepper || prev.result !== this.view.result)
      this.highlight.set(highlightAt(this.view.result, this.view.stepper.index));
    this.schedule();
    for (const l of [...this.listeners]) l();
  }

  private schedule(): void {
    const s = this.view.stepper;
    if (s.playing && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.dispatch({ kind: 'tick' });
      }, tickInterval(s.speed));
    } else if (!s.playing && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  dispatch(e: StepperEvent): void {
    const next = stepperReducer(this.view.stepper, e);
    if (next !== this.view.stepper) this.set({ stepper: next });
  }

  setTab(tab: PanelTab): void {
    if (tab !== this.view.tab) this.set({ tab });
  }

  setForm(patch: Partial<ProbeForm>): void {
    let form = { ...this.view.form, ...patch };
    // a new destination that listens somewhere: aim at its first port unless the port already fits
    if (patch.to !== undefined && patch.port === undefined)
      form = { ...form, ...portFor(this.view.endpoints, form) };
    this.set({ form });
  }

  setVariant(side: 0 | 1, v: LabVariant): void {
    const variants: [LabVariant, LabVariant] = [...this.view.compare.variants];
    variants[side] = v;
    this.set({ compare: { ...this.view.compare, variants } });
  }

  /**
   * The lab changed (or was opened): refresh the pickers, and walk the last probe again on the new
   * lab so the path follows the edit (switching Flannel VXLAN to host-gw redraws the path).
   */
  async setLab(doc: unknown): Promise<void> {
    if (doc === this.doc) return;
    this.doc = doc;
    const seq = ++this.seq;
    const ep = await this.client().request<'endpoints'>(doc, { kind: 'endpoints' });
    if (seq !== this.seq) return;
    const endpoints = ep.ok ? ep.value : undefined;
    const form = this.view.form;
    const patch: { -readonly [K in keyof ProbeForm]?: ProbeForm[K] } = {};
    if (endpoints) {
      if (!endpoints.sources.includes(form.from)) patch.from = endpoints.sources[0] ?? '';
      if (form.to === '' || (form.to.includes('/') && !endpoints.targets.includes(form.to)))
        patch.to = defaultTarget(endpoints, patch.from ?? form.from);
    }
    const next = { ...form, ...patch };
    this.set({ endpoints, form: patch.to !== undefined ? { ...next, ...portFor(endpoints, next) } : next });
    if (this.view.probe) await this.run(this.view.probe, true);
  }

  /** Walks the probe in the form (or `probe`); `keepPosition` keeps the stepper's index (re-runs after edits). */
  async run(probe?: TraceRequest, keepPosition = false): Promise<void> {
    let req = probe;
    if (!req) {
      const r = formToRequest(this.view.form);
      if (!r.ok) {
        this.set({
          error: { code: 'probe', message: r.message },
          result: undefined,
          stepper: stepperReducer(this.view.stepper, { kind: 'clear' }),
        });
        return;
      }
      req = r.req;
    }
    const doc = this.doc;
    const seq = ++this.seq;
    this.set({ running: true });
    performance.mark('pp-trace-start');
    const t0 = performance.now();
    const res = await this.client().request<'trace'>(doc, { kind: 'trace', probe: req });
    if (seq !== this.seq) return;
    const elapsedMs = performance.now() - t0;
    if (!res.ok) {
      this.set({
        running: false,
        error: res.error,
        result: undefined,
        probe: req,
        elapsedMs,
        stepper: stepperReducer(this.view.stepper, { kind: 'clear' }),
      });
      return;
    }
    const index = this.view.stepper.index;
    let stepper = stepperReducer(this.view.stepper, { kind: 'load', steps: res.value.steps });
    if (keepPosition && index > 0) stepper = stepperReducer(stepper, { kind: 'jump', index });
    this.set({ running: false, error: undefined, result: res.value, probe: req, elapsedMs, stepper });
    performance.mark('pp-steps-ready');
    performance.measure('pp-trace', 'pp-trace-start', 'pp-steps-ready');
  }

  async compare(): Promise<void> {
    const r = formToRequest(this.view.form);
    if (!r.ok) {
      this.set({
        compare: { ...this.view.compare, error: { code: 'probe', message: r.message }, sides: undefined },
      });
      return;
    }
    this.set({ compare: { ...this.view.compare, running: true } });
    const res = await this.client().request<'compare'>(this.doc, {
      kind: 'compare',
      probe: r.req,
      variants: this.view.compare.variants,
    });
    this.set({
      compare: {
        ...this.view.compare,
        running: false,
        sides: res.ok ? res.value : undefined,
        error: res.ok ? undefined : res.error,
      },
    });
  }

  /** What `command` prints on host `on` in the current lab. */
  command(
    on: string,
    command: string,
  ): Promise<{ ok: true; stdout: string; stderr: string } | { ok: false; error: string }> {
    return this.client()
      .request<'command'>(this.doc, { kind: 'command', on, command, now: Date.now() })
      .then((r) =>
        r.ok ? { ok: true as const, ...r.value } : { ok: false as const, error: r.error.message },
      );
  }
}

export const stepperStore = new StepperStore();

export function useStepper<T>(select: (v: StepperView) => T, store: StepperStore = stepperStore): T {
  return useSyncExternalStore(
    store.subscribe,
    () => select(store.get()),
    () => select(store.get()),
  );
}
