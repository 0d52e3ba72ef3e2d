/** Property forms for the selected element: one per kind, each edit one undo step. */
import { useTranslation } from 'react-i18next';
import type { Problem } from '../../../shared-sim/src/index';
import {
  arr,
  isObject,
  nameProblem,
  numText,
  objectIndex,
  objLabels,
  podNodeName,
  refOf,
  str,
  type ElementId,
  type HostDoc,
  type JsonObject,
  type KubeObjectDoc,
  type LabDoc,
  type NetworkDoc,
  type RouterDoc,
} from '../model/labDoc';
import { connect, disconnect, renameElement, setField, setPodNode, updateElement } from '../model/ops';
import { editorStore, useEditor } from '../model/store';
import {
  CheckField,
  FieldProblems,
  Section,
  SelectField,
  TextField,
  labelsToText,
  textToLabels,
} from './fields';

/** Where an element lives in the lab file (`nodes[1]`), for matching the validator's paths. */
export function elementPath(doc: LabDoc, id: ElementId): string | undefined {
  const idx = (list: readonly { name: string }[] | undefined) =>
    arr(list).findIndex((x) => x.name === id.name);
  switch (id.kind) {
    case 'network':
      return `networks[${idx(doc.networks)}]`;
    case 'router':
      return `routers[${idx(doc.routers)}]`;
    case 'node':
      return `nodes[${idx(doc.nodes)}]`;
    case 'client':
      return `clients[${idx(doc.clients)}]`;
    default: {
      const i = objectIndex(doc, id);
      return i < 0 ? undefined : `objects[${i}]`;
    }
  }
}

function under(problems: readonly Problem[], path: string): Problem[] {
  return problems.filter(
    (p) => p.path === path || p.path.startsWith(`${path}.`) || p.path.startsWith(`${path}[`),
  );
}

function edit(label: string, fn: (doc: LabDoc) => LabDoc, select?: string[]) {
  editorStore.update(label, fn, select ? { select } : {});
}

const num = (v: string): number | string => (/^\d+$/.test(v.trim()) ? Number(v.trim()) : v.trim());

