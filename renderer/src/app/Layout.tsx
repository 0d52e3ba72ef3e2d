import { StepperPanel } from '../stepper/StepperPanel';

/**
 * The editor window: toolbar, palette, canvas, inspector, and the bottom panel where the packet
 * stepper (renderer/src/stepper/StepperPanel.tsx, owned by UI-STEPPER) mounts.
 */
export function Layout() {
  return (
    <div className="pp-layout">
      <header className="pp-toolbar">Podpath</header>
      <main className="pp-canvas" />
      <section className="pp-stepper" aria-label="Packet stepper">
        <StepperPanel />
      </section>
    </div>
  );
}
