/** The debugger: controls, the hop list, the current hop, the verdict. */
import { useTranslation } from 'react-i18next';
import type { PacketTrace } from '../../../shared-sim/src/index';
import type { SimError, TraceResult } from '../worker/protocol';
import { EventList } from './EventList';
import { HopDetail } from './HopDetail';
import { ProbeForm } from './ProbeForm';
import { isDropStep } from './steps';
import { SPEEDS, previousInPhase, type Speed } from './stepperState';
import { stepperStore, useStepper } from './stepperStore';

export function ErrorBox({ error }: { error: SimError }) {
  const { t } = useTranslation('stepper');
  const text =
    error.code === 'lab-invalid' ? t('probe.invalidLab', { message: error.message }) : error.message;
  return (
    <div className="ps-error" role="alert" data-testid="stepper-error">
      {text}
      {error.code === 'probe' && error.dns && (
        <ul data-testid="stepper-error-dns">
          {error.dns.queries.map((q, i) => (
            <li key={i}>
              {q.name} A? → {q.rcode}
              {q.answer ? ` ${q.answer}` : ''}
              {q.server ? ` (${q.server})` : ''}
            </li>
          ))}
        </ul>
      )}
      {error.code === 'lab-invalid' && error.problems.length > 1 && (
        <ul>
          {error.problems.slice(0, 8).map((p, i) => (
            <li key={i}>{p.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Verdict({ packet, title }: { packet: PacketTrace; title: string }) {
  const { t } = useTranslation('stepper');
  const ok = packet.verdict === 'delivered';
  return (
    <div
      className={`ps-verdict ${ok ? 'ps-ok' : 'ps-bad'}`}
      data-testid="verdict"
      data-verdict={packet.verdict}
    >
      <strong>
        {title}: {t(`verdict.${packet.verdict}`)}
      </strong>
      <span> — {packet.reason}</span>
    </div>
  );
}

function Controls() {
  const { t } = useTranslation('stepper');
  const s = useStepper((v) => v.stepper);
  const elapsed = useStepper((v) => v.result?.timing);
  const total = s.steps.length;
  const none = total === 0;
  return (
    <div className="ps-controls" role="toolbar" aria-label={t('tabs.stepper')}>
      <button
        type="button"
        data-testid="step-reset"
        disabled={none}
        onClick={() => stepperStore.dispatch({ kind: 'reset' })}
        title={`${t('controls.reset')} (Home)`}
      >
        ↺ {t('controls.reset')}
      </button>
      <button
        type="button"
        data-testid="step-back"
        disabled={none || s.index <= 0}
        onClick={() => stepperStore.dispatch({ kind: 'back' })}
        title={`${t('controls.back')} (←)`}
      >
        ◀ {t('controls.back')}
      </button>
      <button
        type="button"
        data-testid="step-forward"
        disabled={none || s.index >= total - 1}
        onClick={() => stepperStore.dispatch({ kind: 'forward' })}
        title={`${t('controls.forward')} (→)`}
      >
        {t('controls.forward')} ▶
      </button>
      <button
        type="button"
        data-testid="step-run"
        disabled={none}
        onClick={() => stepperStore.dispatch({ kind: 'toggle' })}
        title={`${s.playing ? t('controls.pause') : t('controls.run')} (Space)`}
      >
        {s.playing ? `❚❚ ${t('controls.pause')}` : `▶▶ ${t('controls.run')}`}
      </button>
      <button
        type="button"
        data-testid="step-next-packet"
        disabled={none}
        onClick={() => stepperStore.dispatch({ kind: 'nextPhase' })}
        title={`${t('controls.nextPacket')} (PageDown)`}
      >
        {t('controls.nextPacket')} ⇥
      </button>
      <label className="ps-speed">
        {t('controls.speed')}
        <select
          data-testid="step-speed"
          value={s.speed}
          onChange={(e) => stepperStore.dispatch({ kind: 'speed', speed: Number(e.target.value) as Speed })}
        >
          {SPEEDS.map((sp) => (
            <option key={sp} value={sp}>
              {t('controls.speedValue', { speed: sp })}
            </option>
          ))}
        </select>
      </label>
      <span className="ps-position" data-testid="step-position" aria-live="polite">
        {none ? t('controls.notStarted') : t('controls.position', { n: s.index + 1, total })}
      </span>
      {elapsed && (
        <span className="ps-muted ps-timing">
          {t('controls.timing', { ms: Math.round(elapsed.walkMs + elapsed.compileMs) })}
        </span>
      )}
    </div>
  );
}

function Body({ result, index }: { result: TraceResult; index: number }) {
  const { t } = useTranslation('stepper');
  const step = result.steps[index];
  const atEnd = index === result.steps.length - 1;
  return (
    <div className="ps-stepper-body">
      <EventList result={result} index={index} />
      <div className="ps-stepper-detail">
        {step && (
          <HopDetail
            step={step}
            previous={previousInPhase(result.steps, index)}
            next={result.steps[index + 1]}
            drop={isDropStep(result, index)}
          />
        )}
        <div className="ps-verdicts" data-testid="verdicts">
          {result.dns && (
            <div className={`ps-verdict ${result.dns.address ? 'ps-ok' : 'ps-bad'}`} data-testid="dns-result">
              <strong>{t('hop.dns')}:</strong>{' '}
              {result.dns.queries
                .map((q) => `${q.name} A? → ${q.rcode}${q.answer ? ` ${q.answer}` : ''}`)
                .join('; ')}
            </div>
          )}
          <Verdict packet={result.trace} title={t('phase.request')} />
          {result.trace.reply ? (
            <Verdict packet={result.trace.reply} title={t('phase.reply')} />
          ) : (
            result.trace.verdict !== 'delivered' && <div className="ps-muted">{t('hop.noReply')}</div>
          )}
          {atEnd && Object.keys(result.conntrack).length > 0 && (
            <details className="ps-conntrack" data-testid="conntrack">
              <summary>{t('hop.conntrack')}</summary>
              {Object.entries(result.conntrack).map(([host, lines]) => (
                <div key={host}>
                  <div className="ps-muted">{host}</div>
                  <pre>{lines.join('\n')}</pre>
                </div>
              ))}
            </details>
          )}
        </div>
      </div>
    </div>
  );
}

export function StepperView() {
  const { t } = useTranslation('stepper');
  const running = useStepper((v) => v.running);
  const result = useStepper((v) => v.result);
  const error = useStepper((v) => v.error);
  const index = useStepper((v) => v.stepper.index);
  const hasLab = useStepper((v) => (v.endpoints?.sources.length ?? 0) > 0);
  return (
    <div className="ps-stepper-view" data-testid="stepper-view">
      <ProbeForm
        onSubmit={() => void stepperStore.run()}
        submitLabel={running ? t('probe.tracing') : t('probe.trace')}
        busy={running}
      />
      <Controls />
      {error && <ErrorBox error={error} />}
      {!hasLab && !result && !error && <p className="ps-muted">{t('probe.noLab')}</p>}
      {result && <Body result={result} index={index} />}
    </div>
  );
}
