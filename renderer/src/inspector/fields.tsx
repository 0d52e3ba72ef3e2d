/** Form fields for the inspector: labelled, keyboard friendly, with the validator's messages. */
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { Problem } from '../../../shared-sim/src/index';

export function FieldProblems(props: { problems: readonly Problem[] }) {
  if (props.problems.length === 0) return null;
  return (
    <ul className="pp-field-problems">
      {props.problems.map((p, i) => (
        <li key={i} className={`pp-${p.severity}`}>
          {p.message}
        </li>
      ))}
    </ul>
  );
}

interface BaseProps {
  readonly label: string;
  readonly problems?: readonly Problem[];
  readonly hint?: string;
  readonly testId?: string;
}

/**
 * A text field that commits on Enter or when it loses focus (so one edit is one undo step), and
 * shows what the validator says about it.
 */
export function TextField(
  props: BaseProps & {
    readonly value: string;
    readonly placeholder?: string;
    readonly onCommit: (value: string) => void;
    /** A problem found before committing (the commit is refused while there is one). */
    readonly check?: (value: string) => string | undefined;
    readonly multiline?: boolean;
    readonly readOnly?: boolean;
  },
) {
  const id = useId();
  const [draft, setDraft] = useState(props.value);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    setDraft(props.value);
    setError(undefined);
  }, [props.value]);
  const commit = () => {
    if (draft === props.value) return;
    const e = props.check?.(draft);
    setError(e);
    if (e === undefined) props.onCommit(draft);
  };
  const common = {
    id,
    value: draft,
    readOnly: props.readOnly,
    placeholder: props.placeholder,
    'data-testid': props.testId,
    'aria-invalid': error !== undefined || (props.problems?.some((p) => p.severity === 'error') ?? false),
    onChange: (e: { target: { value: string } }) => setDraft(e.target.value),
    onBlur: commit,
  };
  return (
    <div className="pp-field">
      <label htmlFor={id}>{props.label}</label>
      {props.multiline ? (
        <textarea
          {...common}
          rows={3}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) commit();
            if (e.key === 'Escape') setDraft(props.value);
          }}
        />
      ) : (
        <input
          {...common}
          type="text"
          spellCheck={false}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
            if (e.key === 'Escape') setDraft(props.value);
          }}
        />
      )}
      {props.hint && <div className="pp-field-hint">{props.hint}</div>}
      {error && <div className="pp-field-error">{error}</div>}
      <FieldProblems problems={props.problems ?? []} />
    </div>
  );
}

export function SelectField(
  props: BaseProps & {
    readonly value: string;
    readonly options: readonly { value: string; label: string }[];
    readonly onChange: (value: string) => void;
    readonly disabled?: boolean;
  },
) {
  const id = useId();
  return (
    <div className="pp-field">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        value={props.value}
        disabled={props.disabled}
        data-testid={props.testId}
        onChange={(e) => props.onChange(e.target.value)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {props.hint && <div className="pp-field-hint">{props.hint}</div>}
      <FieldProblems problems={props.problems ?? []} />
    </div>
  );
}

export function CheckField(
  props: BaseProps & {
    readonly checked: boolean;
    readonly onChange: (v: boolean) => void;
    readonly disabled?: boolean;
  },
) {
  const id = useId();
  return (
    <div className="pp-field pp-check-field">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        data-testid={props.testId}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      <label htmlFor={id}>{props.label}</label>
      <FieldProblems problems={props.problems ?? []} />
    </div>
  );
}

export function Section(props: { readonly title: string; readonly children: ReactNode }) {
  return (
    <fieldset className="pp-section">
      <legend>{props.title}</legend>
      {props.children}
    </fieldset>
  );
}

/** `key=value` lines ⇄ a label map. */
export function labelsToText(labels: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

export function textToLabels(text: string): { labels: Record<string, string> } | { error: string } {
  const labels: Record<string, string> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return { error: `${i + 1}: ${line}` };
    labels[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return { labels };
}
