/**
 * The canvas: one long-lived cytoscape instance, patched from the store by id (never rebuilt).
 * Handles selection, drags (one undo step per drag, snapped to the grid), dropping pods onto
 * nodes, drops from the palette, connect mode, inline rename and the context menu.
 */
import cytoscape, { type Core, type EventObject, type NodeSingular } from 'cytoscape';
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { GRID, snap } from '../actions/registry';
import { runAction } from '../actions/manager';
import { isActionId, type ActionId } from '../actions/types';
import { ContextMenu } from '../app/ContextMenu';
import { t as i18nT } from '../i18n';
import { parseElementRef, nameProblem, type Position } from '../model/labDoc';
import { renameElement, setPodNode, setPositions } from '../model/ops';
import { editorStore, useEditor, type EditorState } from '../model/store';
import { attachPathOverlay } from '../stepper/canvasOverlay';
import { setCanvasApi } from './canvasApi';
import { DARK, LIGHT, graphStyles } from './graphStyles';
import { patchCy } from './patchCy';
import './globals';
import { toElements } from './toElements';

export const INSERT_MIME = 'application/x-podpath-insert';

interface RenameBox {
  readonly ref: string;
  readonly x: number;
  readonly y: number;
  readonly value: string;
  readonly error?: string;
}

const BIG = 1500;

function modelPoint(cy: Core, rendered: Position): Position {
  const pan = cy.pan();
  const zoom = cy.zoom();
  return { x: (rendered.x - pan.x) / zoom, y: (rendered.y - pan.y) / zoom };
}

function inBox(n: NodeSingular, p: Position, pad = 0): boolean {
  const b = n.boundingBox({ includeLabels: false });
  return p.x >= b.x1 - pad && p.x <= b.x2 + pad && p.y >= b.y1 - pad && p.y <= b.y2 + pad;
}

/** The element a palette item dropped at `p` attaches to. */
function dropTarget(cy: Core, action: ActionId, p: Position): string | undefined {
  const hit = (sel: string) =>
    cy
      .nodes(sel)
      .filter((n) => inBox(n, p))
      .last();
  if (action === 'insert.pod') return hit('.node').id();
  if (action === 'insert.service' || action === 'insert.networkPolicy') return hit('.pod').id();
  if (action === 'insert.node' || action === 'insert.router' || action === 'insert.client') {
    let best: string | undefined;
    let bestD = Infinity;
    cy.nodes('.network').forEach((n) => {
      const b = n.boundingBox({ includeLabels: false });
      const dx = p.x < b.x1 ? b.x1 - p.x : p.x > b.x2 ? p.x - b.x2 : 0;
      const dy = p.y < b.y1 ? b.y1 - p.y : p.y > b.y2 ? p.y - b.y2 : 0;
      const d = Math.hypot(dx, dy);
      if (d < bestD) {
        bestD = d;
        best = n.id();
      }
    });
    return best;
  }
  return undefined;
}

