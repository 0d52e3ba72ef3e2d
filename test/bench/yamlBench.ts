/**
 * Kubernetes YAML import/export at scale: 10,000 Pods as multi-document YAML (what
 * `kubectl get pods -A -o yaml` would give, split into documents) imported into a 100-node lab
 * (parse + merge + lab validation), and the lab's objects exported back to YAML.
 */
import { performance } from 'node:perf_hooks';
import { importYaml, labObjectsToYaml, objectsToYaml } from '../../shared-sim/src/index';

export function yamlBench(pods = 10_000): string[] {
  const nodes = Array.from({ length: 100 }, (_, i) => ({
    name: `node-${i + 1}`,
    network: 'lan',
    ip: `172.16.${Math.floor((i + 10) / 250)}.${((i + 10) % 250) + 1}`,
  }));
  const lab = {
    podpath: 1,
    name: 'yaml bench',
    cluster: { podCIDR: '10.128.0.0/9', cni: { plugin: 'flannel', mode: 'vxlan' } },
    networks: [{ name: 'lan', cidr: '172.16.0.0/16' }],
    nodes,
    objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } }],
  };
  const objects = Array.from({ length: pods }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p-${i}`, namespace: 'bench', labels: { app: `a${i % 10}` } },
    spec: {
      nodeName: `node-${(i % 100) + 1}`,
      containers: [{ name: 'c', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }] }],
    },
  }));
  const text = objectsToYaml(objects);
  const t0 = performance.now();
  const r = importYaml(lab, text);
  const t1 = performance.now();
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('\n'));
  const out = labObjectsToYaml(r.document);
  const t2 = performance.now();
  return [
    `Kubernetes YAML — ${pods.toLocaleString('en-US')} Pods (${(text.length / 1024 / 1024).toFixed(1)} MB of YAML) into a 100-node lab`,
    `  import (parse + merge + lab validation) ${(t1 - t0).toFixed(0)} ms`,
    `  export (${(out.length / 1024 / 1024).toFixed(1)} MB)                       ${(t2 - t1).toFixed(0)} ms`,
  ];
}
