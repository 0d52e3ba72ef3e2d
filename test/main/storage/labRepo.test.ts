import { describe, expect, it } from 'vitest';
import type { StorageResult } from '../../../main/storage/result';
import { invalidLab, smallLab } from './fixtures/labs';
import { error, storage, value } from './helpers';

const T0 = Date.UTC(2026, 0, 1);

/** Row counts of every table: "nothing written" means these do not change. */
function counts(s: ReturnType<typeof storage>): unknown {
  return {
    labs: value(s.labs.list()).length,
    revisions: value(s.labs.list()).reduce((n, l) => n + value(s.labs.revisions(l.id)).length, 0),
  };
}

describe('labRepo', () => {
  it('create stores a validated lab with a first save revision; get returns it', () => {
    const s = storage();
    const lab = value(s.labs.create({ document: smallLab() }));
    expect(lab).toMatchObject({ id: 'lab-1', name: 'two nodes', created: T0, updated: T0 });
    const got = value(s.labs.get('lab-1'));
    expect(got).toEqual({
      id: 'lab-1',
      name: 'two nodes',
      created: T0,
      updated: T0,
      document: smallLab(),
      revision: lab.revision,
    });
    expect(value(s.labs.revisions('lab-1'))).toEqual([
      { id: lab.revision, labId: 'lab-1', kind: 'save', created: T0 },
    ]);
  });

  it('create takes an explicit name, trimmed, and refuses an empty or too long one', () => {
    const s = storage();
    expect(value(s.labs.create({ document: smallLab(), name: '  Week 3  ' })).name).toBe('Week 3');
    expect(error(s.labs.create({ document: smallLab(), name: '  ' })).message).toBe(
      'the lab name must not be empty',
    );
    expect(error(s.labs.create({ document: smallLab(), name: 'x'.repeat(201) })).message).toMatch(
      /too long \(201 characters; at most 200\)/,
    );
    expect(value(s.labs.list()).length).toBe(1);
  });

  it('a lab without a name gets the validator default', () => {
    const s = storage();
    const doc = smallLab();
    delete doc['name'];
    expect(value(s.labs.create({ document: doc })).name).toBe('Untitled lab');
  });

  it('list gives summaries, most recently updated first', () => {
    const s = storage();
    value(s.labs.create({ document: smallLab('a', 'A') }));
    value(s.labs.create({ document: smallLab('b', 'B') }));
    value(s.labs.save('lab-1', smallLab('a2', 'A')));
    expect(value(s.labs.list())).toEqual([
      { id: 'lab-1', name: 'A', created: T0, updated: T0 + 2000 },
      { id: 'lab-2', name: 'B', created: T0 + 1000, updated: T0 + 1000 },
    ]);
  });

  it('rename changes the name and the update time, not the document or its revisions', () => {
    const s = storage();
    value(s.labs.create({ document: smallLab() }));
    expect(value(s.labs.rename('lab-1', 'Renamed'))).toEqual({
      id: 'lab-1',
      name: 'Renamed',
      created: T0,
      updated: T0 + 1000,
    });
    expect(value(s.labs.get('lab-1')).document).toEqual(smallLab());
    expect(value(s.labs.revisions('lab-1')).length).toBe(1);
    expect(error(s.labs.rename('nope', 'x')).code).toBe('not-found');
    expect(error(s.labs.rename('lab-1', '')).code).toBe('invalid-input');
  });

  it('save adds a save revision and makes it current', () => {
    const s = storage();
    value(s.labs.create({ document: smallLab('v1') }));
    const r = value(s.labs.save('lab-1', smallLab('v2')));
    expect(r.updated).toBe(T0 + 1000);
    expect(r.warnings).toEqual([]);
    const got = value(s.labs.get('lab-1'));
    expect(got.document).toEqual(smallLab('v2'));
    expect(got.revision).toBe(r.revision);
    expect(value(s.labs.revisions('lab-1')).map((v) => v.kind)).toEqual(['save', 'save']);
  });

  it('autosave keeps only the newest 20 autosaves per lab, and every explicit save', () => {
    const s = storage();
    value(s.labs.create({ document: smallLab('v0') }));
    value(s.labs.create({ document: smallLab('other') }));
    value(s.labs.autosave('lab-2', smallLab('other autosave')));
    for (let i = 1; i <= 30; i++) value(s.labs.autosave('lab-1', smallLab(`auto ${i}`)));
    value(s.labs.save('lab-1', smallLab('saved')));
    for (let i = 31; i <= 35; i++) value(s.labs.autosave('lab-1', smallLab(`auto ${i}`)));
    const revs = value(s.labs.revisions('lab-1'));
    const autos = revs.filter((r) => r.kind === 'autosave');
    expect(autos.length).toBe(20);
    expect(revs.filter((r) => r.kind === 'save').length).toBe(2);
    // the newest 20 autosaves: 16..35
    const docs = autos.map(
      (r) => (value(s.labs.revision('lab-1', r.id)).document as { description: string }).description,
    );
    expect(docs).toEqual(Array.from({ length: 20 }, (_, i) => `auto ${35 - i}`));
    expect(value(s.labs.get('lab-1')).document).toEqual(smallLab('auto 35'));
    // other labs' autosaves are untouched
    expect(value(s.labs.revisions('lab-2')).length).toBe(2);
  });

  it('the autosave limit is configurable', () => {
    const s = storage({ autosaveLimit: 3 });
    value(s.labs.create({ document: smallLab() }));
    for (let i = 0; i < 10; i++) value(s.labs.autosave('lab-1', smallLab(`a${i}`)));
    expect(value(s.labs.revisions('lab-1')).filter((r) => r.kind === 'autosave').length).toBe(3);
  });

  it('revisions lists newest first; revision returns one with its document; restore makes it current as a new save', () => {
    const s = storage();
    const first = value(s.labs.create({ document: smallLab('v1') })).revision;
    value(s.labs.autosave('lab-1', smallLab('v2')));
    value(s.labs.save('lab-1', smallLab('v3')));
    const revs = value(s.labs.revisions('lab-1'));
    expect(revs.map((r) => r.kind)).toEqual(['save', 'autosave', 'save']);
    expect(revs[2]?.id).toBe(first);
    expect(value(s.labs.revision('lab-1', first))).toEqual({
      id: first,
      labId: 'lab-1',
      kind: 'save',
      created: T0,
      document: smallLab('v1'),
    });
    const restored = value(s.labs.restore('lab-1', first));
    expect(value(s.labs.get('lab-1'))).toMatchObject({
      document: smallLab('v1'),
      revision: restored.revision,
    });
    expect(value(s.labs.revisions('lab-1')).length).toBe(4); // nothing lost
    expect(error(s.labs.revision('lab-1', 9999)).message).toMatch(/lab "lab-1" has no revision 9999/);
    expect(error(s.labs.revisions('nope')).code).toBe('not-found');
    expect(error(s.labs.restore('nope', first)).code).toBe('not-found');
  });

  it("a revision of another lab is not reachable through this lab's id", () => {
    const s = storage();
    value(s.labs.create({ document: smallLab('a') }));
    const other = value(s.labs.create({ document: smallLab('b') })).revision;
    expect(error(s.labs.revision('lab-1', other)).code).toBe('not-found');
  });

  it('delete removes the lab and its revisions; drill attempts keep their history without the lab', () => {
    const s = storage();
    value(s.labs.create({ document: smallLab() }));
    value(s.labs.autosave('lab-1', smallLab('x')));
    const attempt = value(s.drillAttempts.start({ drill: 'mtu-mismatch', labId: 'lab-1' }));
    expect(value(s.labs.delete('lab-1'))).toEqual({ id: 'lab-1' });
    expect(error(s.labs.get('lab-1')).message).toBe(
      'there is no lab with id "lab-1" (it may have been deleted)',
    );
    expect(error(s.labs.delete('lab-1')).code).toBe('not-found');
    expect(value(s.labs.list())).toEqual([]);
    expect(value(s.drillAttempts.get(attempt.id)).labId).toBeNull();
  });

  it('save/autosave of an unknown lab is refused and writes nothing', () => {
    const s = storage();
    expect(error(s.labs.save('nope', smallLab())).code).toBe('not-found');
    expect(error(s.labs.autosave('nope', smallLab())).code).toBe('not-found');
    expect(counts(s)).toEqual({ labs: 0, revisions: 0 });
  });

  describe('invalid documents are refused with the validator’s messages, and nothing is written', () => {
    const cases: [string, unknown, RegExp][] = [
      [
        'a wrong address and a missing node',
        invalidLab(),
        /nodes\[1\]\.ip 192\.168\.9\.10 .*network rack-a 192\.168\.1\.0\/24/,
      ],
      ['not an object', [1, 2], /the lab file must be a JSON object/],
      ['no format version', { name: 'x' }, /podpath is missing/],
      ['a newer format', { podpath: 99 }, /podpath 99 is a newer lab format/],
      ['undefined', undefined, /the lab document is missing/],
    ];
    for (const [what, doc, message] of cases) {
      it(what, () => {
        const s = storage();
        value(s.labs.create({ document: smallLab('good') }));
        const before = counts(s);
        const results: StorageResult<unknown>[] = [
          s.labs.create({ document: doc }),
          s.labs.save('lab-1', doc),
          s.labs.autosave('lab-1', doc),
        ];
        for (const r of results) {
          const e = error(r);
          expect(e.code).toBe('invalid-document');
          expect(e.message).toMatch(message);
          expect(e.message).not.toMatch(/\n\s+at /);
        }
        expect(counts(s)).toEqual(before);
        expect(value(s.labs.get('lab-1')).document).toEqual(smallLab('good'));
      });
    }

    it('each problem names the field, the value and the reason', () => {
      const s = storage();
      const e = error(s.labs.create({ document: invalidLab() }));
      expect(e.problems?.map((p) => p.path)).toEqual(expect.arrayContaining(['nodes[1].ip']));
      expect(e.message).toMatch(/^the lab document is invalid, nothing was saved: /);
      expect(e.message).toMatch(/n3/);
    });

    it('a document that cannot be JSON (a cycle) is refused', () => {
      const s = storage();
      const doc: Record<string, unknown> = smallLab();
      doc['self'] = doc;
      expect(error(s.labs.create({ document: doc })).message).toMatch(/cannot be stored as JSON/);
      expect(counts(s)).toEqual({ labs: 0, revisions: 0 });
    });
  });

  it('a database error is a result with a message, not a throw', () => {
    const s = storage();
    s.close();
    const e = error(s.labs.list());
    expect(e.message).toMatch(/^could not list the labs: /);
  });
});
