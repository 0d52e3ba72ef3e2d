import { describe, expect, it } from 'vitest';
import {
  INITIAL,
  previousInPhase,
  stepperReducer,
  tickInterval,
  type StepperEvent,
  type StepperState,
} from '../../../renderer/src/stepper/stepperState';
import type { Phase, Step } from '../../../renderer/src/worker/protocol';

function steps(...phases: Phase[]): Step[] {
  return phases.map((phase, index) => ({
    index,
    phase,
    hopIndex: index,
    hop: { host: 'node/n', stage: 'route', detail: `hop ${index}`, layers: [] },
  }));
}

function run(s: StepperState, ...events: StepperEvent[]): StepperState {
  return events.reduce(stepperReducer, s);
}

describe('stepperReducer', () => {
  const four = steps('request', 'request', 'reply', 'reply');

  it('starts a loaded walk at its first hop, and an empty one at none', () => {
    expect(run(INITIAL, { kind: 'load', steps: four }).index).toBe(0);
    expect(run(INITIAL, { kind: 'load', steps: [] }).index).toBe(-1);
  });

  it('steps forward and back within bounds, like a debugger', () => {
    const s = run(INITIAL, { kind: 'load', steps: four });
    expect(run(s, { kind: 'forward' }, { kind: 'forward' }).index).toBe(2);
    expect(run(s, ...Array<StepperEvent>(9).fill({ kind: 'forward' })).index).toBe(3);
    expect(run(s, { kind: 'back' }).index).toBe(0);
    expect(run(s, { kind: 'last' }, { kind: 'back' }).index).toBe(2);
    expect(run(s, { kind: 'jump', index: 99 }).index).toBe(3);
    expect(run(s, { kind: 'last' }, { kind: 'reset' }).index).toBe(0);
  });

  it('runs to the end on ticks and stops there', () => {
    let s = run(INITIAL, { kind: 'load', steps: four }, { kind: 'play' });
    expect(s.playing).toBe(true);
    s = run(s, { kind: 'tick' }, { kind: 'tick' });
    expect(s).toMatchObject({ index: 2, playing: true });
    s = run(s, { kind: 'tick' });
    expect(s).toMatchObject({ index: 3, playing: false });
    expect(run(s, { kind: 'tick' })).toBe(s);
  });

  it('restarts from the first hop when run at the end; any step pauses', () => {
    const s = run(INITIAL, { kind: 'load', steps: four }, { kind: 'last' }, { kind: 'play' });
    expect(s).toMatchObject({ index: 0, playing: true });
    expect(run(s, { kind: 'forward' })).toMatchObject({ index: 1, playing: false });
    expect(run(s, { kind: 'toggle' }).playing).toBe(false);
    expect(run(INITIAL, { kind: 'play' })).toBe(INITIAL);
  });

  it('jumps to the next packet (request → reply)', () => {
    const s = run(INITIAL, { kind: 'load', steps: four }, { kind: 'nextPhase' });
    expect(s.index).toBe(2);
  });

  it('keeps the speed across loads and converts it to a tick interval', () => {
    const s = run(INITIAL, { kind: 'speed', speed: 8 }, { kind: 'load', steps: four });
    expect(s.speed).toBe(8);
    expect(tickInterval(8)).toBe(125);
    expect(tickInterval(0.5)).toBe(2000);
  });
});

describe('previousInPhase', () => {
  it('is the step before in the same packet, none across packets', () => {
    const s = steps('request', 'request', 'reply');
    expect(previousInPhase(s, 1)?.index).toBe(0);
    expect(previousInPhase(s, 2)).toBeUndefined();
    expect(previousInPhase(s, 0)).toBeUndefined();
  });
});