export function ElementForm(props: { id: ElementId }) {
  const { t } = useTranslation();
  const doc = useEditor((s) => s.doc);
  const derived = useEditor((s) => s.derived);
  const id = props.id;
  const ref = refOf(id);
  const base = elementPath(doc, id) ?? '';
  const all = derived.problems;
  const fp = (field: string) => under(all, `${base}.${field}`);
  const own = all.filter((p) => p.ref === ref || p.path === base);
  const fieldLabel = (k: string) => t('undo.edit', { field: t(k) });

  const nameField = (
    <TextField
      label={t('inspector.name')}
      value={id.name}
      testId="field-name"
      problems={fp(id.kind === 'pod' || id.kind === 'svc' || id.kind === 'netpol' ? 'metadata.name' : 'name')}
      check={(v) => {
        const p = nameProblem(doc, id, v.trim());
        return p ? t(`names.invalid.${p}`) : undefined;
      }}
      onCommit={(v) => {
        let next = ref;
        edit(t('undo.rename'), (d) => {
          const r = renameElement(d, id, v.trim());
          next = r.created[0] ? refOf(r.created[0]) : ref;
          return r.doc;
        });
        editorStore.select([next]);
      }}
    />
  );

  const replica = derived.pods.find((p) => p.ref === ref && p.deployment !== undefined);
  if (replica) {
    return (
      <div className="pp-form">
        <h3>
          {t('kinds.pod')} {id.namespace}/{id.name}
        </h3>
        <p className="pp-hint">{t('inspector.readOnlyReplica', { name: replica.deployment })}</p>
        <dl>
          <dt>{t('inspector.node')}</dt>
          <dd>{replica.nodeName ?? t('inspector.unscheduled')}</dd>
          <dt>{t('inspector.podIP')}</dt>
          <dd>{replica.ip ?? '—'}</dd>
        </dl>
      </div>
    );
  }

  const networkOptions = arr(doc.networks).map((n) => ({ value: n.name, label: `${n.name} (${n.cidr})` }));

  switch (id.kind) {
    case 'network': {
      const n: NetworkDoc | undefined = arr(doc.networks).find((x) => x.name === id.name);
      if (!n) return null;
      return (
        <div className="pp-form">
          <h3>{t('kinds.network')}</h3>
          {nameField}
          <TextField
            label={t('inspector.cidr')}
            value={str(n.cidr)}
            testId="field-cidr"
            problems={fp('cidr')}
            onCommit={(v) => edit(fieldLabel('inspector.cidr'), (d) => setField(d, id, 'cidr', v.trim()))}
          />
          <TextField
            label={t('inspector.mtu')}
            value={String(n.mtu ?? 1500)}
            problems={fp('mtu')}
            onCommit={(v) => edit(fieldLabel('inspector.mtu'), (d) => setField(d, id, 'mtu', num(v)))}
          />
          <FieldProblems problems={own.filter((p) => !p.path.startsWith(`${base}.`))} />
        </div>
      );
    }
    case 'node':
    case 'client': {
      const list = id.kind === 'node' ? doc.nodes : doc.clients;
      const h: HostDoc | undefined = arr(list).find((x) => x.name === id.name);
      if (!h) return null;
      const subnet = derived.podSubnets[id.name];
      return (
        <div className="pp-form">
          <h3>{t(`kinds.${id.kind}`)}</h3>
          {nameField}
          <SelectField
            label={t('inspector.network')}
            value={str(h.network)}
            options={networkOptions}
            problems={fp('network')}
            testId="field-network"
            onChange={(v) =>
              edit(t('undo.connect', { device: id.name, network: v }), (d) => connect(d, id, v))
            }
          />
          <TextField
            label={t('inspector.ip')}
            value={str(h.ip)}
            testId="field-ip"
            problems={fp('ip')}
            onCommit={(v) => edit(fieldLabel('inspector.ip'), (d) => setField(d, id, 'ip', v.trim()))}
          />
          <TextField
            label={t('inspector.gateway')}
            value={str(h.gateway)}
            problems={fp('gateway')}
            onCommit={(v) =>
              edit(fieldLabel('inspector.gateway'), (d) => setField(d, id, 'gateway', v.trim() || undefined))
            }
          />
          {id.kind === 'node' && (
            <TextField
              label={t('inspector.podCIDR')}
              value={str(h['podCIDR'])}
              placeholder={subnet ? t('inspector.podCIDRAuto', { cidr: subnet }) : ''}
              problems={fp('podCIDR')}
              onCommit={(v) =>
                edit(fieldLabel('inspector.podCIDR'), (d) =>
                  setField(d, id, 'podCIDR', v.trim() || undefined),
                )
              }
            />
          )}
          <TextField
            label={t('inspector.mtu')}
            value={numText(h['mtu'])}
            problems={fp('mtu')}
            onCommit={(v) =>
              edit(fieldLabel('inspector.mtu'), (d) =>
                setField(d, id, 'mtu', v.trim() === '' ? undefined : num(v)),
              )
            }
          />
          <FieldProblems problems={own.filter((p) => !p.path.startsWith(`${base}.`))} />
        </div>
      );
    }
    case 'router': {
      const r: RouterDoc | undefined = arr(doc.routers).find((x) => x.name === id.name);
      if (!r) return null;
      const connected = new Set(arr(r.interfaces).map((f) => f.network));
      const free = arr(doc.networks).filter((n) => !connected.has(n.name));
      const routes = arr(r['routes'] as readonly JsonObject[] | undefined);
      return (
        <div className="pp-form">
          <h3>{t('kinds.router')}</h3>
          {nameField}
          <Section title={t('inspector.interfaces')}>
            {arr(r.interfaces).map((f, i) => (
              <div key={`${f.network}-${i}`} className="pp-row">
                <span className="pp-ifname">eth{i}</span>
                <span>{f.network}</span>
                <TextField
                  label={t('inspector.ip')}
                  value={f.ip}
                  problems={fp(`interfaces[${i}]`)}
                  onCommit={(v) =>
                    edit(fieldLabel('inspector.ip'), (d) =>
                      updateElement(d, id, (el) => ({
                        ...el,
                        interfaces: arr((el as RouterDoc).interfaces).map((x, j) =>
                          j === i ? { ...x, ip: v.trim() } : x,
                        ),
                      })),
                    )
                  }
                />
                <button
                  disabled={arr(r.interfaces).length <= 1}
                  onClick={() =>
                    edit(t('undo.disconnect', { device: id.name, network: f.network }), (d) =>
                      disconnect(d, id.name, f.network),
                    )
                  }
                >
                  {t('inspector.removeInterface')}
                </button>
              </div>
            ))}
            {free.length > 0 && (
              <SelectField
                label={t('inspector.addInterface')}
                value=""
                testId="field-add-interface"
                options={[
                  { value: '', label: '—' },
                  ...free.map((n) => ({ value: n.name, label: `${n.name} (${n.cidr})` })),
                ]}
                onChange={(v) =>
                  v && edit(t('undo.connect', { device: id.name, network: v }), (d) => connect(d, id, v))
                }
              />
            )}
          </Section>
          <TextField
            label={t('inspector.routes')}
            multiline
            hint="10.0.0.0/8 via 192.168.1.254"
            value={routes.map((x) => `${str(x['to'])} via ${str(x['via'])}`).join('\n')}
            problems={fp('routes')}
            check={(v) =>
              v.split('\n').every((l) => l.trim() === '' || /^\S+\s+via\s+\S+$/.test(l.trim()))
                ? undefined
                : 'CIDR via IP'
            }
            onCommit={(v) =>
              edit(fieldLabel('inspector.routes'), (d) =>
                setField(
                  d,
                  id,
                  'routes',
                  v
                    .split('\n')
                    .map((l) => l.trim())
                    .filter(Boolean)
                    .map((l) => {
                      const [to = '', , via = ''] = l.split(/\s+/);
                      return { to, via };
                    }),
                ),
              )
            }
          />
          <FieldProblems problems={own.filter((p) => !p.path.startsWith(`${base}.`))} />
        </div>
      );
    }
    default:
      return <KubeForm id={id} doc={doc} nameField={nameField} problems={all} base={base} />;
  }
}

