/**
 * The action registry: every user intent, in one table. Edit and insert actions are pure document
 * operations (model/ops.ts) run through the store, so each is one undo step.
 */
import { autoPositions } from '../canvas/layout';
import {
  arr,
  networksOf,
  parseElementRef,
  refOf,
  type ElementId,
  type LabDoc,
  type Position,
} from '../model/labDoc';
import {
  addDevice,
  addNetwork,
  addNetworkPolicy,
  addPod,
  addService,
  connect,
  copyElements,
  deleteElements,
  isClipboard,
  paste,
  setPositions,
  type Clipboard,
  type OpResult,
} from '../model/ops';
import type { EditorState } from '../model/store';
import type { Action, ActionContext, ActionId, ConnectArg, InsertArg } from './types';
import { STEPPER_ACTIONS } from '../stepper/actions';

export const GRID = 20;

export function snap(p: Position, on: boolean): Position {
  return on ? { x: Math.round(p.x / GRID) * GRID, y: Math.round(p.y / GRID) * GRID } : p;
}

const hasSelection = (s: EditorState) => s.selection.length > 0;
const inEditor = (s: EditorState) => s.screen === 'editor';

function selectedIds(s: EditorState): ElementId[] {
  return s.selection.map(parseElementRef).filter((x): x is ElementId => x !== undefined);
}

/** Deployment replicas have no object of their own: edit actions skip them. */
function editableIds(s: EditorState): ElementId[] {
  const replicas = new Set(s.derived.pods.filter((p) => p.deployment !== undefined).map((p) => p.ref));
  return selectedIds(s).filter((id) => !replicas.has(refOf(id)));
}

let clipboard: Clipboard | undefined;
let pasteCount = 0;

/** For tests: what Copy put on the clipboard. */
export function currentClipboard(): Clipboard | undefined {
  return clipboard;
}

function where(ctx: ActionContext, arg: unknown, besideX = 240): InsertArg {
  const a = (typeof arg === 'object' && arg !== null ? arg : {}) as InsertArg;
  const s = ctx.store.getState();
  const center = ctx.canvas?.viewportCenter() ?? { x: 400, y: 200 };
  // from the keyboard or a click: beside the selected element, else the middle of the view
  const sel = s.selection[0];
  const near = sel !== undefined ? ctx.canvas?.positions([sel])[sel] : undefined;
  const at = a.at ?? (near ? { x: near.x + besideX, y: near.y } : { x: center.x, y: center.y - 120 });
  return { at: snap(at, s.prefs.snapToGrid), ...(a.target !== undefined ? { target: a.target } : {}) };
}

function insert(
  ctx: ActionContext,
  what: string,
  op: (doc: LabDoc, a: InsertArg, s: EditorState) => OpResult,
  arg: unknown,
  besideX = 240,
): void {
  const a = where(ctx, arg, besideX);
  const s = ctx.store.getState();
  const r = op(s.doc, a, s);
  const last = r.created.at(-1);
  ctx.store.update(ctx.t('undo.add', { what: ctx.t(`kinds.${what}`) }), () => r.doc, {
    ...(last ? { select: [refOf(last)] } : {}),
  });
  ctx.store.history.seal();
}

/** The network a device dropped at `a` joins: the one it was dropped on, else the selected one. */
function networkFor(doc: LabDoc, a: InsertArg, s: EditorState): string | undefined {
  const pick = (ref: string | undefined) => {
    const id = ref ? parseElementRef(ref) : undefined;
    if (id?.kind === 'network') return id.name;
    if (id && (id.kind === 'router' || id.kind === 'node' || id.kind === 'client'))
      return networksOf(doc, id)[0];
    return undefined;
  };
  return pick(a.target) ?? pick(s.selection[0]);
}

function targetOfKind(a: InsertArg, s: EditorState, kind: 'node' | 'pod'): ElementId | undefined {
  for (const ref of [a.target, s.selection[0]]) {
    const id = ref ? parseElementRef(ref) : undefined;
    if (id?.kind === kind) return id;
    if (kind === 'node' && id?.kind === 'pod') {
      const pod = s.derived.pods.find((p) => p.ref === ref);
      if (pod?.nodeName) return { kind: 'node', name: pod.nodeName };
    }
  }
  return undefined;
}

function pasteClip(ctx: ActionContext, clip: Clipboard, label: string): void {
  pasteCount++;
  const off = 40 * pasteCount;
  const r = paste(ctx.store.getState().doc, clip, { x: off, y: off });
  if (r.created.length) ctx.store.update(label, () => r.doc, { select: r.created.map(refOf) });
}

