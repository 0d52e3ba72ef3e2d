import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../renderer/src/actions/registry';
import { en } from '../../renderer/src/i18n/en';
import { i18n, setLanguage } from '../../renderer/src/i18n';
import { zh } from '../../renderer/src/i18n/zh';

function leaves(o: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of leaves(v as object, key)) out.set(kk, vv);
  }
  return out;
}

describe('English and Chinese', () => {
  const e = leaves(en);
  const z = leaves(zh);
  it('have the same keys, none empty, with the same {{placeholders}}', () => {
    expect([...z.keys()].sort()).toEqual([...e.keys()].sort());
    for (const [k, v] of z) {
      expect(v, k).not.toBe('');
      const ph = (s: string) => (s.match(/\{\{\w+\}\}/g) ?? []).sort();
      expect(ph(v), k).toEqual(ph(e.get(k) ?? ''));
    }
  });

  it('translate the UI (most strings differ; technical terms stay as they are)', () => {
    const same = [...e].filter(([k, v]) => z.get(k) === v).map(([k]) => k);
    // names of things that are written the same in Chinese documentation
    expect(same).toEqual([
      'app.name',
      'actions.insert.pod',
      'actions.insert.service',
      'kinds.pod',
      'kinds.svc',
      'inspector.tabs.yaml',
      'inspector.podCIDR',
      'inspector.mtu',
      'inspector.cidr',
      'inspector.podIP',
      'inspector.clusterIP',
      'inspector.endpoints',
      'cluster.flannelVxlan',
      'cluster.flannelHostGw',
      'cluster.calicoIpip',
      'cluster.calicoVxlan',
      'cluster.vni',
      'cluster.serviceCIDR',
      'language.en',
      'language.zh',
    ]);
    expect(z.get('cluster.calicoIpip')).toBe('Calico IPIP');
    expect(z.get('cluster.kubeProxy')).toBe('kube-proxy 模式');
  });

  it('every action has a label in both languages', () => {
    for (const a of ACTIONS) {
      const key = a.labelKey.replace(/^\w+:/, '');
      for (const lng of ['en', 'zh']) {
        const label = i18n.t(a.labelKey, { lng });
        expect(label, `${a.id} ${lng}`).not.toBe(key);
        expect(label, `${a.id} ${lng}`).not.toBe('');
      }
    }
  });

  it('switches at run time', () => {
    setLanguage('zh');
    expect(i18n.t('menu.file')).toBe('文件');
    expect(i18n.t('undo.movePod', { node: 'node-2' })).toBe('把 Pod 移到 node-2');
    setLanguage('en');
    expect(i18n.t('menu.file')).toBe('File');
  });
});
