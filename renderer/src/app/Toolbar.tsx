/** The menu bar (File, Edit, Insert, View) and quick buttons, all driven by the action registry. */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isEnabled, runAction, useActionsVersion } from '../actions/manager';
import { ACTIONS, getAction } from '../actions/registry';
import { formatShortcut } from '../actions/shortcuts';
import type { ActionGroup, ActionId } from '../actions/types';
import { editorStore, useEditor } from '../model/store';
import { Icon } from './Icon';

const MENUS: readonly { key: string; groups: readonly ActionGroup[] }[] = [
  { key: 'file', groups: ['file'] },
  { key: 'edit', groups: ['edit', 'canvas'] },
  { key: 'insert', groups: ['insert'] },
  { key: 'view', groups: ['view'] },
];

function Menu(props: {
  menuKey: string;
  groups: readonly ActionGroup[];
  open: boolean;
  setOpen: (k: string | null) => void;
}) {
  const { t } = useTranslation();
  const state = useActionsVersion();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (props.open)
      ref.current?.querySelector<HTMLButtonElement>('[role="menuitem"]:not([disabled])')?.focus();
  }, [props.open]);
  const items = ACTIONS.filter((a) => props.groups.includes(a.group));
  return (
    <div className="pp-menubar-item">
      <button
        className="pp-menubar-button"
        aria-haspopup="menu"
        aria-expanded={props.open}
        data-testid={`menu-${props.menuKey}`}
        onClick={() => props.setOpen(props.open ? null : props.menuKey)}
      >
        {t(`menu.${props.menuKey}`)}
      </button>
      {props.open && (
        <div
          ref={ref}
          className="pp-menu"
          role="menu"
          onKeyDown={(e) => {
            if (e.key === 'Escape') props.setOpen(null);
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault();
              const buttons = [
                ...(ref.current?.querySelectorAll<HTMLButtonElement>('button:not([disabled])') ?? []),
              ];
              const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
              buttons[(i + (e.key === 'ArrowDown' ? 1 : -1) + buttons.length) % buttons.length]?.focus();
            }
          }}
        >
          {items.map((a) => {
            const enabled = a.enabled ? a.enabled(state, editorStore) : true;
            const checked = a.checked?.(state);
            const key = a.keys?.[0];
            return (
              <button
                key={a.id}
                role={checked === undefined ? 'menuitem' : 'menuitemcheckbox'}
                aria-checked={checked}
                disabled={!enabled}
                data-action={a.id}
                onClick={() => {
                  props.setOpen(null);
                  runAction(a.id);
                }}
              >
                <span className="pp-check" aria-hidden="true">
                  {checked ? '✓' : ''}
                </span>
                <span>{t(a.labelKey)}</span>
                {key && <kbd>{formatShortcut(key)}</kbd>}
              </button>
            );
          })}
        </div>
      )}
    </div>
  );
}

function QuickButton(props: { id: ActionId; icon: string }) {
  const { t } = useTranslation();
  useActionsVersion();
  const a = getAction(props.id);
  const key = a.keys?.[0];
  const label = t(a.labelKey);
  return (
    <button
      className="pp-quick"
      data-testid={`action-${props.id}`}
      disabled={!isEnabled(props.id)}
      title={key ? `${label} (${formatShortcut(key)})` : label}
      aria-label={label}
      onClick={() => runAction(props.id)}
    >
      <Icon name={props.icon} />
    </button>
  );
}

export function Toolbar() {
  const { t } = useTranslation();
  const [open, setOpen] = useState<string | null>(null);
  const name = useEditor((s) => (typeof s.doc.name === 'string' ? s.doc.name : ''));
  const language = useEditor((s) => s.prefs.language);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (!(e.target instanceof HTMLElement) || !e.target.closest('.pp-menubar-item')) setOpen(null);
    };
    window.addEventListener('mousedown', close);
    return () => window.removeEventListener('mousedown', close);
  }, [open]);
  return (
    <header className="pp-toolbar">
      <span className="pp-brand">{t('app.name')}</span>
      <nav className="pp-menubar" aria-label="menu">
        {MENUS.map((m) => (
          <Menu key={m.key} menuKey={m.key} groups={m.groups} open={open === m.key} setOpen={setOpen} />
        ))}
      </nav>
      <div className="pp-quickbar">
        <QuickButton id="edit.undo" icon="undo" />
        <QuickButton id="edit.redo" icon="redo" />
        <QuickButton id="lab.save" icon="save" />
        <QuickButton id="view.fit" icon="fit" />
      </div>
      <span className="pp-lab-name" data-testid="lab-name">
        {name}
      </span>
      <label className="pp-lang">
        <span className="pp-sr-only">{t('language.label')}</span>
        <select
          data-testid="language"
          value={language}
          onChange={(e) => runAction('view.language', e.target.value)}
        >
          <option value="en">{t('language.en')}</option>
          <option value="zh">{t('language.zh')}</option>
        </select>
      </label>
      <QuickButton id="view.toggleTheme" icon="theme" />
    </header>
  );
}
