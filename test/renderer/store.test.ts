import { describe, expect, it } from 'vitest';
import { runAction } from '../../renderer/src/actions/manager';
import { actionForKey } from '../../renderer/src/actions/manager';
import { currentClipboard } from '../../renderer/src/actions/registry';
import { matches } from '../../renderer/src/actions/shortcuts';
import { History } from '../../renderer/src/model/history';
import { newLabDocument, setPositions } from '../../renderer/src/model/ops';
import { EditorStore } from '../../renderer/src/model/store';

function editor(): EditorStore {
  const s = new EditorStore();
  s.load(newLabDocument('t'), { screen: 'editor', labId: 'lab-1' });
  return s;
}

const key = (
  k: string,
  mods: Partial<{ ctrl: boolean; shift: boolean; meta: boolean; alt: boolean }> = {},
) => ({
  key: k,
  code: /^[a-z]$/i.test(k) ? `Key${k.toUpperCase()}` : '',
  ctrlKey: mods.ctrl ?? false,
  metaKey: mods.meta ?? false,
  shiftKey: mods.shift ?? false,
  altKey: mods.alt ?? false,
});

describe('history', () => {
  it('merges `eventually` updates with the same key into one step, and seal() ends the merge', () => {
    const h = new History();
    const a = newLabDocument('a');
    const b = setPositions(a, { 'node/x': { x: 1, y: 1 } });
    const c = setPositions(b, { 'node/x': { x: 2, y: 2 } });
    const d = setPositions(c, { 'node/x': { x: 3, y: 3 } });
    const e = (before: typeof a, after: typeof a) => ({
      before,
      after,
      label: 'move',
      mergeKey: 'drag',
      selectionBefore: [],
      selectionAfter: [],
    });
    h.record(e(a, b), 'eventually');
    h.record(e(b, c), 'eventually');
    expect(h.size).toEqual({ undo: 1, redo: 0 });
    h.seal();
    h.record(e(c, d), 'eventually');
    expect(h.size).toEqual({ undo: 2, redo: 0 });
    expect(h.undo()?.before).toBe(c);
    expect(h.undo()?.before).toBe(a);
    expect(h.canUndo).toBe(false);
    h.record({ ...e(a, b), label: 'x' }, 'never');
    expect(h.size).toEqual({ undo: 0, redo: 2 });
  });
});

describe('store and actions', () => {
  it('every insert is one undo step; undo and redo restore document and selection', () => {
    const s = editor();
    expect(runAction('insert.node', { at: { x: 100, y: 100 } }, s)).toBe(true);
    expect(runAction('insert.node', { at: { x: 300, y: 100 } }, s)).toBe(true);
    expect(s.getState().doc.nodes?.map((n) => n.name)).toEqual(['node-1', 'node-2']);
    expect(s.getState().selection).toEqual(['node/node-2']);
    expect(s.history.undoLabel).toBe('add Node');
    runAction('edit.undo', undefined, s);
    expect(s.getState().doc.nodes?.map((n) => n.name)).toEqual(['node-1']);
    expect(s.getState().selection).toEqual(['node/node-1']);
    runAction('edit.redo', undefined, s);
    expect(s.getState().doc.nodes?.map((n) => n.name)).toEqual(['node-1', 'node-2']);
    expect(s.getState().selection).toEqual(['node/node-2']);
  });

  it('a pod inserted on a node is scheduled there; delete removes the selection in one step', () => {
    const s = editor();
    runAction('insert.node', { at: { x: 0, y: 0 } }, s);
    runAction('insert.pod', { target: 'node/node-1', at: { x: 0, y: 0 } }, s);
    expect(s.getState().doc.objects?.[0]?.spec?.['nodeName']).toBe('node-1');
    s.select(['node/node-1']);
    runAction('edit.delete', undefined, s);
    expect(s.getState().doc.nodes).toEqual([]);
    expect(s.getState().doc.objects).toEqual([]);
    runAction('edit.undo', undefined, s);
    expect(s.getState().doc.objects).toHaveLength(1);
  });

  it('copy + paste and duplicate create renamed copies; paste is disabled before a copy', () => {
    const s = editor();
    runAction('insert.node', { at: { x: 0, y: 0 } }, s);
    runAction('edit.copy', undefined, s);
    expect(currentClipboard()?.items.map((i) => i.kind)).toEqual(['node']);
    runAction('edit.paste', undefined, s);
    runAction('edit.duplicate', undefined, s);
    expect(s.getState().doc.nodes?.map((n) => [n.name, n.ip])).toEqual([
      ['node-1', '192.168.1.10'],
      ['node-2', '192.168.1.11'],
      ['node-3', '192.168.1.12'],
    ]);
    expect(s.getState().selection).toEqual(['node/node-3']);
  });

  it('connect mode: the action without a network waits, with one it connects', () => {
    const s = editor();
    runAction('insert.router', { at: { x: 0, y: 0 } }, s);
    runAction('insert.network', { at: { x: 0, y: 300 } }, s);
    s.select(['router/router-1']);
    runAction('canvas.connect', undefined, s);
    expect(s.getState().connectFrom).toBe('router/router-1');
    runAction('canvas.connect', { network: 'net-1' }, s);
    expect(s.getState().connectFrom).toBeUndefined();
    expect(s.getState().doc.routers?.[0]?.interfaces).toEqual([
      { network: 'lan', ip: '192.168.1.1' },
      { network: 'net-1', ip: '192.168.2.1' },
    ]);
  });

  it('actions are disabled outside the editor and when there is nothing to act on', () => {
    const s = new EditorStore();
    expect(runAction('insert.node', undefined, s)).toBe(false);
    const e = editor();
    expect(runAction('edit.delete', undefined, e)).toBe(false);
    expect(runAction('edit.undo', undefined, e)).toBe(false);
  });

  it('keyboard shortcuts find their action; typing in a field keeps the keys', () => {
    const s = editor();
    runAction('insert.node', undefined, s);
    expect(actionForKey(key('z', { ctrl: true }), s)).toBe('edit.undo');
    expect(actionForKey(key('Delete'), s)).toBe('edit.delete');
    expect(actionForKey(key('n'), s)).toBe('insert.node');
    expect(actionForKey(key('s', { ctrl: true }), s)).toBe('lab.save');
    expect(matches('Shift+Mod+Z', key('Z', { ctrl: true, shift: true }), false)).toBe(true);
    expect(matches('Mod+Z', key('z', { meta: true }), true)).toBe(true);
    expect(matches('Mod+Z', key('z', { ctrl: true }), true)).toBe(false);
  });
});
