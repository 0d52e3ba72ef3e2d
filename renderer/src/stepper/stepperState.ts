/**
 * The stepper as a debugger: a pure reducer over (steps, current index, playing, speed). The view
 * dispatches; a timer dispatches `tick` while playing. Index -1 means "loaded, not started".
 */
import type { Step } from '../worker/protocol';

/** Steps per second for each speed setting. */
export const SPEEDS = [0.5, 1, 2, 4, 8] as const;
export type Speed = (typeof SPEEDS)[number];

export interface StepperState {
  readonly steps: readonly Step[];
  readonly index: number;
  readonly playing: boolean;
  readonly speed: Speed;
}

export type StepperEvent =
  | { readonly kind: 'load'; readonly steps: readonly Step[] }
  | { readonly kind: 'clear' }
  | { readonly kind: 'forward' }
  | { readonly kind: 'back' }
  | { readonly kind: 'jump'; readonly index: number }
  | { readonly kind: 'first' }
  | { readonly kind: 'last' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'play' }
  | { readonly kind: 'pause' }
  | { readonly kind: 'toggle' }
  | { readonly kind: 'tick' }
  | { readonly kind: 'speed'; readonly speed: Speed }
  | { readonly kind: 'nextPhase' };

export const INITIAL: StepperState = { steps: [], index: -1, playing: false, speed: 2 };

function clamp(s: StepperState, i: number): number {
  return Math.max(-1, Math.min(s.steps.length - 1, i));
}

export function stepperReducer(s: StepperState, e: StepperEvent): StepperState {
  const last = s.steps.length - 1;
  switch (e.kind) {
    case 'load':
      // a new walk starts at its first hop, so the panel shows something at once
      return { ...s, steps: e.steps, index: e.steps.length ? 0 : -1, playing: false };
    case 'clear':
      return { ...s, steps: [], index: -1, playing: false };
    case 'forward':
      return { ...s, index: clamp(s, s.index + 1), playing: false };
    case 'back':
      return { ...s, index: Math.max(s.steps.length ? 0 : -1, s.index - 1), playing: false };
    case 'jump':
      return { ...s, index: clamp(s, e.index), playing: false };
    case 'first':
    case 'reset':
      return { ...s, index: s.steps.length ? 0 : -1, playing: false };
    case 'last':
      return { ...s, index: last, playing: false };
    case 'play':
      if (!s.steps.length) return s;
      // run from the start when already at the end, as a debugger's "restart and run" would
      return { ...s, index: s.index >= last ? 0 : s.index, playing: true };
    case 'pause':
      return { ...s, playing: false };
    case 'toggle':
      return stepperReducer(s, { kind: s.playing ? 'pause' : 'play' });
    case 'tick':
      if (!s.playing) return s;
      if (s.index >= last) return { ...s, playing: false };
      return { ...s, index: s.index + 1, playing: s.index + 1 < last };
    case 'speed':
      return { ...s, speed: e.speed };
    case 'nextPhase': {
      const cur = s.steps[s.index];
      const next = s.steps.find((x) => x.index > s.index && x.phase !== cur?.phase);
      return { ...s, index: next ? next.index : last, playing: false };
    }
  }
}

/** The step before `index` in the same packet, whose layers this one is compared with. */
export function previousInPhase(steps: readonly Step[], index: number): Step | undefined {
  const cur = steps[index];
  const prev = steps[index - 1];
  return cur && prev && prev.phase === cur.phase ? prev : undefined;
}

/** Milliseconds between ticks at a speed. */
export function tickInterval(speed: Speed): number {
  return Math.round(1000 / speed);
}
