/**
 * The header stack of the current hop as a collapsible tree, outermost first, like Wireshark's
 * detail pane; layers inside a tunnel are indented; fields this hop changed are highlighted with
 * the value they had before, layers it added are marked new, layers it removed are listed.
 */
import { useTranslation } from 'react-i18next';
import type { Layer } from '../../../shared-sim/src/index';
import type { LayerDiff } from './layerDiff';
import { layerName, layerSummary, stackText } from './layerNames';

type FieldValue = string | number | boolean | undefined;

function fieldKey(l: Layer, k: string): string {
  if ((l.type === 'udp' || l.type === 'tcp' || l.type === 'sctp') && (k === 'src' || k === 'dst'))
    return k === 'src' ? 'srcPort' : 'dstPort';
  return k;
}

function show(v: FieldValue, yes: string, no: string): string {
  if (v === undefined) return '—';
  if (typeof v === 'boolean') return v ? yes : no;
  return String(v);
}

/** Tunnel depth of each layer: layers after a VXLAN header or inside IP-in-IP sit one level deeper. */
function depths(layers: readonly Layer[]): number[] {
  let d = 0;
  return layers.map((l) => {
    const mine = d;
    if (l.type === 'vxlan' || (l.type === 'ipv4' && l.protocol === 'ipip')) d++;
    return mine;
  });
}

export function HeaderTree({ diff }: { diff: LayerDiff }) {
  const { t } = useTranslation('stepper');
  const depth = depths(diff.layers.map((c) => c.layer));
  return (
    <div className="ps-headers" data-testid="header-tree" aria-label={t('hop.headers')}>
      <span className="ps-label">{t('hop.headers')}</span>
      <div className="ps-headers-stack" data-testid="header-stack">
        {stackText(diff.layers.map((c) => c.layer))}
      </div>
      {diff.layers.map((c, i) => {
        const changedKeys = Object.keys(c.changed);
        const entries = Object.entries(c.layer).filter(([k]) => k !== 'type') as [string, FieldValue][];
        return (
          <details
            key={i}
            open={c.added || changedKeys.length > 0 || diff.layers.length <= 3}
            className={`ps-layer${c.added ? ' ps-layer-added' : ''}${changedKeys.length ? ' ps-layer-changed' : ''}`}
            style={{ marginLeft: `${(depth[i] ?? 0) * 16}px` }}
            data-testid="header-layer"
            data-layer={c.layer.type}
          >
            <summary>
              <span className="ps-layer-name">{layerName(c.layer)}</span>
              <span className="ps-layer-summary">, {layerSummary(c.layer)}</span>
              {c.added && <span className="ps-badge ps-badge-new">{t('hop.added')}</span>}
              {changedKeys.length > 0 && (
                <span className="ps-badge ps-badge-changed">{t('hop.changed')}</span>
              )}
            </summary>
            <ul>
              {entries.map(([k, v]) => {
                const changed = changedKeys.includes(k);
                return (
                  <li
                    key={k}
                    className={changed ? 'ps-field-changed' : undefined}
                    data-field={k}
                    data-changed={changed || undefined}
                  >
                    <span className="ps-field-name">{t(`field.${fieldKey(c.layer, k)}`)}:</span>{' '}
                    <span className="ps-field-value">{show(v, t('field.yes'), t('field.no'))}</span>
                    {changed && (
                      <span className="ps-field-was">
                        {' '}
                        ({t('hop.was', { value: show(c.changed[k], t('field.yes'), t('field.no')) })})
                      </span>
                    )}
                  </li>
                );
              })}
            </ul>
          </details>
        );
      })}
      {diff.removed.length > 0 && (
        <div className="ps-layers-removed" data-testid="layers-removed">
          {t('hop.removed', { layers: stackText(diff.removed) })}
        </div>
      )}
    </div>
  );
}
