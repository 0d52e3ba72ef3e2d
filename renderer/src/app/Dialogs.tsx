/** The modal dialog (unsaved changes, errors), keyboard operable, focus kept inside. */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useEditor } from '../model/store';

export function Dialogs() {
  const { t } = useTranslation();
  const dialog = useEditor((s) => s.dialog);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>('button.pp-primary, button')?.focus();
  }, [dialog]);
  if (!dialog) return null;
  const buttons: { answer: 'save' | 'discard' | 'cancel' | 'ok'; label: string; primary?: boolean }[] =
    dialog.kind === 'unsaved'
      ? [
          { answer: 'save', label: t('dialog.save'), primary: true },
          { answer: 'discard', label: t('dialog.discard') },
          { answer: 'cancel', label: t('dialog.cancel') },
        ]
      : [{ answer: 'ok', label: t('dialog.ok'), primary: true }];
  return (
    <div className="pp-backdrop">
      <div
        ref={ref}
        className="pp-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="pp-dialog-title"
        data-testid={`dialog-${dialog.kind}`}
        onKeyDown={(e) => {
          if (e.key === 'Escape') dialog.resolve(dialog.kind === 'unsaved' ? 'cancel' : 'ok');
        }}
      >
        <h2 id="pp-dialog-title">{dialog.title}</h2>
        <p className="pp-dialog-message">{dialog.message}</p>
        <div className="pp-dialog-buttons">
          {buttons.map((b) => (
            <button
              key={b.answer}
              className={b.primary ? 'pp-primary' : ''}
              onClick={() => dialog.resolve(b.answer)}
            >
              {b.label}
            </button>
          ))}
        </div>
      </div>
    </div>
  );
}
