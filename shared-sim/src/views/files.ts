import { subnetEnv } from '../compile/cniFlannel';
import type { World } from '../compile/world';
import type { Host } from '../dataplane/walker/host';

/** /run/flannel/subnet.env of a flannel node. */
export function subnetEnvOf(world: World, h: Host): string | undefined {
  if (h.kind !== 'node' || world.lab.cluster.cni.plugin !== 'flannel') return undefined;
  const spec = world.lab.nodes.find((n) => `node/${n.name}` === h.id);
  const lease = spec ? world.podSubnets.get(spec.name) : undefined;
  if (!spec || !lease) return undefined;
  return subnetEnv(world.lab, spec, lease);
}