function KubeForm(props: {
  id: ElementId;
  doc: LabDoc;
  nameField: React.ReactNode;
  problems: readonly Problem[];
  base: string;
}) {
  const { t } = useTranslation();
  const derived = useEditor((s) => s.derived);
  const { id, doc, base } = props;
  const o = arr(doc.objects)[objectIndex(doc, id)];
  if (!o) return null;
  const fp = (field: string) => under(props.problems, `${base}.${field}`);
  const ref = refOf(id);
  const setObj = (label: string, fn: (o: KubeObjectDoc) => KubeObjectDoc) =>
    edit(t('undo.edit', { field: t(label) }), (d) => updateElement(d, id, (el) => fn(el)));
  const labelsField = (
    <TextField
      label={t('inspector.labels')}
      multiline
      hint={t('inspector.labelsHint')}
      value={labelsToText(objLabels(o))}
      problems={fp('metadata.labels')}
      check={(v) => {
        const r = textToLabels(v);
        return 'error' in r ? r.error : undefined;
      }}
      onCommit={(v) => {
        const r = textToLabels(v);
        if ('labels' in r)
          setObj('inspector.labels', (x) => ({
            ...x,
            metadata: { ...(x.metadata ?? {}), labels: r.labels },
          }));
      }}
    />
  );
  const spec = o.spec ?? {};
  const header = (
    <>
      <h3>
        {t(`kinds.${id.kind}`)} <span className="pp-muted">{id.namespace}</span>
      </h3>
      {props.nameField}
    </>
  );

  if (id.kind === 'pod') {
    const d = derived.pods.find((p) => p.ref === ref);
    const containers = arr(spec['containers'] as readonly JsonObject[] | undefined);
    const port = arr(containers[0]?.['ports'] as readonly JsonObject[] | undefined)[0]?.['containerPort'];
    const conditions = arr(o.status?.['conditions'] as readonly JsonObject[] | undefined);
    const readyCond = conditions.find((c) => c['type'] === 'Ready');
    const ready = readyCond ? readyCond['status'] === 'True' : true;
    return (
      <div className="pp-form">
        {header}
        <SelectField
          label={t('inspector.node')}
          value={podNodeName(o)}
          testId="field-node"
          problems={fp('spec.nodeName')}
          options={[
            { value: '', label: t('inspector.unscheduled') },
            ...arr(doc.nodes).map((n) => ({ value: n.name, label: n.name })),
          ]}
          onChange={(v) => edit(t('undo.movePod', { node: v || '—' }), (dd) => setPodNode(dd, id, v))}
        />
        {labelsField}
        <TextField
          label={t('inspector.containerPort')}
          value={numText(port)}
          problems={fp('spec.containers')}
          check={(v) =>
            v.trim() === '' || (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 65535)
              ? undefined
              : '1-65535'
          }
          onCommit={(v) =>
            setObj('inspector.containerPort', (x) => {
              const cs = arr(x.spec?.['containers'] as readonly JsonObject[] | undefined);
              const c0 = cs[0] ?? { name: 'app' };
              const ports = arr(c0['ports'] as readonly JsonObject[] | undefined);
              const newPorts =
                v.trim() === ''
                  ? ports.slice(1)
                  : [{ ...(ports[0] ?? {}), containerPort: Number(v) }, ...ports.slice(1)];
              return {
                ...x,
                spec: { ...(x.spec ?? {}), containers: [{ ...c0, ports: newPorts }, ...cs.slice(1)] },
              };
            })
          }
        />
        <TextField
          label={t('inspector.podIP')}
          value={str(o.status?.['podIP'])}
          placeholder={d?.ip ? t('inspector.podIPAuto', { ip: d.ip }) : ''}
          problems={fp('status.podIP')}
          onCommit={(v) =>
            setObj('inspector.podIP', (x) => {
              const status: Record<string, unknown> = { ...(x.status ?? {}) };
              if (v.trim() === '') delete status['podIP'];
              else status['podIP'] = v.trim();
              return { ...x, status };
            })
          }
        />
        <CheckField
          label={t('inspector.ready')}
          checked={ready}
          onChange={(v) =>
            setObj('inspector.ready', (x) => {
              const cs = arr(x.status?.['conditions'] as readonly JsonObject[] | undefined).filter(
                (c) => c['type'] !== 'Ready',
              );
              const status: Record<string, unknown> = { ...(x.status ?? {}) };
              if (v) {
                if (cs.length) status['conditions'] = cs;
                else delete status['conditions'];
              } else status['conditions'] = [...cs, { type: 'Ready', status: 'False' }];
              return { ...x, status };
            })
          }
        />
        {d?.why && <p className="pp-warning">{d.why}</p>}
      </div>
    );
  }

  if (id.kind === 'svc') {
    const d = derived.services.find((s) => s.ref === ref);
    const selector = isObject(spec['selector']) ? (spec['selector'] as Record<string, string>) : {};
    const ports = arr(spec['ports'] as readonly JsonObject[] | undefined);
    return (
      <div className="pp-form">
        {header}
        <SelectField
          label={t('inspector.serviceType')}
          value={str(spec['type']) || 'ClusterIP'}
          problems={fp('spec.type')}
          options={['ClusterIP', 'NodePort', 'LoadBalancer'].map((v) => ({ value: v, label: v }))}
          onChange={(v) =>
            setObj('inspector.serviceType', (x) => {
              const s: Record<string, unknown> = { ...(x.spec ?? {}), type: v };
              if (v === 'ClusterIP' && Array.isArray(s['ports']))
                s['ports'] = (s['ports'] as JsonObject[]).map((p) => {
                  const { nodePort: _n, ...rest } = p;
                  void _n;
                  return rest;
                });
              return { ...x, spec: s };
            })
          }
        />
        <TextField
          label={t('inspector.selector')}
          multiline
          hint={t('inspector.labelsHint')}
          value={labelsToText(selector)}
          problems={fp('spec.selector')}
          check={(v) => {
            const r = textToLabels(v);
            return 'error' in r ? r.error : undefined;
          }}
          onCommit={(v) => {
            const r = textToLabels(v);
            if ('labels' in r)
              setObj('inspector.selector', (x) => ({
                ...x,
                spec: { ...(x.spec ?? {}), selector: r.labels },
              }));
          }}
        />
        <TextField
          label={t('inspector.ports')}
          multiline
          hint="80:8080/TCP"
          value={ports
            .map(
              (p) =>
                `${String(p['port'] as number)}:${String((p['targetPort'] as number | string | undefined) ?? p['port'])}/${str(p['protocol']) || 'TCP'}`,
            )
            .join('\n')}
          problems={fp('spec.ports')}
          check={(v) =>
            v
              .split('\n')
              .every((l) => l.trim() === '' || /^\d+(:[\w-]+)?(\/(TCP|UDP|SCTP))?$/i.test(l.trim()))
              ? undefined
              : '80:8080/TCP'
          }
          onCommit={(v) =>
            setObj('inspector.ports', (x) => ({
              ...x,
              spec: {
                ...(x.spec ?? {}),
                ports: v
                  .split('\n')
                  .map((l) => l.trim())
                  .filter(Boolean)
                  .map((l, i) => {
                    const m = /^(\d+)(?::([\w-]+))?(?:\/(\w+))?$/.exec(l);
                    const old = ports[i] ?? {};
                    const target = m?.[2] ?? m?.[1] ?? '80';
                    return {
                      ...old,
                      port: Number(m?.[1] ?? 80),
                      targetPort: /^\d+$/.test(target) ? Number(target) : target,
                      protocol: (m?.[3] ?? 'TCP').toUpperCase(),
                    };
                  }),
              },
            }))
          }
        />
        <dl>
          <dt>{t('inspector.clusterIP')}</dt>
          <dd data-testid="svc-cluster-ip">{d?.clusterIP || '—'}</dd>
          <dt>{t('inspector.endpoints')}</dt>
          <dd>
            {d && d.endpoints.length
              ? d.endpoints.map((e) => e.pod.slice(4)).join(', ')
              : t('inspector.noEndpoints')}
          </dd>
        </dl>
      </div>
    );
  }

  // NetworkPolicy
  const ps = isObject(spec['podSelector']) ? spec['podSelector'] : {};
  const ml = isObject(ps['matchLabels']) ? (ps['matchLabels'] as Record<string, string>) : {};
  const types = arr(spec['policyTypes'] as readonly string[] | undefined);
  return (
    <div className="pp-form">
      {header}
      <TextField
        label={t('inspector.podSelector')}
        multiline
        hint={t('inspector.labelsHint')}
        value={labelsToText(ml)}
        problems={fp('spec.podSelector')}
        check={(v) => {
          const r = textToLabels(v);
          return 'error' in r ? r.error : undefined;
        }}
        onCommit={(v) => {
          const r = textToLabels(v);
          if ('labels' in r)
            setObj('inspector.podSelector', (x) => ({
              ...x,
              spec: {
                ...(x.spec ?? {}),
                podSelector: Object.keys(r.labels).length ? { ...ps, matchLabels: r.labels } : {},
              },
            }));
        }}
      />
      <Section title={t('inspector.policyTypes')}>
        {(['Ingress', 'Egress'] as const).map((ty) => (
          <CheckField
            key={ty}
            label={ty}
            checked={types.includes(ty)}
            onChange={(v) =>
              setObj('inspector.policyTypes', (x) => ({
                ...x,
                spec: {
                  ...(x.spec ?? {}),
                  policyTypes: v ? [...types.filter((y) => y !== ty), ty] : types.filter((y) => y !== ty),
                },
              }))
            }
          />
        ))}
      </Section>
      <p className="pp-hint">{t('inspector.rulesInYaml')}</p>
    </div>
  );
}
