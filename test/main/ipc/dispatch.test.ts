import { beforeEach, describe, expect, it } from 'vitest';
import { CHANNEL_NAMES, channels, type ChannelName, type Envelope } from '../../../main/ipc/contract';
import { dispatch, type DispatchContext } from '../../../main/ipc/dispatch';
import { createFakeServices, VXLAN_LAB } from './fakeServices';

type Fake = ReturnType<typeof createFakeServices>;

async function call(ctx: DispatchContext, channel: string, input?: unknown): Promise<Envelope<unknown>> {
  return dispatch(channel, input, ctx);
}

async function value<T>(ctx: DispatchContext, channel: ChannelName, input?: unknown): Promise<T> {
  const result = await call(ctx, channel, input);
  if (!result.ok) throw new Error(`expected ok from ${channel}, got: ${result.error}`);
  return result.value as T;
}

let services: Fake;
let ctx: DispatchContext;
let labId: string;

beforeEach(async () => {
  services = createFakeServices();
  ctx = { services };
  labId = (await value<{ id: string }>(ctx, 'labs:create', { name: 'Two nodes', document: VXLAN_LAB })).id;
  services.calls.length = 0;
});

/**
 * Each channel with a valid input (which must reach the service and come back ok) and an invalid
 * one (which must be refused with `<channel>: <field>: <reason>` before any service is called).
 */
const CASES: {
  readonly [C in ChannelName]: {
    valid: (id: string) => unknown;
    invalid: unknown;
    error: string;
    service?: string;
  };
} = {
  'labs:list': {
    valid: () => undefined,
    invalid: { all: true },
    error: 'labs:list: input: Unrecognized key: "all"',
  },
  'labs:get': {
    valid: (id) => ({ id }),
    invalid: { id: 7 },
    error: 'labs:get: id: must be a lab id (string)',
  },
  'labs:create': {
    valid: () => ({ name: '  New lab  ' }),
    invalid: { name: '' },
    error: 'labs:create: name: must be 1-200 characters',
  },
  'labs:save': {
    valid: (id) => ({ id, document: VXLAN_LAB }),
    invalid: { id: 'lab-1', document: [] },
    error: 'labs:save: document: must be a lab document (a JSON object)',
  },
  'labs:autosave': {
    valid: (id) => ({ id, document: VXLAN_LAB }),
    invalid: { document: VXLAN_LAB },
    error: 'labs:autosave: id: must be a lab id (string)',
  },
  'labs:rename': {
    valid: (id) => ({ id, name: 'Renamed' }),
    invalid: { id: 'lab-1', name: 'x'.repeat(201) },
    error: 'labs:rename: name: must be 1-200 characters',
  },
  'labs:delete': {
    valid: (id) => ({ id }),
    invalid: { id: '' },
    error: 'labs:delete: id: must not be empty',
  },
  'labs:revisions': { valid: (id) => ({ id }), invalid: null, error: 'labs:revisions: input: ' },
  'labs:restore': {
    valid: (id) => ({ id, revision: 1 }),
    invalid: { id: 'lab-1', revision: 1.5 },
    error: 'labs:restore: revision: must be an integer',
  },
  'labs:importYaml': {
    valid: (id) => ({ id, text: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: imported}\n' }),
    invalid: { id: 'lab-1', text: ['kind: Pod'] },
    error: 'labs:importYaml: text: must be the file text',
  },
  'labs:exportYaml': {
    valid: (id) => ({ id }),
    invalid: { id: 'lab-1', format: 'json' },
    error: 'labs:exportYaml: input: ',
  },
  'settings:get': { valid: () => ({}), invalid: 'theme', error: 'settings:get: input: ' },
  'settings:set': {
    valid: () => ({ key: 'ui.theme', value: 'dark' }),
    invalid: { key: '../theme', value: 'dark' },
    error: 'settings:set: key: must be 1-100 letters, digits, _ . - (starting with a letter)',
  },
  'files:recent': { valid: () => undefined, invalid: [], error: 'files:recent: input: ' },
  'files:importLab': {
    valid: () => ({ kind: 'text', format: 'podlab', text: JSON.stringify(VXLAN_LAB), name: 'Imported' }),
    invalid: { kind: 'url', path: 'http://example.com/lab.json' },
    error: "files:importLab: kind: must be { kind: 'path', path } or { kind: 'text', text, format }",
    service: 'files.importLab',
  },
  'files:exportLab': {
    valid: (id) => ({ kind: 'path', id, path: '/tmp/two-nodes.podlab.json' }),
    invalid: { kind: 'path', id: 'lab-1', path: 'a\0b' },
    error: 'files:exportLab: path: must not contain NUL characters',
  },
  'sim:validate': { valid: () => ({ document: VXLAN_LAB }), invalid: {}, error: 'sim:validate: document: ' },
};

describe('dispatch: every channel', () => {
  it('has a case for every channel of the contract', () => {
    expect(Object.keys(CASES).sort()).toEqual([...CHANNEL_NAMES].sort());
  });

  for (const name of CHANNEL_NAMES) {
    const c = CASES[name];
    it(`${name}: a valid input reaches its handler and comes back ok`, async () => {
      const result = await call(ctx, name, c.valid(labId));
      expect(result).toMatchObject({ ok: true });
      if (name !== 'sim:validate') {
        const [domain, verb] = name.split(':');
        expect(services.calls).toEqual([c.service ?? `${domain}.${verb}`]);
      } else expect(services.calls).toEqual([]);
    });

    it(`${name}: an invalid input is refused with field and reason, before any service call`, async () => {
      const result = await call(ctx, name, c.invalid);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.startsWith(c.error)).toBe(true);
        expect(result.error).not.toMatch(/\bat .*:\d+:\d+/);
      }
      expect(services.calls).toEqual([]);
    });
  }
});

