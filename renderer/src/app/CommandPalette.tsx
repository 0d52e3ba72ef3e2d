/** The command palette (Ctrl+K): every action, searchable by its label in the current language. */
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isEnabled, runAction } from '../actions/manager';
import { ACTIONS } from '../actions/registry';
import { formatShortcut } from '../actions/shortcuts';

export function CommandPalette(props: { onClose: () => void }) {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState(0);
  const items = useMemo(() => {
    const q = query.trim().toLowerCase();
    return ACTIONS.filter((a) => a.id !== 'view.commandPalette' && isEnabled(a.id)).filter(
      (a) => q === '' || t(a.labelKey).toLowerCase().includes(q) || a.id.includes(q),
    );
  }, [query, t]);
  const run = (i: number) => {
    const a = items[i];
    if (!a) return;
    props.onClose();
    runAction(a.id);
  };
  return (
    <div className="pp-backdrop" onMouseDown={props.onClose}>
      <div
        className="pp-command"
        role="dialog"
        aria-modal="true"
        aria-label={t('actions.view.commandPalette')}
        onMouseDown={(e) => e.stopPropagation()}
      >
        <input
          autoFocus
          placeholder={t('palette2.search')}
          value={query}
          data-testid="command-input"
          onChange={(e) => {
            setQuery(e.target.value);
            setIndex(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') props.onClose();
            else if (e.key === 'ArrowDown') setIndex((i) => Math.min(i + 1, items.length - 1));
            else if (e.key === 'ArrowUp') setIndex((i) => Math.max(i - 1, 0));
            else if (e.key === 'Enter') run(index);
            else return;
            e.preventDefault();
          }}
        />
        <ul role="listbox">
          {items.length === 0 && <li className="pp-hint">{t('palette2.noMatch')}</li>}
          {items.map((a, i) => (
            <li
              key={a.id}
              role="option"
              aria-selected={i === index}
              className={i === index ? 'active' : ''}
              onMouseDown={() => run(i)}
            >
              <span>{t(a.labelKey)}</span>
              {a.keys?.[0] && <kbd>{formatShortcut(a.keys[0])}</kbd>}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
