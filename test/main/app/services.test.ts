/**
 * The storage ↔ API adapter with the real SQLite storage behind it, called through dispatch() (so
 * the contract's schemas, the handlers, the adapter and the repositories are exercised together,
 * as both hosts run them).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAppServices, labFileName, openAppServices } from '../../../main/app/services';
import type { ChannelName, InputOf, ResultOf } from '../../../main/ipc/contract';
import { dispatch } from '../../../main/ipc/dispatch';
import { invalidLab, smallLab } from '../storage/fixtures/labs';
import { storage, tempDir } from '../storage/helpers';

function setup() {
  const services = createAppServices(storage({ path: ':memory:' }));
  async function call<C extends ChannelName>(channel: C, input?: InputOf<C>) {
    return (await dispatch(channel, input, { services })) as
      { ok: true; value: ResultOf<C> } | { ok: false; error: string };
  }
  async function value<C extends ChannelName>(channel: C, input?: InputOf<C>): Promise<ResultOf<C>> {
    const r = await call(channel, input);
    if (!r.ok) throw new Error(r.error);
    return r.value;
  }
  return { call, value };
}

const SERVICE_YAML = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
`;

describe('createAppServices over SQLite', () => {
  it('creates, lists and reads labs with ISO timestamps', async () => {
    const { value } = setup();
    const created = await value('labs:create', { name: ' First lab ', document: smallLab() });
    expect(created).toEqual({
      id: 'lab-1',
      name: 'First lab',
      created: '2026-01-01T00:00:00.000Z',
      updated: '2026-01-01T00:00:00.000Z',
      document: smallLab(),
      revision: 1,
    });
    const empty = await value('labs:create', { name: 'Empty' });
    expect(empty.document).toEqual({ podpath: 1, name: 'Empty' });
    expect(await value('labs:list')).toEqual([
      {
        id: 'lab-2',
        name: 'Empty',
        created: '2026-01-01T00:00:01.000Z',
        updated: '2026-01-01T00:00:01.000Z',
      },
      {
        id: 'lab-1',
        name: 'First lab',
        created: '2026-01-01T00:00:00.000Z',
        updated: '2026-01-01T00:00:00.000Z',
      },
    ]);
    expect(await value('labs:get', { id: 'lab-1' })).toEqual(created);
  });

  it('save and autosave return the whole record; revisions and restore', async () => {
    const { value } = setup();
    await value('labs:create', { name: 'L', document: smallLab('v1') });
    const saved = await value('labs:save', { id: 'lab-1', document: smallLab('v2') });
    expect(saved).toEqual({
      id: 'lab-1',
      name: 'L',
      created: '2026-01-01T00:00:00.000Z',
      updated: '2026-01-01T00:00:01.000Z',
      document: smallLab('v2'),
      revision: 2,
    });
    const auto = await value('labs:autosave', { id: 'lab-1', document: smallLab('v3') });
    expect(auto.revision).toBe(3);
    expect(await value('labs:revisions', { id: 'lab-1' })).toEqual([
      { labId: 'lab-1', revision: 3, kind: 'autosave', name: 'L', created: '2026-01-01T00:00:02.000Z' },
      { labId: 'lab-1', revision: 2, kind: 'save', name: 'L', created: '2026-01-01T00:00:01.000Z' },
      { labId: 'lab-1', revision: 1, kind: 'save', name: 'L', created: '2026-01-01T00:00:00.000Z' },
    ]);
    const restored = await value('labs:restore', { id: 'lab-1', revision: 1 });
    expect(restored).toMatchObject({ revision: 4, document: smallLab('v1') });
  });

  it('passes the storage messages through (invalid documents with the validator message, unknown ids)', async () => {
    const { call, value } = setup();
    await value('labs:create', { name: 'L', document: smallLab() });
    expect(await call('labs:save', { id: 'lab-1', document: invalidLab() })).toEqual({
      ok: false,
      error:
        'labs:save: the lab document is invalid, nothing was saved: nodes[1].ip 192.168.9.10 is not inside network rack-a 192.168.1.0/24; objects[0].spec.nodeName n3 is not a node of this lab (nodes: n1, n2)',
    });
    expect(await call('labs:get', { id: 'nope' })).toEqual({
      ok: false,
      error: 'labs:get: there is no lab with id "nope" (it may have been deleted)',
    });
    expect(await call('labs:delete', { id: 'lab-1' })).toEqual({ ok: true, value: null });
    expect(await call('labs:revisions', { id: 'lab-1' })).toEqual({
      ok: false,
      error: 'labs:revisions: there is no lab with id "lab-1" (it may have been deleted)',
    });
  });

  it('labs:importYaml merges, saves a new revision and reports what changed', async () => {
    const { call, value } = setup();
    await value('labs:create', { name: 'L', document: smallLab() });
    const report = await value('labs:importYaml', { id: 'lab-1', text: SERVICE_YAML });
    expect({ added: report.added, replaced: report.replaced, warnings: report.warnings }).toEqual({
      added: ['Service default/web'],
      replaced: [],
      warnings: [],
    });
    expect(report.lab.revision).toBe(2);
    const stored = await value('labs:get', { id: 'lab-1' });
    expect((stored.document['objects'] as { kind: string }[]).map((o) => o.kind)).toEqual(['Pod', 'Service']);

    expect(await call('labs:importYaml', { id: 'lab-1', text: 'kind: Pod\nmetadata:\n\tname: x\n' })).toEqual(
      {
        ok: false,
        error:
          'labs:importYaml: the YAML was not imported: document 1, line 3, column 1: Tabs are not allowed as indentation',
      },
    );
    expect((await value('labs:revisions', { id: 'lab-1' })).length).toBe(2); // nothing saved
    expect(await call('labs:importYaml', { id: 'lab-1', text: 7 as unknown as string })).toEqual({
      ok: false,
      error: 'labs:importYaml: text: must be the file text',
    });
  });

  it('labs:exportYaml gives the objects as YAML with a file name', async () => {
    const { value } = setup();
    await value('labs:create', { name: 'Two racks: BGP/RR', document: smallLab() });
    expect(await value('labs:exportYaml', { id: 'lab-1' })).toEqual({
      fileName: 'Two racks- BGP-RR.yaml',
      text: `apiVersion: v1
kind: Pod
metadata:
  name: web-1
  namespace: default
spec:
  nodeName: node-1
  containers:
  - name: c
`,
    });
  });

  it('imports .podlab.json and YAML text as new labs, and exports a lab as text and to a file', async () => {
    const { call, value } = setup();
    const fromText = await value('files:importLab', {
      kind: 'text',
      format: 'podlab',
      text: JSON.stringify(smallLab('t')),
    });
    expect(fromText).toMatchObject({ id: 'lab-1', name: 'two nodes', revision: 1 });
    const fromYaml = await call('files:importLab', {
      kind: 'text',
      format: 'yaml',
      text: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
      name: 'Just a namespace',
    });
    expect(fromYaml.ok && fromYaml.value.document).toEqual({
      podpath: 1,
      name: 'Just a namespace',
      objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }],
    });
    const exported = await value('files:exportLab', { kind: 'text', id: 'lab-1' });
    expect(exported.fileName).toBe('two nodes.podlab.json');
    expect(JSON.parse(exported.text)).toEqual(smallLab('t'));

    const dir = tempDir();
    const file = path.join(dir, 'out.podlab.json');
    const written = await value('files:exportLab', { kind: 'path', id: 'lab-1', path: file });
    expect(written.path).toBe(file);
    expect(fs.readFileSync(file, 'utf8')).toBe(exported.text);
    const yamlFile = path.join(dir, 'shop.yaml');
    fs.writeFileSync(
      yamlFile,
      SERVICE_YAML.replace('default', 'shop') +
        '---\nkind: Namespace\napiVersion: v1\nmetadata: {name: shop}\n',
    );
    const viaPath = await value('files:importLab', { kind: 'path', path: yamlFile });
    expect(viaPath.name).toBe('shop');
    expect((await value('files:recent')).map((f) => f.path)).toEqual([yamlFile, file]);
  });

  it('settings round-trip as a plain map', async () => {
    const { value } = setup();
    expect(await value('settings:get')).toEqual({});
    expect(await value('settings:set', { key: 'theme', value: 'dark' })).toEqual({ theme: 'dark' });
    expect(await value('settings:set', { key: 'zoom', value: 1.25 })).toEqual({ theme: 'dark', zoom: 1.25 });
  });
});

describe('labFileName', () => {
  it.each([
    ['Two racks', '.podlab.json', 'Two racks.podlab.json'],
    ['../../etc/passwd', '.yaml', '-..-etc-passwd.yaml'],
    ['  ...  ', '.yaml', 'lab.yaml'],
    ['a\u0000b\nc', '.yaml', 'a-b-c.yaml'],
  ])('%j → %s', (name, ext, expected) => {
    expect(labFileName(name, ext)).toBe(expected);
  });
});

describe('openAppServices', () => {
  it('opens the database named by PODPATH_DB (or a path) and closes it', () => {
    const dir = tempDir();
    const r = openAppServices({ env: { PODPATH_DB: path.join(dir, 'x.db') } });
    if (!r.ok) throw new Error(r.error);
    expect(r.value.dbPath).toBe(path.join(dir, 'x.db'));
    r.value.close();
    expect(fs.existsSync(path.join(dir, 'x.db'))).toBe(true);
  });

  it('says why a database cannot be opened', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'not-a-db'), 'hello, this is not SQLite at all, just text '.repeat(200));
    const r = openAppServices({ path: path.join(dir, 'not-a-db') });
    expect(r.ok ? '' : r.error).toMatch(/^could not open the lab database .*not-a-db: /);
  });
});
