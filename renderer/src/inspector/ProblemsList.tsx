/** The validator's and the compiler's problems; clicking one selects the element concerned. */
import { useTranslation } from 'react-i18next';
import { refOfProblem } from '../model/problems';
import { editorStore, useEditor } from '../model/store';

export function ProblemsList(props: { onSelect?: () => void }) {
  const { t } = useTranslation();
  const problems = useEditor((s) => s.derived.problems);
  const doc = useEditor((s) => s.doc);
  const deriving = useEditor((s) => s.deriving);
  const sorted = [...problems].sort(
    (a, b) => Number(a.severity === 'warning') - Number(b.severity === 'warning'),
  );
  if (sorted.length === 0)
    return <p className="pp-hint">{deriving ? t('problems.checking') : t('problems.none')}</p>;
  return (
    <ul className="pp-problems" data-testid="problems">
      {sorted.map((p, i) => {
        const ref = refOfProblem(doc, p);
        return (
          <li key={i}>
            <button
              className={`pp-problem pp-${p.severity}`}
              disabled={ref === undefined}
              onClick={() => {
                if (ref) editorStore.select([ref]);
                props.onSelect?.();
              }}
            >
              <span className="pp-badge">{t(`problems.${p.severity}`)}</span>
              <span>{p.message}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
