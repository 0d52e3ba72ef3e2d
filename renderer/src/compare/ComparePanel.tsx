/** Compare: the same probe under two CNI or kube-proxy modes, side by side, differences marked. */
import { Fragment, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorBox } from '../stepper/StepperView';
import { ProbeForm } from '../stepper/ProbeForm';
import { stackText } from '../stepper/layerNames';
import { stepperStore, useStepper } from '../stepper/stepperStore';
import type { CompareSide, LabVariant, Step } from '../worker/protocol';
import { alignSteps, summarize, type RowMark } from './align';
import { CNI_MODES, KUBE_PROXY_MODES } from './variant';

interface Option {
  readonly value: string;
  readonly label: string;
  readonly variant: LabVariant;
}

const OPTIONS: readonly Option[] = [
  ...(['flannel', 'calico'] as const).flatMap((plugin) =>
    CNI_MODES[plugin].flatMap((mode) => {
      const base: Option = {
        value: `cni:${plugin}:${mode}`,
        label: `${plugin === 'flannel' ? 'Flannel' : 'Calico'} ${mode}`,
        variant: { cni: { plugin, mode } },
      };
      return plugin === 'calico' && mode !== 'bgp'
        ? [
            base,
            {
              value: `cni:${plugin}:${mode}:cs`,
              label: `Calico ${mode} CrossSubnet`,
              variant: { cni: { plugin, mode, crossSubnet: true } },
            },
          ]
        : [base];
    }),
  ),
  ...KUBE_PROXY_MODES.map((mode): Option => ({
    value: `kp:${mode}`,
    label: `kube-proxy ${mode}`,
    variant: { kubeProxy: { mode } },
  })),
];

function optionValue(v: LabVariant): string {
  const o = OPTIONS.find((x) => JSON.stringify(x.variant) === JSON.stringify(v));
  return o?.value ?? OPTIONS[0]?.value ?? '';
}

function Cell({ step }: { step: Step | undefined }) {
  if (!step) return <td className="ps-cmp-empty" />;
  return (
    <td className="ps-cmp-cell">
      <div>
        <span className="ps-event-n">{step.index + 1}</span> <strong>{step.hop.host}</strong>
        {step.hop.iface ? ` ${step.hop.iface}` : ''}{' '}
        <span className={`ps-stage ps-stage-${step.hop.stage}`}>{step.hop.stage}</span>
        {step.mtu !== undefined && <span className="ps-muted"> MTU {step.mtu}</span>}
      </div>
      <div className="ps-cmp-detail">{step.hop.detail}</div>
      {step.hop.rule && <pre>{step.hop.rule}</pre>}
      <div className="ps-muted ps-cmp-stack">{stackText(step.hop.layers)}</div>
    </td>
  );
}

function Sides({ sides }: { sides: readonly [CompareSide, CompareSide] }) {
  const { t } = useTranslation('stepper');
  const [l, r] = sides;
  const rows = useMemo(
    () => (l.result && r.result ? alignSteps(l.result.steps, r.result.steps) : []),
    [l, r],
  );
  const summary = useMemo(() => (l.result && r.result ? summarize(l.result, r.result) : []), [l, r]);
  const differing = rows.filter((x) => x.marks.length > 0).length;
  let phase = '';
  return (
    <div className="ps-compare-result" data-testid="compare-result">
      {[l, r].map(
        (s, i) =>
          s.error && (
            <ErrorBox
              key={i}
              error={{
                ...s.error,
                message: `${s.label}: ${t('compare.failed', { message: s.error.message })}`,
              }}
            />
          ),
      )}
      {summary.length > 0 && (
        <table className="ps-cmp-summary" data-testid="compare-summary">
          <thead>
            <tr>
              <th>{t('compare.summary')}</th>
              <th>{l.label}</th>
              <th>{r.label}</th>
            </tr>
          </thead>
          <tbody>
            {summary.map((row) => (
              <tr
                key={row.key}
                className={row.differs ? 'ps-cmp-differs' : undefined}
                data-key={row.key}
                data-differs={row.differs}
              >
                <th>{t(`compare.rows.${row.key}`)}</th>
                <td>{row.left}</td>
                <td>{row.right}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rows.length > 0 && (
        <>
          <div className="ps-muted" data-testid="compare-count">
            {t('compare.differences', { count: differing })}
          </div>
          <table className="ps-cmp-rows" data-testid="compare-rows">
            <thead>
              <tr>
                <th>{l.label}</th>
                <th className="ps-cmp-marks-h" />
                <th>{r.label}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => {
                const p = (row.left ?? row.right)?.phase ?? '';
                const header = p !== phase;
                phase = p;
                const cls = row.marks.includes('only-left')
                  ? 'ps-cmp-only-left'
                  : row.marks.includes('only-right')
                    ? 'ps-cmp-only-right'
                    : row.marks.length
                      ? 'ps-cmp-changed'
                      : '';
                return (
                  <Fragment key={i}>
                    {header && (
                      <tr className={`ps-cmp-phase ps-phase-${p}`}>
                        <th colSpan={3}>{t(`phase.${p}`)}</th>
                      </tr>
                    )}
                    <tr
                      className={cls}
                      data-testid="compare-row"
                      data-phase={p}
                      data-marks={row.marks.join(' ')}
                    >
                      <Cell step={row.left} />
                      <td className="ps-cmp-marks">
                        {row.marks.map((m: RowMark) => (
                          <span key={m} className={`ps-badge ps-mark-${m}`}>
                            {t(`compare.marks.${m}`)}
                          </span>
                        ))}
                      </td>
                      <Cell step={row.right} />
                    </tr>
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

export function ComparePanel() {
  const { t } = useTranslation('stepper');
  const c = useStepper((v) => v.compare);
  return (
    <div className="ps-compare" data-testid="compare-view">
      <ProbeForm
        onSubmit={() => void stepperStore.compare()}
        submitLabel={c.running ? t('compare.running') : t('compare.run')}
        busy={c.running}
      />
      <div className="ps-compare-pick">
        {([0, 1] as const).map((side) => (
          <label key={side}>
            {side === 0 ? t('compare.left') : t('compare.right')}
            <select
              data-testid={`compare-variant-${side}`}
              value={optionValue(c.variants[side])}
              onChange={(e) => {
                const o = OPTIONS.find((x) => x.value === e.target.value);
                if (o) stepperStore.setVariant(side, o.variant);
              }}
            >
              {OPTIONS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
        ))}
        <span className="ps-muted ps-compare-hint">{t('compare.hint')}</span>
      </div>
      {c.error && <ErrorBox error={c.error} />}
      {c.sides && <Sides sides={c.sides} />}
    </div>
  );
}
