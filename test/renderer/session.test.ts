/**
 * The lab session against the real API stack (contract → dispatch → app services → SQLite in
 * memory): open, autosave, explicit save, the unsaved-changes prompt, invalid documents.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openAppServices, type AppServices } from '../../main/app/services';
import { dispatch } from '../../main/ipc/dispatch';
import { LabSession } from '../../renderer/src/app/session';
import { addDevice, newLabDocument } from '../../renderer/src/model/ops';
import { EditorStore } from '../../renderer/src/model/store';
import { createPodpathApi } from '../../renderer/src/platform/podpath';

let app: AppServices | undefined;

function setup(): { store: EditorStore; session: LabSession; app: AppServices } {
  const opened = openAppServices({ path: ':memory:' });
  if (!opened.ok) throw new Error(opened.error);
  app = opened.value;
  const services = app.services;
  const api = createPodpathApi((channel, input) => dispatch(channel, input, { services }));
  const store = new EditorStore();
  const session = new LabSession({ store, api, autosaveDelayMs: 1 });
  return { store, session, app };
}

afterEach(() => app?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Answers the next unsaved-changes prompt. */
function answer(store: EditorStore, a: 'save' | 'discard' | 'cancel'): void {
  const off = store.subscribe((s) => {
    if (s.dialog?.kind === 'unsaved') {
      off();
      s.dialog.resolve(a);
    }
  });
}

describe('lab session', () => {
  it('new lab → edit → autosave stores the document; the saved revision is what a reload gets', async () => {
    const { store, session, app } = setup();
    await session.newLab();
    const id = store.getState().labId ?? '';
    expect(store.getState().screen).toBe('editor');
    store.update('add', (d) => addDevice(d, 'node', { network: 'lan' }).doc);
    expect(store.getState().save.status).toBe('pending');
    await sleep(20);
    await session.autosave();
    expect(store.getState().save.status).toBe('saved');
    const stored = await app.services.labs.get(id);
    expect(stored).toMatchObject({ ok: true });
    expect(stored.ok && (stored.value.document as { nodes?: unknown[] }).nodes).toEqual([
      { name: 'node-1', network: 'lan', ip: '192.168.1.10' },
    ]);
    // autosaved but not saved: leaving asks
    expect(session.dirty).toBe(true);
    await session.save();
    expect(session.dirty).toBe(false);
    const revisions = await app.services.labs.revisions(id);
    expect(revisions.ok && revisions.value.map((r) => r.kind)).toEqual(['save', 'autosave', 'save']);
  });

  it("Don't save puts the lab back to the revision it was opened at; Cancel stays", async () => {
    const { store, session, app } = setup();
    await session.newLab();
    const id = store.getState().labId ?? '';
    store.update('add', (d) => addDevice(d, 'router', { network: 'lan' }).doc);
    await sleep(20);
    await session.autosave();
    answer(store, 'cancel');
    await session.showStart();
    expect(store.getState().screen).toBe('editor');
    answer(store, 'discard');
    await session.showStart();
    expect(store.getState().screen).toBe('start');
    const stored = await app.services.labs.get(id);
    expect(stored.ok && stored.value.document).toEqual(newLabDocument('New lab'));
  });

  it('an invalid document is not stored: the status says so and the lab keeps its last valid state', async () => {
    const { store, session, app } = setup();
    await session.newLab();
    const id = store.getState().labId ?? '';
    store.update('bad', (d) => ({ ...d, nodes: [{ name: 'n', network: 'nowhere', ip: '10.0.0.1' }] }));
    await sleep(20);
    await session.autosave();
    expect(store.getState().save.status).toBe('invalid');
    expect(store.getState().save.message).toContain('nodes[0].network nowhere is not a network of this lab');
    const stored = await app.services.labs.get(id);
    expect(stored.ok && (stored.value.document as { nodes?: unknown }).nodes).toEqual([]);
  });
});
