/**
 * PLACEHOLDER owned by UI-STEPPER: replace this file with the packet stepper.
 * Mounted by renderer/src/app/Layout.tsx in the bottom panel (`<StepperPanel />`, no props yet).
 * The lab store (renderer/src/model/) will expose the current lab document and selection.
 */
export function StepperPanel() {
  return <div className="pp-stepper-placeholder" />;
}
