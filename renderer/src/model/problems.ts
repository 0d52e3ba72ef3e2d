/** Which element a validator or compiler problem is about. */
import type { Problem } from '../../../shared-sim/src/index';
import { arr, elementKindOfObject, objName, objNamespace, type LabDoc } from './labDoc';

/** The element a problem is about: its `ref`, or the element its path points into. */
export function refOfProblem(doc: LabDoc, p: Problem): string | undefined {
  if (p.ref !== undefined) return p.ref;
  const m = /^(networks|routers|nodes|clients|objects)\[(\d+)\]/.exec(p.path);
  if (!m) return undefined;
  const i = Number(m[2]);
  switch (m[1]) {
    case 'networks':
      return arr(doc.networks)[i] ? `network/${arr(doc.networks)[i]?.name}` : undefined;
    case 'routers':
      return arr(doc.routers)[i] ? `router/${arr(doc.routers)[i]?.name}` : undefined;
    case 'nodes':
      return arr(doc.nodes)[i] ? `node/${arr(doc.nodes)[i]?.name}` : undefined;
    case 'clients':
      return arr(doc.clients)[i] ? `client/${arr(doc.clients)[i]?.name}` : undefined;
    default: {
      const o = arr(doc.objects)[i];
      const kind = o ? elementKindOfObject(o) : undefined;
      return o && kind ? `${kind}/${objNamespace(o)}/${objName(o)}` : undefined;
    }
  }
}
