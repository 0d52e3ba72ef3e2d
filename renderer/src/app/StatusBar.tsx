/** The status bar: save state, element counts, derive time, the last notice. */
import { useTranslation } from 'react-i18next';
import { useEditor } from '../model/store';

export function StatusBar() {
  const { t } = useTranslation();
  const save = useEditor((s) => s.save);
  const dirty = useEditor((s) => s.savedDoc !== s.doc);
  const nodes = useEditor((s) => s.doc.nodes?.length ?? 0);
  const pods = useEditor((s) => s.derived.pods.length);
  const ms = useEditor((s) => Math.round(s.derived.parseMs + s.derived.compileMs));
  const deriving = useEditor((s) => s.deriving);
  const notice = useEditor((s) => s.notice);
  const saveText =
    save.status === 'saving'
      ? t('status.saving')
      : save.status === 'pending'
        ? t('status.pending')
        : save.status === 'invalid'
          ? t('status.invalid')
          : save.status === 'error'
            ? t('status.error', { message: save.message ?? '' })
            : save.status === 'saved'
              ? dirty
                ? t('status.autosaved')
                : t('status.saved')
              : '';
  return (
    <footer className="pp-status" role="status" aria-live="polite">
      <span data-testid="save-status" className={`pp-save-${save.status}`}>
        {saveText}
      </span>
      <span>{t('status.elements', { nodes, pods })}</span>
      <span>{deriving ? t('problems.checking') : t('status.derived', { ms })}</span>
      {notice && <span className={`pp-notice-${notice.kind}`}>{notice.text}</span>}
    </footer>
  );
}