describe('dispatch: results', () => {
  it('labs: create, save, autosave, revisions, restore, rename, list, delete', async () => {
    const created = await value<{ name: string; revision: number }>(ctx, 'labs:create', {
      name: '  Trimmed ',
    });
    expect(created).toMatchObject({ name: 'Trimmed', revision: 1 });

    await value(ctx, 'labs:save', { id: labId, document: { ...VXLAN_LAB, name: 'v2' } });
    const auto = await value<{ revision: number }>(ctx, 'labs:autosave', {
      id: labId,
      document: { ...VXLAN_LAB, name: 'v3' },
    });
    expect(auto.revision).toBe(3);
    const revisions = await value<{ revision: number; kind: string }[]>(ctx, 'labs:revisions', { id: labId });
    expect(revisions.map((r) => [r.revision, r.kind])).toEqual([
      [3, 'autosave'],
      [2, 'save'],
      [1, 'save'],
    ]);
    const restored = await value<{ revision: number; document: { name: string } }>(ctx, 'labs:restore', {
      id: labId,
      revision: 2,
    });
    expect(restored).toMatchObject({ revision: 4, document: { name: 'v2' } });

    expect(await value(ctx, 'labs:rename', { id: labId, name: 'Renamed' })).toMatchObject({
      name: 'Renamed',
    });
    expect((await value<unknown[]>(ctx, 'labs:list')).length).toBe(2);
    expect(await call(ctx, 'labs:delete', { id: labId })).toEqual({ ok: true, value: null });
    expect(await call(ctx, 'labs:get', { id: labId })).toEqual({
      ok: false,
      error: `labs:get: no lab with id ${labId}`,
    });
  });

  it("a service's refusal is passed on with the channel named (an invalid document, with the validator's message)", async () => {
    const bad = { ...VXLAN_LAB, podpath: 99 };
    const result = await call(ctx, 'labs:save', { id: labId, document: bad });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^labs:save: .*podpath/);
  });

  it('settings:set then settings:get', async () => {
    await value(ctx, 'settings:set', { key: 'ui.theme', value: 'dark' });
    await value(ctx, 'settings:set', { key: 'ui.fontScale', value: 1.25 });
    expect(await value(ctx, 'settings:get')).toEqual({ 'ui.theme': 'dark', 'ui.fontScale': 1.25 });
    const result = await call(ctx, 'settings:set', { key: 'ui.theme', value: { nested: true } });
    expect(result).toMatchObject({ ok: false });
  });

  it('files:exportLab as text, and to a path (which becomes a recent file)', async () => {
    const text = await value<{ text: string; path?: string }>(ctx, 'files:exportLab', {
      kind: 'text',
      id: labId,
    });
    expect(JSON.parse(text.text)).toEqual(VXLAN_LAB);
    expect(text.path).toBeUndefined();
    await value(ctx, 'files:exportLab', { kind: 'path', id: labId, path: '/tmp/x.podlab.json' });
    expect(await value(ctx, 'files:recent')).toEqual([
      { path: '/tmp/x.podlab.json', opened: expect.any(String) as unknown },
    ]);
  });

  it('files:importLab: a text variant missing its format names the field', async () => {
    const result = await call(ctx, 'files:importLab', { kind: 'text', text: '{}' });
    expect(result).toEqual({ ok: false, error: "files:importLab: format: must be 'podlab' or 'yaml'" });
  });

  it('sim:validate returns the problems of an invalid document, with their paths', async () => {
    const ok = await value<{ valid: boolean }>(ctx, 'sim:validate', { document: VXLAN_LAB });
    expect(ok.valid).toBe(true);
    const report = await value<{ valid: boolean; problems: { path: string; message: string }[] }>(
      ctx,
      'sim:validate',
      {
        document: {
          podpath: 1,
          networks: [{ name: 'rack-a', cidr: '192.168.1.0/24' }],
          nodes: [{ name: 'n1', network: 'rack-a', ip: '192.168.9.10' }],
        },
      },
    );
    expect(report.valid).toBe(false);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ path: 'nodes[0].ip', severity: 'error' }),
    );
  });

  it('several issues are reported together, each with its field', async () => {
    const result = await call(ctx, 'labs:rename', { id: '', name: '' });
    expect(result).toEqual({
      ok: false,
      error: 'labs:rename: id: must not be empty; name: must be 1-200 characters',
    });
  });
});

