/** The current hop: where, why (one sentence), the deciding table entry as the tool prints it, the headers. */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Stage } from '../../../shared-sim/src/index';
import type { Step } from '../worker/protocol';
import { HeaderTree } from './HeaderTree';
import { layerName } from './layerNames';
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
};

/** The command whose output the deciding entry is a line of, when it is one. */
export function toolFor(step: Step): string | undefined {
  const rule = step.hop.rule ?? '';
  if (step.hop.stage === 'route' && rule.startsWith('local ')) return 'ip route show table local';
  if (step.hop.stage === 'encap' && !/ dst \S+ self/.test(rule)) return undefined;
  // iptables-save lines start with -A (a rule) or -P (a chain policy); anything else is nft's syntax
  if (step.hop.stage === 'netfilter' && !/^-[AP] /.test(rule)) return 'nft list ruleset';
  return TOOL[step.hop.stage];
}

/** Stages whose hop shows the headers as they arrived, the translation taking effect after it. */
const REWRITING: ReadonlySet<Stage> = new Set(['netfilter', 'ipvs', 'conntrack']);

/** "IPv4 dst 10.99.9.225 → 10.244.0.3, TCP dst 80 → 8080": what a NAT hop rewrites. */
export function rewrites(step: Step, next: Step | undefined): string[] {
  if (!next || next.phase !== step.phase || !REWRITING.has(step.hop.stage)) return [];
  const d = diffLayers(step.hop.layers, next.hop.layers);
  const out: string[] = [];
  for (const c of d.layers)
    for (const [k, was] of Object.entries(c.changed)) {
      if (k === 'ttl' || k === 'length' || c.layer.type === 'eth') continue;
      const now = (c.layer as unknown as Record<string, unknown>)[k];
      out.push(`${layerName(c.layer)} ${k} ${String(was)} → ${String(now)}`);
    }
  return out;
}

export function HopDetail({
  step,
  previous,
  next,
  drop,
}: {
  step: Step;
  previous: Step | undefined;
  next: Step | undefined;
  /** The packet dies at this hop (dropped, rejected, no route …). */
  drop: boolean;
}) {
  const { t } = useTranslation('stepper');
  const diff = useMemo(() => diffLayers(previous?.hop.layers, step.hop.layers), [previous, step]);
  const rewrite = useMemo(() => rewrites(step, next), [step, next]);
  const tool = toolFor(step);
  return (
    <section
      className={`ps-hop${drop ? ' ps-hop-drop' : ''}${isReplyPhase(step.phase) ? ' ps-hop-reply' : ''}`}
      data-testid="hop-detail"
      data-stage={step.hop.stage}
      data-drop={drop || undefined}
      data-iface={step.hop.iface}
      aria-label={t('hop.current')}
    >
      <h3 className="ps-hop-title">
        <span className={`ps-phase ps-phase-${step.phase}`}>{t(`phase.${step.phase}`)}</span>{' '}
        <span className="ps-hop-host" data-testid="hop-host">
          {step.hop.host}
        </span>
        {step.hop.iface && <span className="ps-hop-iface"> {step.hop.iface}</span>}
        <span className={`ps-stage ps-stage-${step.hop.stage}`} data-testid="hop-stage">
          {t(`stage.${step.hop.stage}`)}
        </span>
        {step.mtu !== undefined && <span className="ps-hop-mtu">{t('hop.mtu', { mtu: step.mtu })}</span>}
      </h3>
      <div className="ps-hop-why">
        <span className="ps-label">{t('hop.why')}</span>
        <p data-testid="hop-why">{step.hop.detail}</p>
      </div>
      <div className="ps-hop-entry">
        <span className="ps-label">
          {t('hop.entry')}
          {tool && step.hop.rule && <code className="ps-tool"> {tool}</code>}
        </span>
        {step.hop.rule ? (
          <pre data-testid="hop-rule">{step.hop.rule}</pre>
        ) : (
          <p className="ps-muted">{t('hop.noEntry')}</p>
        )}
      </div>
      {rewrite.length > 0 && (
        <div className="ps-hop-rewrite" data-testid="hop-rewrite">
          <span className="ps-label">{t('hop.rewrites')}</span>
          <p>{rewrite.join(', ')}</p>
        </div>
      )}
      <HeaderTree diff={diff} />
    </section>
  );
}
