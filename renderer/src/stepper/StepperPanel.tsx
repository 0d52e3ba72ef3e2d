/**
 * The bottom panel: the packet stepper, Compare and the terminal, on the lab the editor holds.
 * Mounted by app/Layout.tsx. Keeps the simulation worker's lab in step with the document, and
 * handles the stepper's keys while focus is inside the panel (→ ← step, Space run/pause, Home
 * reset, End last hop, PageDown next packet).
 */
import { useEffect, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ComparePanel } from '../compare/ComparePanel';
import { useEditor } from '../model/store';
import { TerminalPanel } from '../terminal/TerminalPanel';
import './messages';
import './stepper.css';
import type { StepperEvent } from './stepperState';
import { stepperStore, useStepper, type PanelTab } from './stepperStore';
import { StepperView } from './StepperView';

const TABS: readonly PanelTab[] = ['stepper', 'compare', 'terminal'];

const KEYS: Readonly<Record<string, StepperEvent>> = {
  ArrowRight: { kind: 'forward' },
  ArrowLeft: { kind: 'back' },
  ' ': { kind: 'toggle' },
  Home: { kind: 'reset' },
  End: { kind: 'last' },
  PageDown: { kind: 'nextPhase' },
};

/** Keys typed into a field belong to the field. */
function typing(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
  );
}

export function onStepperKey(e: KeyboardEvent<HTMLElement>): void {
  if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
  const ev = KEYS[e.key];
  if (!ev || stepperStore.get().tab !== 'stepper') return;
  if (e.key === ' ' && e.target instanceof HTMLButtonElement) return; // Space presses the focused button
  e.preventDefault();
  stepperStore.dispatch(ev);
}

export function StepperPanel() {
  const { t } = useTranslation('stepper');
  const tab = useStepper((v) => v.tab);
  const doc = useEditor((s) => s.doc);
  const selection = useEditor((s) => s.selection);
  useEffect(() => {
    // a drag changes the document every frame: let it settle before the worker compiles
    const timer = setTimeout(() => void stepperStore.setLab(doc), 80);
    return () => clearTimeout(timer);
  }, [doc]);
  // a selected pod/node/client becomes the source when no walk is shown yet
  useEffect(() => {
    const first = selection[0];
    const v = stepperStore.get();
    if (first && !v.result && v.endpoints?.sources.includes(first)) stepperStore.setForm({ from: first });
  }, [selection]);
  return (
    <div className="ps-stepper-panel" data-testid="stepper-root" onKeyDown={onStepperKey}>
      <div className="ps-tabs" role="tablist">
        {TABS.map((id) => (
          <button
            key={id}
            type="button"
            role="tab"
            id={`ps-tab-${id}`}
            aria-selected={tab === id}
            aria-controls={`ps-tabpanel-${id}`}
            data-testid={`stepper-tab-${id}`}
            className={tab === id ? 'ps-tab ps-tab-active' : 'ps-tab'}
            onClick={() => stepperStore.setTab(id)}
          >
            {t(`tabs.${id}`)}
          </button>
        ))}
      </div>
      <div
        className="ps-tabpanel"
        role="tabpanel"
        id={`ps-tabpanel-${tab}`}
        aria-labelledby={`ps-tab-${tab}`}
        tabIndex={-1}
      >
        {tab === 'stepper' && <StepperView />}
        {tab === 'compare' && <ComparePanel />}
        {tab === 'terminal' && <TerminalPanel selected={selection[0]} />}
      </div>
    </div>
  );
}
