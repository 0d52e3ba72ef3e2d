/**
 * Edit a Kubernetes object as YAML (kubectl's flavour, via shared-sim's YAML module). Errors are
 * shown with their line and column; Apply replaces the object in one undo step.
 */
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { objectsToYaml, parseKubeYaml } from '../../../shared-sim/src/index';
import {
  arr,
  elementKindOfObject,
  objectIndex,
  objName,
  objNamespace,
  refOf,
  type ElementId,
  type KubeObjectDoc,
} from '../model/labDoc';
import { replaceObject } from '../model/ops';
import { editorStore, useEditor } from '../model/store';

export interface YamlError {
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

/** Parses the YAML of one object; the error list is empty when it can be applied. */
export function parseOneObject(
  text: string,
  kind: string | undefined,
): { object?: KubeObjectDoc; errors: YamlError[] } {
  const r = parseKubeYaml(text);
  if (!r.ok)
    return {
      errors: r.problems.map((p) => ({
        ...(p.line !== undefined ? { line: p.line } : {}),
        ...(p.column !== undefined ? { column: p.column } : {}),
        message: p.message,
      })),
    };
  if (r.objects.length !== 1) return { errors: [{ message: 'notObject' }] };
  const object = r.objects[0]?.object as KubeObjectDoc;
  if (kind !== undefined && object.kind !== kind)
    return { errors: [{ message: `kindChange:${kind}:${String(object.kind)}` }] };
  return { object, errors: [] };
}

export function YamlTab(props: { id: ElementId }) {
  const { t } = useTranslation();
  const doc = useEditor((s) => s.doc);
  const obj = arr(doc.objects)[objectIndex(doc, props.id)];
  const original = useMemo(() => (obj ? objectsToYaml([obj]) : ''), [obj]);
  const [text, setText] = useState(original);
  const [errors, setErrors] = useState<YamlError[]>([]);
  const [applied, setApplied] = useState(false);
  useEffect(() => {
    setText(original);
    setErrors([]);
  }, [original]);
  if (!obj) return <p className="pp-hint">{t('yaml.onlyKube')}</p>;

  const apply = () => {
    const r = parseOneObject(text, obj.kind);
    setErrors(r.errors);
    setApplied(false);
    if (!r.object) return;
    const next = r.object;
    const kind = elementKindOfObject(next);
    const nextRef = kind
      ? refOf({ kind, namespace: objNamespace(next), name: objName(next) })
      : refOf(props.id);
    editorStore.update(t('undo.yaml'), (d) => replaceObject(d, props.id, next), { select: [nextRef] });
    setApplied(true);
  };
  const message = (e: YamlError) => {
    if (e.message === 'notObject') return t('yaml.notObject');
    if (e.message.startsWith('kindChange:')) {
      const [, from, to] = e.message.split(':');
      return t('yaml.kindChange', { from, to });
    }
    // shared-sim puts the place in front of its message; the template puts it in the user's language
    const text = e.message.replace(/^(document \d+, )?line \d+(, column \d+)?: /, '');
    return e.line !== undefined
      ? t('yaml.error', { line: e.line, col: e.column ?? 1, message: text })
      : e.message;
  };
  return (
    <div className="pp-yaml">
      <textarea
        className="pp-code"
        data-testid="yaml-editor"
        spellCheck={false}
        value={text}
        aria-label="YAML"
        aria-invalid={errors.length > 0}
        onChange={(e) => {
          setText(e.target.value);
          setApplied(false);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) apply();
        }}
      />
      <div className="pp-row">
        <button className="pp-primary" data-testid="yaml-apply" disabled={text === original} onClick={apply}>
          {t('yaml.apply')}
        </button>
        <button disabled={text === original} onClick={() => setText(original)}>
          {t('yaml.revert')}
        </button>
        {applied && <span className="pp-ok">{t('yaml.applied')}</span>}
      </div>
      {errors.length > 0 && (
        <ul className="pp-field-problems" data-testid="yaml-errors">
          {errors.map((e, i) => (
            <li key={i} className="pp-error">
              {message(e)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