export function CanvasHost() {
  const { t } = useTranslation();
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const [rename, setRename] = useState<RenameBox | null>(null);
  const [menu, setMenu] = useState<{ x: number; y: number; at: Position } | null>(null);
  const connectFrom = useEditor((s) => s.connectFrom);
  const empty = useEditor((s) => (s.doc.nodes?.length ?? 0) === 0 && (s.doc.routers?.length ?? 0) === 0);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const store = editorStore;
    const cy = cytoscape({
      container: el,
      style: graphStyles(store.getState().prefs.theme === 'dark' ? DARK : LIGHT),
      elements: [],
      minZoom: 0.03,
      maxZoom: 4,
      boxSelectionEnabled: true,
      selectionType: 'single',
    });
    cyRef.current = cy;
    window.__podpath = { cy, store };

    let applyingSelection = false;
    let lastDoc: unknown;
    let lastDerived: unknown;
    let lastLab: string | undefined = '\0';
    let frame = 0;

    const syncSelection = (s: EditorState) => {
      const want = new Set(s.selection);
      applyingSelection = true;
      cy.batch(() => {
        cy.$(':selected').forEach((e) => {
          if (!want.has(e.id())) e.unselect();
        });
        for (const ref of s.selection) {
          const e = cy.getElementById(ref);
          if (e.nonempty() && !e.selected()) e.select();
        }
      });
      applyingSelection = false;
    };

    const syncConnect = (s: EditorState) => {
      cy.$('.connect-source').removeClass('connect-source');
      cy.$('.connect-target').removeClass('connect-target');
      if (s.connectFrom) {
        cy.getElementById(s.connectFrom).addClass('connect-source');
        cy.nodes('.network').addClass('connect-target');
      }
    };

    const render = () => {
      frame = 0;
      const s = store.getState();
      if (s.screen !== 'editor') return;
      if (s.doc !== lastDoc || s.derived !== lastDerived) {
        lastDoc = s.doc;
        lastDerived = s.derived;
        const t0 = performance.now();
        const defs = toElements(s.doc, s.derived);
        const t1 = performance.now();
        const big = defs.length > BIG;
        patchCy(cy, defs);
        if (window.__podpath)
          window.__podpath.stats = { project: t1 - t0, patch: performance.now() - t1, elements: defs.length };
        if (big !== el.classList.contains('big')) {
          el.classList.toggle('big', big);
          // big labs: draw a cached texture while the view moves, edges hidden (cytoscape reads
          // these renderer fields on every frame; they are options it takes only at start)
          const r = (cy as unknown as { renderer(): Record<string, unknown> }).renderer();
          r['textureOnViewport'] = big;
          r['hideEdgesOnViewport'] = big;
        }
        if (s.labId !== lastLab) {
          lastLab = s.labId;
          cy.fit(undefined, 60);
          if (cy.zoom() > 1.2)
            cy.zoom({ level: 1.2, renderedPosition: { x: el.clientWidth / 2, y: el.clientHeight / 2 } });
        }
      }
      syncSelection(s);
      syncConnect(s);
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(render);
    };
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.prefs.theme !== prev.prefs.theme) cy.style(graphStyles(s.prefs.theme === 'dark' ? DARK : LIGHT));
      if (
        s.doc !== prev.doc ||
        s.derived !== prev.derived ||
        s.selection !== prev.selection ||
        s.connectFrom !== prev.connectFrom ||
        s.screen !== prev.screen
      )
        schedule();
    });
    render();

    // --- selection from the canvas -------------------------------------------------------------
    let selTimer: ReturnType<typeof setTimeout> | undefined;
    cy.on('select unselect', () => {
      if (applyingSelection || selTimer !== undefined) return;
      selTimer = setTimeout(() => {
        selTimer = undefined;
        const now = new Set(cy.$(':selected').map((e) => e.id()));
        const prev = store.getState().selection.filter((r) => now.has(r));
        const added = [...now].filter((r) => !prev.includes(r) && !r.includes('|'));
        store.select([...prev, ...added]);
      }, 0);
    });

    // --- drags: one undo step; pods dropped on another node move there --------------------------
    const dragged = new Set<NodeSingular>();
    let dragTimer: ReturnType<typeof setTimeout> | undefined;
    const finishDrag = () => {
      dragTimer = undefined;
      const s = store.getState();
      const moved = new Map<string, Position>();
      const snapOn = s.prefs.snapToGrid;
      const podMoves: { ref: string; node: string }[] = [];
      for (const n of dragged) {
        n.union(n.descendants()).forEach((m) => {
          if (m.isParent()) return;
          const p = snap(m.position(), snapOn);
          m.position(p);
          moved.set(m.id(), p);
        });
        if (n.hasClass('pod') && !n.hasClass('replica')) {
          const p = n.position();
          const parent = n.parent().first();
          const onto = cy
            .nodes('.node')
            .filter((x) => x.id() !== parent.id() && !x.same(n) && inBox(x, p))
            .last();
          if (onto.nonempty()) podMoves.push({ ref: n.id(), node: onto.id().slice('node/'.length) });
        }
      }
      dragged.clear();
      if (moved.size === 0) return;
      const label =
        podMoves.length > 0
          ? i18nT('undo.movePod', { node: podMoves.map((m) => m.node).join(', ') })
          : i18nT('undo.move');
      store.update(label, (doc) => {
        let d = setPositions(doc, Object.fromEntries(moved));
        for (const m of podMoves) {
          const id = parseElementRef(m.ref);
          if (id) d = setPodNode(d, id, m.node);
        }
        return d;
      });
      store.history.seal();
    };
    cy.on('dragfree', 'node', (e: EventObject) => {
      dragged.add(e.target as NodeSingular);
      if (dragTimer === undefined) dragTimer = setTimeout(finishDrag, 0);
    });

    // --- taps: connect mode, rename, context menu ----------------------------------------------
    cy.on('tap', (e: EventObject) => {
      setMenu(null);
      const s = store.getState();
      if (!s.connectFrom) return;
      const target = e.target as NodeSingular | Core;
      if (target !== cy && (target as NodeSingular).hasClass('network')) {
        const network = (target as NodeSingular).id().slice('network/'.length);
        runAction('canvas.connect', { device: s.connectFrom, network });
      } else if (target === cy) store.set({ connectFrom: undefined });
    });
    cy.on('dbltap', 'node', (e: EventObject) => startRename((e.target as NodeSingular).id()));
    cy.on('cxttap', (e: EventObject) => {
      const target = e.target as NodeSingular | Core;
      if (target !== cy) {
        const id = (target as NodeSingular).id();
        if (!store.getState().selection.includes(id)) store.select([id]);
      } else store.select([]);
      const rp = e.renderedPosition ?? { x: 0, y: 0 };
      setMenu({ x: rp.x, y: rp.y, at: e.position ?? { x: 0, y: 0 } });
    });

    // --- the grid follows pan and zoom ---------------------------------------------------------
    const grid = () => {
      const z = cy.zoom();
      const p = cy.pan();
      el.style.backgroundSize = `${GRID * z}px ${GRID * z}px`;
      el.style.backgroundPosition = `${p.x}px ${p.y}px`;
    };
    cy.on('viewport', grid);
    grid();

    const startRename = (ref: string) => {
      const id = parseElementRef(ref);
      const n = cy.getElementById(ref);
      if (!id || n.empty() || n.hasClass('replica')) return;
      const rp = n.renderedPosition();
      setRename({ ref, x: rp.x, y: rp.y, value: id.name });
    };

    setCanvasApi({
      fit: () => {
        cy.fit(undefined, 50);
        if (cy.zoom() > 1.5)
          cy.zoom({ level: 1.5, renderedPosition: { x: el.clientWidth / 2, y: el.clientHeight / 2 } });
      },
      zoomBy: (f) =>
        cy.zoom({
          level: cy.zoom() * f,
          renderedPosition: { x: el.clientWidth / 2, y: el.clientHeight / 2 },
        }),
      viewportCenter: () => modelPoint(cy, { x: el.clientWidth / 2, y: el.clientHeight / 2 }),
      positions: (refs) => {
        const out: Record<string, Position> = {};
        for (const r of refs) {
          const n = cy.getElementById(r);
          if (n.nonempty() && n.isNode()) out[r] = { ...n.position() };
        }
        return out;
      },
      startRename,
      allRefs: () => cy.nodes().map((n) => n.id()),
    });
    const detachOverlay = attachPathOverlay(cy);

    return () => {
      unsubscribe();
      detachOverlay();
      setCanvasApi(undefined);
      if (frame) cancelAnimationFrame(frame);
      cy.destroy();
      cyRef.current = null;
      delete window.__podpath;
    };
  }, []);

  const onDragOver = (e: DragEvent) => {
    if (e.dataTransfer.types.includes(INSERT_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  };
  const onDrop = (e: DragEvent) => {
    const id = e.dataTransfer.getData(INSERT_MIME);
    const cy = cyRef.current;
    if (!isActionId(id) || !cy || !container.current) return;
    e.preventDefault();
    const rect = container.current.getBoundingClientRect();
    const at = modelPoint(cy, { x: e.clientX - rect.left, y: e.clientY - rect.top });
    const target = dropTarget(cy, id, at);
    runAction(id, { at, ...(target ? { target } : {}) });
    container.current.focus();
  };

  const commitRename = () => {
    if (!rename) return;
    const id = parseElementRef(rename.ref);
    if (!id) return setRename(null);
    const value = rename.value.trim();
    const problem = nameProblem(editorStore.getState().doc, id, value);
    if (problem) {
      setRename({ ...rename, error: t(`names.invalid.${problem}`) });
      return;
    }
    let next: string | undefined;
    editorStore.update(t('undo.rename'), (doc) => {
      const r = renameElement(doc, id, value);
      next = r.created[0]
        ? `${r.created[0].kind}/${r.created[0].namespace ? `${r.created[0].namespace}/` : ''}${r.created[0].name}`
        : undefined;
      return r.doc;
    });
    if (next) editorStore.select([next]);
    setRename(null);
    container.current?.focus();
  };

  const connectName = connectFrom ? (parseElementRef(connectFrom)?.name ?? connectFrom) : '';

  return (
    <div className="pp-canvas-wrap">
      <div
        ref={container}
        className="pp-cy"
        data-testid="canvas"
        role="application"
        aria-label={t('canvas.label')}
        tabIndex={0}
        onDragOver={onDragOver}
        onDrop={onDrop}
      />
      {empty && <div className="pp-canvas-empty">{t('canvas.empty')}</div>}
      {connectFrom && (
        <div className="pp-canvas-hint" role="status">
          {t('canvas.connectHint', { device: connectName })}
        </div>
      )}
      {rename && (
        <div className="pp-rename" style={{ left: rename.x, top: rename.y }}>
          <input
            autoFocus
            aria-label={t('canvas.renameLabel')}
            data-testid="rename-input"
            value={rename.value}
            onChange={(e) => setRename({ ...rename, value: e.target.value, error: undefined })}
            onKeyDown={(e) => {
              if (e.key === 'Enter') commitRename();
              if (e.key === 'Escape') setRename(null);
              e.stopPropagation();
            }}
            onBlur={() => setRename(null)}
          />
          {rename.error && <div className="pp-rename-error">{rename.error}</div>}
        </div>
      )}
      {menu && <ContextMenu x={menu.x} y={menu.y} at={menu.at} onClose={() => setMenu(null)} />}
    </div>
  );
}
