/** Cluster settings: CNI plugin and mode, BGP topology, kube-proxy mode. Every change re-derives at once. */
import { useTranslation } from 'react-i18next';
import type { Problem } from '../../../shared-sim/src/index';
import { arr, isObject, numText, str, type LabDoc } from '../model/labDoc';
import { setClusterField, setCni } from '../model/ops';
import { editorStore, useEditor } from '../model/store';
import { CheckField, FieldProblems, Section, SelectField, TextField } from './fields';

export const CNI_CHOICES = [
  { value: 'flannel/vxlan', key: 'cluster.flannelVxlan' },
  { value: 'flannel/host-gw', key: 'cluster.flannelHostGw' },
  { value: 'calico/bgp', key: 'cluster.calicoBgp' },
  { value: 'calico/ipip', key: 'cluster.calicoIpip' },
  { value: 'calico/vxlan', key: 'cluster.calicoVxlan' },
] as const;

export function cniChoice(doc: LabDoc): string {
  const cni = isObject(doc.cluster?.['cni']) ? doc.cluster['cni'] : {};
  const plugin = str(cni['plugin']) || 'flannel';
  const mode = str(cni['mode']) || (plugin === 'calico' ? 'ipip' : 'vxlan');
  return `${plugin}/${mode}`;
}

