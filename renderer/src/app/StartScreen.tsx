/** The start screen: new lab, built-in examples, recent labs, import. */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LabSummary } from '../../../main/ipc/contract';
import { runAction } from '../actions/manager';
import { EXAMPLES } from './examples';
import type { LabSession } from './session';

function when(iso: string, lang: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en');
}

export function StartScreen(props: { session: LabSession }) {
  const { t, i18n } = useTranslation();
  const [labs, setLabs] = useState<readonly LabSummary[]>(props.session.labs);
  const [loading, setLoading] = useState(true);
  useEffect(() => {
    const off = props.session.onLabsChanged(() => {
      setLabs(props.session.labs);
      setLoading(false);
    });
    void props.session.refreshLabs().finally(() => setLoading(false));
    return off;
  }, [props.session]);

  return (
    <main className="pp-start" data-testid="start-screen">
      <header className="pp-start-head">
        <h1>{t('app.name')}</h1>
        <p>{t('app.tagline')}</p>
      </header>
      <div className="pp-start-grid">
        <section aria-labelledby="start-new">
          <h2 id="start-new">{t('start.newLab')}</h2>
          <button className="pp-primary" data-testid="new-lab" onClick={() => runAction('lab.new')}>
            + {t('start.newLab')}
          </button>
          <p className="pp-hint">{t('start.newLabHint')}</p>
          <div className="pp-start-imports">
            <button data-testid="import-podlab" onClick={() => runAction('lab.importFile')}>
              {t('start.importLab')}
            </button>
            <button data-testid="import-yaml" onClick={() => runAction('lab.importYaml')}>
              {t('start.importYaml')}
            </button>
          </div>
          <h2>{t('start.examples')}</h2>
          <ul className="pp-examples">
            {EXAMPLES.map((ex) => (
              <li key={ex.file}>
                <button
                  data-testid={`example-${ex.file}`}
                  onClick={() => void props.session.openExample(ex.doc)}
                >
                  <strong>{typeof ex.doc.name === 'string' ? ex.doc.name : ex.file}</strong>
                  {typeof ex.doc.description === 'string' && <span>{ex.doc.description}</span>}
                </button>
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="start-recent">
          <h2 id="start-recent">{t('start.recent')}</h2>
          {loading && labs.length === 0 ? (
            <p>{t('start.loading')}</p>
          ) : labs.length === 0 ? (
            <p className="pp-hint">{t('start.noRecent')}</p>
          ) : (
            <ul className="pp-recent" data-testid="recent-labs">
              {labs.map((l) => (
                <li key={l.id}>
                  <button className="pp-recent-open" onClick={() => void props.session.openLab(l.id)}>
                    <strong>{l.name}</strong>
                    <span>{t('start.updated', { when: when(l.updated, i18n.language) })}</span>
                  </button>
                  <button
                    className="pp-recent-delete"
                    aria-label={`${t('start.delete')} ${l.name}`}
                    onClick={() => {
                      if (window.confirm(t('start.confirmDelete', { name: l.name })))
                        void props.session.deleteLab(l.id);
                    }}
                  >
                    ✕
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </main>
  );
}