describe('dispatch: failures never escape', () => {
  it('an unknown channel', async () => {
    expect(await call(ctx, 'labs:drop', {})).toEqual({ ok: false, error: 'unknown channel: labs:drop' });
    expect(await call(ctx, '__proto__', {})).toEqual({ ok: false, error: 'unknown channel: __proto__' });
    expect(await call(ctx, 'toString', {})).toEqual({ ok: false, error: 'unknown channel: toString' });
    expect(services.calls).toEqual([]);
  });

  it('a thrown exception becomes an error envelope with its first line and no stack', async () => {
    const seen: unknown[] = [];
    const result = await dispatch(
      'files:importLab',
      { kind: 'path', path: '/labs/boom.podlab.json' },
      { services, onInternalError: (_channel, error) => seen.push(error) },
    );
    expect(result).toEqual({ ok: false, error: 'files:importLab: internal error: disk on fire' });
    expect(seen).toHaveLength(1);
  });

  it('a rejected promise and a handler returning a non-envelope are internal errors too', async () => {
    const broken = {
      ...services,
      labs: {
        ...services.labs,
        list: () => Promise.reject(new Error('database is locked')),
        get: () => 'not an envelope' as never,
      },
    };
    expect(await dispatch('labs:list', undefined, { services: broken })).toEqual({
      ok: false,
      error: 'labs:list: internal error: database is locked',
    });
    expect(await dispatch('labs:get', { id: 'x' }, { services: broken })).toEqual({
      ok: false,
      error: 'labs:get: internal error',
    });
  });

  it('every channel has a schema and a one-line summary', () => {
    for (const name of CHANNEL_NAMES) {
      expect(name).toMatch(/^[a-z]+:[a-zA-Z]+$/);
      expect(channels[name].summary).not.toBe('');
    }
  });
});
