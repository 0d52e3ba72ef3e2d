import type { LabelSelector, SelectorRequirement } from '../../model/networkPolicy';

type Labels = Readonly<Record<string, string>>;

/** labels.Selector semantics: every matchLabels pair and every requirement must hold; `{}` matches all. */
export function selectorMatches(sel: LabelSelector, labels: Labels): boolean {
  for (const k in sel.matchLabels) if (labels[k] !== sel.matchLabels[k]) return false;
  for (const req of sel.matchExpressions) if (!requirementMatches(req, labels)) return false;
  return true;
}

function requirementMatches(req: SelectorRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const v = labels[req.key];
  switch (req.operator) {
    case 'In':
      return has && v !== undefined && req.values.includes(v);
    case 'NotIn':
      // a pod without the key satisfies NotIn (k8s.io/apimachinery labels.Requirement.Matches)
      return !has || v === undefined || !req.values.includes(v);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

export function isEmptySelector(sel: LabelSelector): boolean {
  return Object.keys(sel.matchLabels).length === 0 && sel.matchExpressions.length === 0;
}

/** The selector as kubectl describe prints it: `app=web,tier in (a,b)`, `<none>` when empty. */
export function formatSelector(sel: LabelSelector): string {
  const parts = Object.entries(sel.matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions) {
    if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${e.values.join(',')})`);
  }
  return parts.length ? parts.join(',') : '<none>';
}
