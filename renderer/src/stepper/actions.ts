/**
 * The stepper's actions, registered in the app's action registry (actions/registry.ts) so the
 * keyboard, the menus and the command palette reach them: debugger keys (F9 trace, F10 step,
 * Shift+F10 step back, F8 run/pause, Shift+F8 reset), working wherever focus is outside a field.
 */
import type { Action } from '../actions/types';
import './messages';
import { stepperStore } from './stepperStore';

const hasSteps = (): boolean => stepperStore.get().stepper.steps.length > 0;

export const STEPPER_ACTIONS: readonly Action[] = [
  {
    id: 'stepper.trace',
    group: 'view',
    labelKey: 'stepper:actions.trace',
    keys: ['F9'],
    enabled: (s) => s.screen === 'editor',
    run: () => {
      stepperStore.setTab('stepper');
      return stepperStore.run();
    },
  },
  {
    id: 'stepper.forward',
    group: 'view',
    labelKey: 'stepper:actions.forward',
    keys: ['F10'],
    enabled: () => {
      const s = stepperStore.get().stepper;
      return s.index < s.steps.length - 1;
    },
    run: () => stepperStore.dispatch({ kind: 'forward' }),
  },
  {
    id: 'stepper.back',
    group: 'view',
    labelKey: 'stepper:actions.back',
    keys: ['Shift+F10'],
    enabled: () => stepperStore.get().stepper.index > 0,
    run: () => stepperStore.dispatch({ kind: 'back' }),
  },
  {
    id: 'stepper.run',
    group: 'view',
    labelKey: 'stepper:actions.run',
    keys: ['F8'],
    enabled: hasSteps,
    run: () => stepperStore.dispatch({ kind: 'toggle' }),
  },
  {
    id: 'stepper.reset',
    group: 'view',
    labelKey: 'stepper:actions.reset',
    keys: ['Shift+F8'],
    enabled: hasSteps,
    run: () => stepperStore.dispatch({ kind: 'reset' }),
  },
];