export function ClusterSettings() {
  const { t } = useTranslation();
  const doc = useEditor((s) => s.doc);
  const problems = useEditor((s) => s.derived.problems);
  const cluster = doc.cluster ?? {};
  const cni = isObject(cluster['cni']) ? cluster['cni'] : {};
  const bgp = isObject(cni['bgp']) ? cni['bgp'] : {};
  const kp = isObject(cluster['kubeProxy']) ? cluster['kubeProxy'] : {};
  const choice = cniChoice(doc);
  const [plugin, mode] = choice.split('/') as [string, string];
  const calico = plugin === 'calico';
  const fp = (path: string): Problem[] =>
    problems.filter((p) => p.path === path || p.path.startsWith(`${path}.`) || p.path.startsWith(`${path}[`));
  const change = (fn: (d: LabDoc) => LabDoc) => editorStore.update(t('undo.cluster'), fn);
  const set = (path: string, v: unknown) => change((d) => setClusterField(d, path, v));
  const topology = str(bgp['topology']) || 'full-mesh';
  const reflectors = arr(bgp['routeReflectors'] as readonly string[] | undefined);
  const kpMode = str(kp['mode']) || 'iptables';
  const vxlan = isObject(cni['vxlan']) ? cni['vxlan'] : {};

  return (
    <div className="pp-form" data-testid="cluster-settings">
      <h3>{t('cluster.title')}</h3>
      <Section title={t('cluster.cni')}>
        <div role="radiogroup" aria-label={t('cluster.cni')} className="pp-radios">
          {CNI_CHOICES.map((c) => (
            <label key={c.value} className={choice === c.value ? 'checked' : ''}>
              <input
                type="radio"
                name="cni"
                value={c.value}
                data-testid={`cni-${c.value.replace('/', '-')}`}
                checked={choice === c.value}
                onChange={() => {
                  const [p, m] = c.value.split('/') as ['flannel' | 'calico', string];
                  change((d) => setCni(d, p, m));
                }}
              />
              {t(c.key)}
            </label>
          ))}
        </div>
        {calico && mode !== 'bgp' && (
          <CheckField
            label={t('cluster.crossSubnet')}
            checked={cni['crossSubnet'] === true}
            onChange={(v) => set('cni.crossSubnet', v || undefined)}
          />
        )}
        <CheckField
          label={t('cluster.natOutgoing')}
          checked={cni['natOutgoing'] !== false}
          onChange={(v) => set('cni.natOutgoing', v ? undefined : false)}
        />
        {mode === 'vxlan' && (
          <div className="pp-row">
            <TextField
              label={t('cluster.vni')}
              value={numText(vxlan['vni'])}
              placeholder={calico ? '4096' : '1'}
              problems={fp('cluster.cni.vxlan.vni')}
              onCommit={(v) => set('cni.vxlan.vni', v.trim() === '' ? undefined : Number(v))}
            />
            <TextField
              label={t('cluster.vxlanPort')}
              value={numText(vxlan['port'])}
              placeholder={calico ? '4789' : '8472'}
              problems={fp('cluster.cni.vxlan.port')}
              onCommit={(v) => set('cni.vxlan.port', v.trim() === '' ? undefined : Number(v))}
            />
          </div>
        )}
        <FieldProblems
          problems={fp('cluster.cni').filter(
            (p) => !p.path.startsWith('cluster.cni.bgp') && !p.path.startsWith('cluster.cni.vxlan'),
          )}
        />
      </Section>
      <Section title={t('cluster.bgpTopology')}>
        {!calico && <p className="pp-hint">{t('cluster.bgpOnlyCalico')}</p>}
        <div role="radiogroup" aria-label={t('cluster.bgpTopology')} className="pp-radios">
          {(['full-mesh', 'route-reflector'] as const).map((v) => (
            <label key={v}>
              <input
                type="radio"
                name="bgp"
                disabled={!calico}
                checked={topology === v}
                data-testid={`bgp-${v}`}
                onChange={() => set('cni.bgp.topology', v)}
              />
              {t(v === 'full-mesh' ? 'cluster.fullMesh' : 'cluster.routeReflectors')}
            </label>
          ))}
        </div>
        {topology === 'route-reflector' && (
          <fieldset className="pp-reflectors">
            <legend>{t('cluster.reflectors')}</legend>
            {arr(doc.nodes).map((n) => (
              <CheckField
                key={n.name}
                label={n.name}
                disabled={!calico}
                checked={reflectors.includes(n.name)}
                onChange={(v) =>
                  set(
                    'cni.bgp.routeReflectors',
                    v ? [...reflectors, n.name] : reflectors.filter((x) => x !== n.name),
                  )
                }
              />
            ))}
          </fieldset>
        )}
        <TextField
          label={t('cluster.asNumber')}
          value={numText(bgp['asNumber'])}
          placeholder="64512"
          problems={fp('cluster.cni.bgp.asNumber')}
          onCommit={(v) => set('cni.bgp.asNumber', v.trim() === '' ? undefined : Number(v))}
        />
        <FieldProblems
          problems={fp('cluster.cni.bgp').filter((p) => p.path !== 'cluster.cni.bgp.asNumber')}
        />
      </Section>
      <Section title={t('cluster.kubeProxy')}>
        <SelectField
          label={t('cluster.kubeProxy')}
          value={kpMode}
          testId="kube-proxy-mode"
          options={['iptables', 'ipvs', 'nftables'].map((v) => ({ value: v, label: v }))}
          onChange={(v) => set('kubeProxy.mode', v)}
          problems={fp('cluster.kubeProxy.mode')}
        />
        <SelectField
          label={t('cluster.ipvsScheduler')}
          value={str(kp['ipvsScheduler']) || 'rr'}
          disabled={kpMode !== 'ipvs'}
          options={['rr', 'wrr', 'lc', 'wlc', 'sh', 'dh', 'sed', 'nq'].map((v) => ({ value: v, label: v }))}
          onChange={(v) => set('kubeProxy.ipvsScheduler', v)}
        />
      </Section>
      <Section title="CIDR">
        <TextField
          label={t('cluster.podCIDR')}
          value={str(cluster['podCIDR'])}
          placeholder="10.244.0.0/16"
          problems={fp('cluster.podCIDR')}
          onCommit={(v) => set('podCIDR', v.trim() || undefined)}
        />
        <TextField
          label={t('cluster.serviceCIDR')}
          value={str(cluster['serviceCIDR'])}
          placeholder="10.96.0.0/12"
          problems={fp('cluster.serviceCIDR')}
          onCommit={(v) => set('serviceCIDR', v.trim() || undefined)}
        />
      </Section>
    </div>
  );
}