const device = (kind: 'node' | 'router' | 'client'): Action => ({
  id: `insert.${kind}`,
  group: 'insert',
  labelKey: `actions.insert.${kind}`,
  keys: [{ node: 'N', router: 'R', client: 'C' }[kind]],
  enabled: inEditor,
  run: (ctx, arg) =>
    insert(
      ctx,
      kind,
      (doc, a, s) => {
        const network = networkFor(doc, a, s);
        return addDevice(doc, kind, {
          ...(network !== undefined ? { network } : {}),
          ...(a.at ? { at: a.at } : {}),
        });
      },
      arg,
    ),
});

export const ACTIONS: readonly Action[] = [
  // --- file ------------------------------------------------------------------------------
  {
    id: 'lab.new',
    group: 'file',
    labelKey: 'actions.lab.new',
    keys: ['Mod+Alt+N'],
    run: (ctx) => ctx.session?.newLab(),
  },
  {
    id: 'lab.open',
    group: 'file',
    labelKey: 'actions.lab.open',
    keys: ['Mod+O'],
    run: (ctx) => ctx.session?.showStart(),
  },
  {
    id: 'lab.save',
    group: 'file',
    labelKey: 'actions.lab.save',
    keys: ['Mod+S'],
    enabled: (s) => s.screen === 'editor' && s.labId !== undefined,
    run: (ctx) => ctx.session?.save(),
  },
  {
    id: 'lab.close',
    group: 'file',
    labelKey: 'actions.lab.close',
    enabled: inEditor,
    run: (ctx) => ctx.session?.close(),
  },
  {
    id: 'lab.export',
    group: 'file',
    labelKey: 'actions.lab.export',
    keys: ['Mod+E'],
    enabled: inEditor,
    run: (ctx) => ctx.session?.exportLab(),
  },
  {
    id: 'lab.importFile',
    group: 'file',
    labelKey: 'actions.lab.importFile',
    run: (ctx) => ctx.session?.importFile('podlab'),
  },
  {
    id: 'lab.importYaml',
    group: 'file',
    labelKey: 'actions.lab.importYaml',
    run: (ctx) => ctx.session?.importFile('yaml'),
  },

  // --- edit ------------------------------------------------------------------------------
  {
    id: 'edit.undo',
    group: 'edit',
    labelKey: 'actions.edit.undo',
    keys: ['Mod+Z'],
    enabled: (s, store) => inEditor(s) && store.history.canUndo,
    run: (ctx) => {
      ctx.store.undo();
    },
  },
  {
    id: 'edit.redo',
    group: 'edit',
    labelKey: 'actions.edit.redo',
    keys: ['Shift+Mod+Z', 'Mod+Y'],
    enabled: (s, store) => inEditor(s) && store.history.canRedo,
    run: (ctx) => {
      ctx.store.redo();
    },
  },
  {
    id: 'edit.delete',
    group: 'edit',
    labelKey: 'actions.edit.delete',
    keys: ['Delete', 'Backspace'],
    enabled: (s) => inEditor(s) && editableIds(s).length > 0,
    inContextMenu: hasSelection,
    run: (ctx) => {
      const ids = editableIds(ctx.store.getState());
      ctx.store.update(ctx.t('undo.delete'), (doc) => deleteElements(doc, ids).doc, { select: [] });
    },
  },
  {
    id: 'edit.duplicate',
    group: 'edit',
    labelKey: 'actions.edit.duplicate',
    keys: ['Mod+D'],
    enabled: (s) => inEditor(s) && editableIds(s).length > 0,
    inContextMenu: hasSelection,
    run: (ctx) => {
      const s = ctx.store.getState();
      pasteCount = 0;
      pasteClip(ctx, copyElements(s.doc, editableIds(s)), ctx.t('undo.duplicate'));
    },
  },
  {
    id: 'edit.copy',
    group: 'edit',
    labelKey: 'actions.edit.copy',
    keys: ['Mod+C'],
    enabled: (s) => inEditor(s) && editableIds(s).length > 0,
    inContextMenu: hasSelection,
    run: (ctx) => {
      const s = ctx.store.getState();
      clipboard = copyElements(s.doc, editableIds(s));
      pasteCount = 0;
      void globalThis.navigator?.clipboard
        ?.writeText(JSON.stringify(clipboard, null, 2))
        .catch(() => undefined);
    },
  },
  {
    id: 'edit.cut',
    group: 'edit',
    labelKey: 'actions.edit.cut',
    keys: ['Mod+X'],
    enabled: (s) => inEditor(s) && editableIds(s).length > 0,
    run: (ctx) => {
      const s = ctx.store.getState();
      const ids = editableIds(s);
      clipboard = copyElements(s.doc, ids);
      pasteCount = -1; // paste where it was
      ctx.store.update(ctx.t('undo.cut'), (doc) => deleteElements(doc, ids).doc, { select: [] });
    },
  },
  {
    id: 'edit.paste',
    group: 'edit',
    labelKey: 'actions.edit.paste',
    keys: ['Mod+V'],
    enabled: (s) => inEditor(s) && clipboard !== undefined,
    inContextMenu: () => clipboard !== undefined,
    run: (ctx, arg) => {
      const clip = isClipboard(arg) ? arg : clipboard;
      if (clip) pasteClip(ctx, clip, ctx.t('undo.paste'));
    },
  },
  {
    id: 'edit.selectAll',
    group: 'edit',
    labelKey: 'actions.edit.selectAll',
    keys: ['Mod+A'],
    enabled: inEditor,
    run: (ctx) => {
      const refs = ctx.canvas?.allRefs() ?? allRefs(ctx.store.getState().doc);
      ctx.store.select(refs);
    },
  },
  {
    id: 'edit.selectNone',
    group: 'edit',
    labelKey: 'actions.edit.selectNone',
    keys: ['Escape'],
    enabled: inEditor,
    run: (ctx) => {
      ctx.store.set({ connectFrom: undefined });
      ctx.store.select([]);
    },
  },
  {
    id: 'edit.rename',
    group: 'edit',
    labelKey: 'actions.edit.rename',
    keys: ['F2'],
    enabled: (s) => inEditor(s) && editableIds(s).length === 1,
    inContextMenu: (s) => editableIds(s).length === 1,
    run: (ctx) => {
      const id = editableIds(ctx.store.getState())[0];
      if (id) ctx.canvas?.startRename(refOf(id));
    },
  },

  // --- insert (the palette) --------------------------------------------------------------
  {
    id: 'insert.network',
    group: 'insert',
    labelKey: 'actions.insert.network',
    keys: ['W'],
    enabled: inEditor,
    run: (ctx, arg) => insert(ctx, 'network', (doc, a) => addNetwork(doc, a.at), arg),
  },
  device('node'),
  device('router'),
  device('client'),
  {
    id: 'insert.pod',
    group: 'insert',
    labelKey: 'actions.insert.pod',
    keys: ['P'],
    enabled: inEditor,
    run: (ctx, arg) =>
      insert(
        ctx,
        'pod',
        (doc, a, s) => {
          const node = targetOfKind(a, s, 'node');
          return addPod(doc, { ...(node ? { nodeName: node.name } : {}), ...(a.at ? { at: a.at } : {}) });
        },
        arg,
        0, // a pod added to the selected node goes inside it
      ),
  },
  {
    id: 'insert.service',
    group: 'insert',
    labelKey: 'actions.insert.service',
    keys: ['S'],
    enabled: inEditor,
    run: (ctx, arg) =>
      insert(
        ctx,
        'svc',
        (doc, a, s) => {
          const pod = targetOfKind(a, s, 'pod');
          return addService(doc, { ...(pod ? { forPod: pod } : {}), ...(a.at ? { at: a.at } : {}) });
        },
        arg,
      ),
  },
  {
    id: 'insert.networkPolicy',
    group: 'insert',
    labelKey: 'actions.insert.networkPolicy',
    keys: ['Y'],
    enabled: inEditor,
    run: (ctx, arg) =>
      insert(
        ctx,
        'netpol',
        (doc, a, s) => {
          const pod = targetOfKind(a, s, 'pod');
          return addNetworkPolicy(doc, pod ? { forPod: pod } : {});
        },
        arg,
      ),
  },

  // --- canvas ----------------------------------------------------------------------------
  {
    id: 'canvas.connect',
    group: 'canvas',
    labelKey: 'actions.canvas.connect',
    keys: ['L'],
    enabled: (s) => inEditor(s) && isDevice(s.selection[0] ?? s.connectFrom),
    inContextMenu: (s) => s.selection.length === 1 && isDevice(s.selection[0]),
    run: (ctx, arg) => {
      const a = (typeof arg === 'object' && arg !== null ? arg : {}) as ConnectArg;
      const s = ctx.store.getState();
      const dev = a.device ?? s.connectFrom ?? s.selection[0];
      const id = dev ? parseElementRef(dev) : undefined;
      if (!id || !isDevice(dev)) return;
      if (a.network === undefined) {
        ctx.store.set({ connectFrom: dev });
        return;
      }
      const network = a.network;
      ctx.store.set({ connectFrom: undefined });
      ctx.store.update(
        ctx.t('undo.connect', { device: id.name, network }),
        (doc) => connect(doc, id, network),
        {
          select: [refOf(id)],
        },
      );
    },
  },
  {
    id: 'canvas.autoLayout',
    group: 'canvas',
    labelKey: 'actions.canvas.autoLayout',
    enabled: inEditor,
    run: (ctx) => {
      const s = ctx.store.getState();
      const pos = autoPositions(s.doc, s.derived, true);
      ctx.store.update(ctx.t('undo.autoLayout'), (doc) => setPositions(doc, Object.fromEntries(pos)));
      const canvas = ctx.canvas;
      if (canvas) requestAnimationFrame(() => canvas.fit());
    },
  },

  // --- view ------------------------------------------------------------------------------
  {
    id: 'view.fit',
    group: 'view',
    labelKey: 'actions.view.fit',
    keys: ['Shift+1', 'Mod+0'],
    enabled: inEditor,
    run: (ctx) => ctx.canvas?.fit(),
  },
  {
    id: 'view.zoomIn',
    group: 'view',
    labelKey: 'actions.view.zoomIn',
    keys: ['=', 'Mod+='],
    enabled: inEditor,
    run: (ctx) => ctx.canvas?.zoomBy(1.25),
  },
  {
    id: 'view.zoomOut',
    group: 'view',
    labelKey: 'actions.view.zoomOut',
    keys: ['-', 'Mod+-'],
    enabled: inEditor,
    run: (ctx) => ctx.canvas?.zoomBy(0.8),
  },
  {
    id: 'view.toggleSnap',
    group: 'view',
    labelKey: 'actions.view.toggleSnap',
    keys: ['Shift+G'],
    checked: (s) => s.prefs.snapToGrid,
    run: (ctx) => ctx.session?.setPref('snapToGrid', !ctx.store.getState().prefs.snapToGrid),
  },
  {
    id: 'view.toggleTheme',
    group: 'view',
    labelKey: 'actions.view.toggleTheme',
    keys: ['Shift+D'],
    checked: (s) => s.prefs.theme === 'dark',
    run: (ctx) =>
      ctx.session?.setPref('theme', ctx.store.getState().prefs.theme === 'dark' ? 'light' : 'dark'),
  },
  {
    id: 'view.language',
    group: 'view',
    labelKey: 'actions.view.language',
    run: (ctx, arg) =>
      ctx.session?.setPref(
        'language',
        arg === 'en' || arg === 'zh' ? arg : ctx.store.getState().prefs.language === 'zh' ? 'en' : 'zh',
      ),
  },
  {
    id: 'view.commandPalette',
    group: 'view',
    labelKey: 'actions.view.commandPalette',
    keys: ['Mod+K', 'Shift+Mod+P'],
    run: (ctx) => ctx.session?.openCommandPalette(),
  },
  {
    id: 'view.problems',
    group: 'view',
    labelKey: 'actions.view.problems',
    keys: ['Shift+Mod+M'],
    enabled: inEditor,
    run: (ctx) => ctx.store.set({ inspectorTab: 'problems' }),
  },
  ...STEPPER_ACTIONS,
];

function isDevice(ref: string | undefined): boolean {
  return ref !== undefined && /^(router|node|client)\//.test(ref);
}

function allRefs(doc: LabDoc): string[] {
  return [
    ...arr(doc.networks).map((n) => `network/${n.name}`),
    ...arr(doc.routers).map((n) => `router/${n.name}`),
    ...arr(doc.nodes).map((n) => `node/${n.name}`),
    ...arr(doc.clients).map((n) => `client/${n.name}`),
  ];
}

const BY_ID = new Map<ActionId, Action>(ACTIONS.map((a) => [a.id, a]));

export function getAction(id: ActionId): Action {
  const a = BY_ID.get(id);
  if (!a) throw new Error(`unknown action ${id}`);
  return a;
}
