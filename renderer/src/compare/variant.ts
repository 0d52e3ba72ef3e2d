/** Lab variants for Compare: the same lab with another CNI mode or kube-proxy mode. Pure functions. */
import type { LabVariant } from '../worker/protocol';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The modes each plugin has (CONTRACT.md §1). */
export const CNI_MODES: Readonly<Record<'flannel' | 'calico', readonly string[]>> = {
  flannel: ['vxlan', 'host-gw'],
  calico: ['bgp', 'ipip', 'vxlan'],
};

export const KUBE_PROXY_MODES = ['iptables', 'ipvs', 'nftables'] as const;

/**
 * A copy of the lab document with `cluster.cni` / `cluster.kubeProxy` changed. Switching plugin
 * drops the old plugin's VXLAN port/VNI so the new plugin's defaults apply (flannel 1/8472,
 * calico 4096/4789); everything else (the machines, the objects, the faults) is kept as it is.
 */
export function applyVariant(doc: unknown, v: LabVariant): unknown {
  if (!isObject(doc)) return doc;
  const cluster: Json = isObject(doc['cluster']) ? { ...doc['cluster'] } : {};
  if (v.cni) {
    const old: Json = isObject(cluster['cni']) ? cluster['cni'] : {};
    const samePlugin = (old['plugin'] ?? 'flannel') === v.cni.plugin;
    const cni: Json = { ...old, plugin: v.cni.plugin, mode: v.cni.mode };
    if (!samePlugin) delete cni['vxlan'];
    if (v.cni.crossSubnet !== undefined) cni['crossSubnet'] = v.cni.crossSubnet;
    else if (v.cni.plugin !== 'calico' || v.cni.mode === 'bgp') delete cni['crossSubnet'];
    cluster['cni'] = cni;
  }
  if (v.kubeProxy) {
    const old: Json = isObject(cluster['kubeProxy']) ? cluster['kubeProxy'] : {};
    cluster['kubeProxy'] = { ...old, mode: v.kubeProxy.mode };
  }
  return { ...doc, cluster };
}

/** The settings a variant gives the lab, read back from the document: `{cni, kubeProxy}` filled in. */
export function currentSettings(doc: unknown): Required<LabVariant> {
  const cluster = isObject(doc) && isObject(doc['cluster']) ? doc['cluster'] : {};
  const cni = isObject(cluster['cni']) ? cluster['cni'] : {};
  const kp = isObject(cluster['kubeProxy']) ? cluster['kubeProxy'] : {};
  const plugin = cni['plugin'] === 'calico' ? 'calico' : 'flannel';
  const mode = typeof cni['mode'] === 'string' ? cni['mode'] : plugin === 'flannel' ? 'vxlan' : 'bgp';
  const kpMode = kp['mode'] === 'ipvs' || kp['mode'] === 'nftables' ? kp['mode'] : 'iptables';
  return {
    cni: { plugin, mode, ...(cni['crossSubnet'] === true ? { crossSubnet: true } : {}) },
    kubeProxy: { mode: kpMode },
  };
}

/** "flannel vxlan · kube-proxy iptables", "calico ipip CrossSubnet · kube-proxy ipvs". */
export function variantLabel(doc: unknown, v: LabVariant): string {
  const s = currentSettings(applyVariant(doc, v));
  return `${s.cni.plugin} ${s.cni.mode}${s.cni.crossSubnet ? ' CrossSubnet' : ''} · kube-proxy ${s.kubeProxy.mode}`;
}

/** A stable key for a variant (part of the compiled-lab cache key). */
export function variantKey(v: LabVariant): string {
  const c = v.cni;
  return `${c ? `${c.plugin}:${c.mode}:${c.crossSubnet === undefined ? '' : String(c.crossSubnet)}` : '-'}|${v.kubeProxy?.mode ?? '-'}`;
}
