/** The current hop: where, why (one sentence), the deciding table entry as the tool prints it, the headers. */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Stage } from '../../../shared-sim/src/index';
import type { Step } from '../worker/protocol';
import { HeaderTree } from './HeaderTree';
import { diffLayers } from './layerDiff';
import { isReplyPhase } from './steps';

/** The tool whose output the deciding entry is a line of. */
const TOOL: Partial<Record<Stage, string>> = {
  route: 'ip route',
  arp: 'ip neigh',
  bridge: 'bridge fdb show',
  netfilter: 'iptables-save',
  ipvs: 'ipvsadm -Ln',
  conntrack: 'conntrack -L',
  encap: 'bridge fdb show',
  deliver: 'ss -lntu',
};

function toolFor(step: Step): string | undefined {
  const rule = step.hop.rule ?? '';
  if (step.hop.stage === 'netfilter' && /^(add |table |chain |\s*(ip|meta|ct|numgen|jump|goto)\b)/.test(rule))
    return 'nft list ruleset';
  if (step.hop.stage === 'deliver' && !/LISTEN/.test(rule)) return undefined;
  return TOOL[step.hop.stage];
}

export function HopDetail({ step, previous }: { step: Step; previous: Step | undefined }) {
  const { t } = useTranslation('stepper');
  const diff = useMemo(() => diffLayers(previous?.hop.layers, step.hop.layers), [previous, step]);
  const drop = step.hop.stage === 'drop';
  const tool = toolFor(step);
  return (
    <section
      className={`pp-hop${drop ? ' pp-hop-drop' : ''}${isReplyPhase(step.phase) ? ' pp-hop-reply' : ''}`}
      data-testid="hop-detail"
      aria-label={t('hop.current')}
    >
      <h3 className="pp-hop-title">
        <span className={`pp-phase pp-phase-${step.phase}`}>{t(`phase.${step.phase}`)}</span>{' '}
        <span className="pp-hop-host" data-testid="hop-host">
          {step.hop.host}
        </span>
        {step.hop.iface && <span className="pp-hop-iface"> {step.hop.iface}</span>}
        <span className={`pp-stage pp-stage-${step.hop.stage}`} data-testid="hop-stage">
          {t(`stage.${step.hop.stage}`)}
        </span>
        {step.mtu !== undefined && <span className="pp-hop-mtu">{t('hop.mtu', { mtu: step.mtu })}</span>}
      </h3>
      <div className="pp-hop-why">
        <span className="pp-label">{t('hop.why')}</span>
        <p data-testid="hop-why">{step.hop.detail}</p>
      </div>
      <div className="pp-hop-entry">
        <span className="pp-label">{tool ? t('hop.entryTool', { tool }) : t('hop.entry')}</span>
        {step.hop.rule ? (
          <pre data-testid="hop-rule">{step.hop.rule}</pre>
        ) : (
          <p className="pp-muted">{t('hop.noEntry')}</p>
        )}
      </div>
      <HeaderTree diff={diff} />
    </section>
  );
}
