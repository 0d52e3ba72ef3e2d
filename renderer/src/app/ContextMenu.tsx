/** The canvas context menu: actions for the selection, or inserts at the clicked point. */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { isEnabled, runAction } from '../actions/manager';
import { ACTIONS } from '../actions/registry';
import { formatShortcut } from '../actions/shortcuts';
import type { ActionId } from '../actions/types';
import type { Position } from '../model/labDoc';
import { editorStore, useEditor } from '../model/store';

const INSERT_HERE: readonly ActionId[] = [
  'insert.node',
  'insert.router',
  'insert.client',
  'insert.network',
  'insert.pod',
];

export function ContextMenu(props: { x: number; y: number; at: Position; onClose: () => void }) {
  const { t } = useTranslation();
  const selection = useEditor((s) => s.selection);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>('button:not([disabled])')?.focus();
  }, []);
  const s = editorStore.getState();
  const items: { id: ActionId; arg?: unknown }[] =
    selection.length > 0
      ? ACTIONS.filter((a) => a.inContextMenu?.(s)).map((a) => ({ id: a.id }))
      : [
          ...INSERT_HERE.map((id) => ({ id, arg: { at: props.at } })),
          ...(isEnabled('edit.paste') ? [{ id: 'edit.paste' as ActionId }] : []),
          { id: 'canvas.autoLayout' },
          { id: 'view.fit' },
        ];
  return (
    <div
      ref={ref}
      className="pp-menu pp-context-menu"
      role="menu"
      style={{ left: props.x, top: props.y }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') props.onClose();
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
      {items.map(({ id, arg }) => {
        const a = ACTIONS.find((x) => x.id === id);
        const key = a?.keys?.[0];
        return (
          <button
            key={id}
            role="menuitem"
            disabled={!isEnabled(id)}
            onClick={() => {
              props.onClose();
              runAction(id, arg);
            }}
          >
            <span>{t(a?.labelKey ?? id)}</span>
            {key && <kbd>{formatShortcut(key)}</kbd>}
          </button>
        );
      })}
    </div>
  );
}
