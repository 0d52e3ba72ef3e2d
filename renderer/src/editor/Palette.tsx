/**
 * The element palette: drag an item onto the canvas (it lands where it is dropped, attached to
 * what it is dropped on), or focus it and press Enter to add it at the centre of the view.
 */
import { useTranslation } from 'react-i18next';
import { runAction } from '../actions/manager';
import { getAction } from '../actions/registry';
import type { ActionId } from '../actions/types';
import { INSERT_MIME } from '../canvas/CanvasHost';

const ITEMS: readonly { id: ActionId; icon: string; kind: string }[] = [
  { id: 'insert.node', icon: '▭', kind: 'node' },
  { id: 'insert.pod', icon: '◆', kind: 'pod' },
  { id: 'insert.router', icon: '◎', kind: 'router' },
  { id: 'insert.client', icon: '▢', kind: 'client' },
  { id: 'insert.network', icon: '═', kind: 'network' },
  { id: 'insert.service', icon: '⬡', kind: 'svc' },
  { id: 'insert.networkPolicy', icon: '⊘', kind: 'netpol' },
];

export function Palette() {
  const { t } = useTranslation();
  return (
    <nav className="pp-palette" aria-label={t('palette.title')}>
      <h2>{t('palette.title')}</h2>
      <ul>
        {ITEMS.map((item) => {
          const key = getAction(item.id).keys?.[0];
          return (
            <li key={item.id}>
              <button
                className={`pp-palette-item pp-kind-${item.kind}`}
                data-testid={`palette-${item.kind}`}
                draggable
                title={`${t(getAction(item.id).labelKey)}${key ? ` (${key})` : ''}`}
                onDragStart={(e) => {
                  e.dataTransfer.setData(INSERT_MIME, item.id);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
                onClick={() => runAction(item.id)}
              >
                <span className="pp-palette-icon" aria-hidden="true">
                  {item.icon}
                </span>
                <span>{t(getAction(item.id).labelKey)}</span>
              </button>
            </li>
          );
        })}
      </ul>
      <p className="pp-hint">{t('palette.hint')}</p>
    </nav>
  );
}
