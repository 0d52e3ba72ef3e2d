/** The validator's and the compiler's problems; clicking one selects the element concerned. */
import { useTranslation } from 'react-i18next';
import type { Problem } from '../../../shared-sim/src/index';
import { arr, elementKindOfObject, objName, objNamespace, type LabDoc } from '../model/labDoc';
import { editorStore, useEditor } from '../model/store';

/** The element a problem is about: its `ref`, or the element its path points into. */
export function refOfProblem(doc: LabDoc, p: Problem): string | undefined {
  if (p.ref !== undefined) return p.ref;
  const m = /^(networks|routers|nodes|clients|objects)\[(\d+)\]/.exec(p.path);
  if (!m) return undefined;
  const i = Number(m[2]);
  switch (m[1]) {
    case 'networks':
      return arr(doc.networks)[i] ? `network/${arr(doc.networks)[i]?.name}` : undefined;
    case 'routers':
      return arr(doc.routers)[i] ? `router/${arr(doc.routers)[i]?.name}` : undefined;
    case 'nodes':
      return arr(doc.nodes)[i] ? `node/${arr(doc.nodes)[i]?.name}` : undefined;
    case 'clients':
      return arr(doc.clients)[i] ? `client/${arr(doc.clients)[i]?.name}` : undefined;
    default: {
      const o = arr(doc.objects)[i];
      const kind = o ? elementKindOfObject(o) : undefined;
      return o && kind ? `${kind}/${objNamespace(o)}/${objName(o)}` : undefined;
    }
  }
}

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
