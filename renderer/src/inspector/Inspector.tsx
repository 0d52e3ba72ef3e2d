/** The inspector: properties of the selection, its YAML, cluster settings, problems. */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { parseElementRef } from '../model/labDoc';
import { editorStore, useEditor, type InspectorTab } from '../model/store';
import { ClusterSettings } from './ClusterSettings';
import { ElementForm } from './ElementForm';
import { TextField } from './fields';
import { ProblemsList } from './ProblemsList';
import { YamlTab } from './YamlTab';

type Tab = InspectorTab;

function LabProperties() {
  const { t } = useTranslation();
  const name = useEditor((s) => (typeof s.doc.name === 'string' ? s.doc.name : ''));
  const description = useEditor((s) => (typeof s.doc.description === 'string' ? s.doc.description : ''));
  const set = (field: string, v: string) =>
    editorStore.update(
      t('undo.edit', { field: t(`inspector.${field === 'name' ? 'labName' : 'description'}`) }),
      (d) => ({
        ...d,
        [field]: v,
      }),
    );
  return (
    <div className="pp-form">
      <p className="pp-hint">{t('inspector.nothing')}</p>
      <TextField
        label={t('inspector.labName')}
        value={name}
        testId="field-lab-name"
        onCommit={(v) => set('name', v)}
      />
      <TextField
        label={t('inspector.description')}
        value={description}
        multiline
        onCommit={(v) => set('description', v)}
      />
    </div>
  );
}

export function Inspector() {
  const { t } = useTranslation();
  const selection = useEditor((s) => s.selection);
  const counts = useEditor((s) => {
    let e = 0;
    let w = 0;
    for (const p of s.derived.problems) {
      if (p.severity === 'error') e++;
      else w++;
    }
    return `${e}/${w}`;
  });
  const [errors, warnings] = counts.split('/').map(Number) as [number, number];
  const tab = useEditor((s) => s.inspectorTab);
  const setTab = (inspectorTab: Tab) => editorStore.set({ inspectorTab });
  const id = selection.length === 1 ? parseElementRef(selection[0] ?? '') : undefined;
  const kube = id !== undefined && (id.kind === 'pod' || id.kind === 'svc' || id.kind === 'netpol');
  useEffect(() => {
    if (tab === 'yaml' && !kube) setTab('properties');
  }, [tab, kube]);

  const tabs: { key: Tab; label: string; disabled?: boolean }[] = [
    { key: 'properties', label: t('inspector.tabs.properties') },
    { key: 'yaml', label: t('inspector.tabs.yaml'), disabled: !kube },
    { key: 'cluster', label: t('inspector.tabs.cluster') },
    {
      key: 'problems',
      label: `${t('inspector.tabs.problems')}${errors + warnings ? ` (${errors + warnings})` : ''}`,
    },
  ];
  return (
    <aside className="pp-inspector" aria-label={t('inspector.title')}>
      <div role="tablist" className="pp-tabs">
        {tabs.map((x) => (
          <button
            key={x.key}
            role="tab"
            aria-selected={tab === x.key}
            disabled={x.disabled}
            data-testid={`tab-${x.key}`}
            className={x.key === 'problems' && errors > 0 ? 'pp-tab-errors' : ''}
            onClick={() => setTab(x.key)}
          >
            {x.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" className="pp-tabpanel">
        {tab === 'properties' &&
          (selection.length > 1 ? (
            <p className="pp-hint">{t('inspector.multiple', { count: selection.length })}</p>
          ) : id ? (
            <ElementForm key={selection[0]} id={id} />
          ) : (
            <LabProperties />
          ))}
        {tab === 'yaml' && id && <YamlTab key={selection[0]} id={id} />}
        {tab === 'cluster' && <ClusterSettings />}
        {tab === 'problems' && <ProblemsList onSelect={() => setTab('properties')} />}
      </div>
    </aside>
  );
}
