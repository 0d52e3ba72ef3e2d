/**
 * The editor window: menu bar, element palette, canvas, inspector, and the bottom panel where the
 * packet stepper (renderer/src/stepper/StepperPanel.tsx, owned by UI-STEPPER) mounts.
 */
import { useState, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import { CanvasHost } from '../canvas/CanvasHost';
import { Palette } from '../editor/Palette';
import { Inspector } from '../inspector/Inspector';
import { StepperPanel } from '../stepper/StepperPanel';
import { StatusBar } from './StatusBar';
import { Toolbar } from './Toolbar';

const HEIGHT_KEY = 'podpath.stepperHeight';

function initialHeight(): number {
  const v = Number(globalThis.localStorage?.getItem(HEIGHT_KEY));
  return Number.isFinite(v) && v >= 80 ? v : Math.round(window.innerHeight * 0.3);
}

export function Layout() {
  const { t } = useTranslation();
  const [height, setHeight] = useState(initialHeight);
  const resize = (h: number) => {
    const clamped = Math.max(80, Math.min(window.innerHeight - 200, Math.round(h)));
    setHeight(clamped);
    globalThis.localStorage?.setItem(HEIGHT_KEY, String(clamped));
  };
  return (
    <div
      className="pp-layout"
      data-testid="editor"
      style={{ '--pp-stepper-h': `${height}px` } as CSSProperties}
    >
      <Toolbar />
      <Palette />
      <main className="pp-canvas" aria-label={t('canvas.label')}>
        <CanvasHost />
      </main>
      <Inspector />
      <section className="pp-stepper" aria-label="Packet stepper" data-testid="stepper-panel">
        <div
          className="pp-splitter"
          role="separator"
          aria-orientation="horizontal"
          aria-valuenow={height}
          tabIndex={0}
          onPointerDown={(e) => {
            const startY = e.clientY;
            const start = height;
            const move = (ev: PointerEvent) => resize(start + startY - ev.clientY);
            const up = () => {
              window.removeEventListener('pointermove', move);
              window.removeEventListener('pointerup', up);
            };
            window.addEventListener('pointermove', move);
            window.addEventListener('pointerup', up);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowUp') resize(height + 30);
            if (e.key === 'ArrowDown') resize(height - 30);
          }}
        />
        <StepperPanel />
      </section>
      <StatusBar />
    </div>
  );
}
