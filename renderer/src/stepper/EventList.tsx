/** Every hop of the walk, packet by packet (request, then reply in another colour); click to jump. */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { Phase, Step, TraceResult } from '../worker/protocol';
import { isDropStep, packetOf } from './steps';
import { stepperStore } from './stepperStore';

export function EventList({ result, index }: { result: TraceResult; index: number }) {
  const { t } = useTranslation('stepper');
  const current = useRef<HTMLLIElement | null>(null);
  useEffect(() => {
    current.current?.scrollIntoView({ block: 'nearest' });
  }, [index]);
  const groups: { phase: Phase; steps: Step[] }[] = [];
  for (const s of result.steps) {
    const g = groups[groups.length - 1];
    if (g && g.phase === s.phase) g.steps.push(s);
    else groups.push({ phase: s.phase, steps: [s] });
  }
  return (
    <div className="ps-events" aria-label={t('hop.events')}>
      {groups.map((g) => {
        const packet = packetOf(result, g.phase);
        const ok = packet?.verdict === 'delivered';
        return (
          <div key={g.phase} className={`ps-event-group ps-phase-${g.phase}`}>
            <div className="ps-event-group-title">
              {t(`phase.${g.phase}`)}
              {packet && (
                <span className={`ps-verdict-chip ${ok ? 'ps-ok' : 'ps-bad'}`}>
                  {t(`verdict.${packet.verdict}`)}
                </span>
              )}
            </div>
            <ol className="ps-event-list" data-testid={`events-${g.phase}`}>
              {g.steps.map((s) => {
                const isCur = s.index === index;
                const drop = isDropStep(result, s.index);
                return (
                  <li
                    key={s.index}
                    ref={isCur ? current : undefined}
                    className={`ps-event${isCur ? ' ps-event-current' : ''}${s.index < index ? ' ps-event-past' : ''}${drop ? ' ps-event-drop' : ''}`}
                    data-testid="event"
                    data-index={s.index}
                    aria-current={isCur ? 'step' : undefined}
                  >
                    <button
                      type="button"
                      onClick={() => stepperStore.dispatch({ kind: 'jump', index: s.index })}
                    >
                      <span className="ps-event-n">{s.index + 1}</span>
                      <span className={`ps-stage ps-stage-${s.hop.stage}`}>{t(`stage.${s.hop.stage}`)}</span>
                      <span className="ps-event-host">
                        {s.hop.host}
                        {s.hop.iface ? ` ${s.hop.iface}` : ''}
                      </span>
                      <span className="ps-event-detail">{s.hop.detail}</span>
                    </button>
                  </li>
                );
              })}
            </ol>
          </div>
        );
      })}
    </div>
  );
}
