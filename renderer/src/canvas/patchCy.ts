/**
 * Patches a long-lived cytoscape instance to match the projection, by id, in one batch: adds what
 * is new, removes what is gone, and updates data, model classes, parents and positions of the
 * rest. The instance is never rebuilt, so pan, zoom, selection and classes other code put on
 * elements (the stepper's highlights) survive every edit.
 */
import type { Core, ElementDefinition, NodeSingular, SingularElementReturnValue } from 'cytoscape';
import type { EdgeDef, ElementDef, NodeDef } from './toElements';

export interface PatchStats {
  added: number;
  removed: number;
  updated: number;
}

const MODEL_CLASSES = '_ppClasses';

function classList(s: string): string[] {
  return s.split(' ').filter(Boolean);
}

function applyClasses(ele: SingularElementReturnValue | NodeSingular, classes: string): boolean {
  const old = (ele.scratch(MODEL_CLASSES) as string | undefined) ?? '';
  if (old === classes) return false;
  const next = new Set(classList(classes));
  const drop = classList(old).filter((c) => !next.has(c));
  if (drop.length) ele.removeClass(drop.join(' '));
  ele.addClass(classes);
  ele.scratch(MODEL_CLASSES, classes);
  return true;
}

function toDefinition(d: ElementDef): ElementDefinition {
  return d.group === 'nodes'
    ? {
        group: 'nodes',
        data: { ...d.data },
        position: { ...d.position },
        classes: d.classes,
        ...(d.grabbable === false ? { grabbable: false } : {}),
      }
    : { group: 'edges', data: { ...d.data }, classes: d.classes };
}

export function patchCy(cy: Core, defs: readonly ElementDef[]): PatchStats {
  const stats: PatchStats = { added: 0, removed: 0, updated: 0 };
  const wanted = new Map<string, ElementDef>();
  for (const d of defs) wanted.set(d.data.id, d);
  const nodeDefs = defs.filter((d): d is NodeDef => d.group === 'nodes');
  const edgeDefs = defs.filter((d): d is EdgeDef => d.group === 'edges');

  cy.batch(() => {
    // 1. new nodes, parents before children
    const ordered = [...nodeDefs].sort(
      (a, b) => Number(a.data.parent !== undefined) - Number(b.data.parent !== undefined),
    );
    // one pass over the instance instead of a collection per lookup (cheap for 10,000 elements)
    const existing = new Map<string, SingularElementReturnValue>();
    cy.elements().forEach((e) => {
      existing.set(e.id(), e);
    });
    const toAdd: ElementDefinition[] = [];
    for (const d of ordered) if (!existing.has(d.data.id)) toAdd.push(toDefinition(d));
    if (toAdd.length) {
      const added = cy.add(toAdd);
      added.forEach((e) => {
        e.scratch(MODEL_CLASSES, wanted.get(e.id())?.classes ?? '');
      });
      stats.added += toAdd.length;
    }

    // 2. existing nodes: parent, data, classes, position
    for (const d of nodeDefs) {
      const found = existing.get(d.data.id);
      if (found === undefined) continue;
      let ele = found as NodeSingular;
      let changed = false;
      const parent = d.data.parent ?? null;
      const currentParent = (ele.data('parent') as string | undefined) ?? null;
      if (parent !== currentParent) {
        ele = ele.move({ parent }) as unknown as NodeSingular;
        changed = true;
      }
      if (ele.data('label') !== d.data.label || ele.data('width') !== d.data.width) {
        ele.data({ label: d.data.label, width: d.data.width });
        changed = true;
      }
      if (applyClasses(ele, d.classes)) changed = true;
      if (!ele.isParent() && !ele.grabbed()) {
        const p = ele.position();
        if (p.x !== d.position.x || p.y !== d.position.y) {
          ele.position({ x: d.position.x, y: d.position.y });
          changed = true;
        }
      }
      if (changed) stats.updated++;
    }

    // 3. removals (edges first; a removed parent's remaining children were moved out above)
    const gone = cy.elements().filter((e) => !wanted.has(e.id()));
    if (gone.nonempty()) {
      stats.removed += gone.length;
      cy.remove(gone.edges());
      cy.remove(gone.nodes());
    }

    // 4. edges
    const newEdges: ElementDefinition[] = [];
    for (const d of edgeDefs) {
      // a node that moved to another parent was re-created with its edges: look those up again
      const known = existing.get(d.data.id);
      const ele = known && !known.removed() ? known : cy.getElementById(d.data.id);
      if (ele.empty()) {
        newEdges.push(toDefinition(d));
        continue;
      }
      let changed = false;
      if (ele.data('label') !== d.data.label || ele.data('tx') !== d.data.tx) {
        ele.data({ label: d.data.label, tx: d.data.tx });
        changed = true;
      }
      if (applyClasses(ele, d.classes)) changed = true;
      if (changed) stats.updated++;
    }
    if (newEdges.length) {
      const added = cy.add(newEdges);
      added.forEach((e) => {
        e.scratch(MODEL_CLASSES, wanted.get(e.id())?.classes ?? '');
      });
      stats.added += newEdges.length;
    }
  });
  return stats;
}
