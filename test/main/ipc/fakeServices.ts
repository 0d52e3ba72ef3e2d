/** An in-memory implementation of PodpathServices for the API tests (the real one is SQLite). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { importYaml, labObjectsToYaml, parseLab } from '../../../shared-sim/src/index';
import type {
  LabDocument,
  LabRecord,
  LabSummary,
  RecentFile,
  RevisionSummary,
  SettingValue,
} from '../../../main/ipc/contract';
import type { PodpathServices, ServiceResult } from '../../../main/ipc/services';

export const VXLAN_LAB = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../../assets/labs/flannel-vxlan-2node.podlab.json'), 'utf8'),
) as LabDocument;

const ok = <T>(value: T): ServiceResult<T> => ({ ok: true, value });
const fail = (error: string): ServiceResult<never> => ({ ok: false, error });

interface StoredLab {
  id: string;
  name: string;
  created: string;
  updated: string;
  revisions: { revision: number; kind: 'save' | 'autosave'; document: LabDocument; created: string }[];
}

export function createFakeServices(): PodpathServices & { calls: string[] } {
  const labs = new Map<string, StoredLab>();
  const settings: Record<string, SettingValue> = {};
  const recent: RecentFile[] = [];
  const calls: string[] = [];
  let nextId = 1;
  let tick = 0;
  // a fixed fake clock: no test reads wall-clock time
  const now = () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)).toISOString();

  const validate = (document: LabDocument): string | null => {
    const parsed = parseLab(document);
    return parsed.ok ? null : parsed.problems.map((p) => p.message).join('; ');
  };
  const summary = (lab: StoredLab): LabSummary => ({
    id: lab.id,
    name: lab.name,
    created: lab.created,
    updated: lab.updated,
  });
  const record = (lab: StoredLab): LabRecord => {
    const last = lab.revisions[lab.revisions.length - 1];
    if (!last) throw new Error('lab without revisions');
    return { ...summary(lab), document: last.document, revision: last.revision };
  };
  const write = (id: string, document: LabDocument, kind: 'save' | 'autosave'): ServiceResult<LabRecord> => {
    const lab = labs.get(id);
    if (!lab) return fail(`no lab with id ${id}`);
    const problem = validate(document);
    if (problem !== null) return fail(problem);
    lab.updated = now();
    lab.revisions.push({ revision: lab.revisions.length + 1, kind, document, created: lab.updated });
    return ok(record(lab));
  };
  const create = (name: string, document: LabDocument): ServiceResult<LabRecord> => {
    const problem = validate(document);
    if (problem !== null) return fail(problem);
    const created = now();
    const lab: StoredLab = {
      id: `lab-${nextId++}`,
      name,
      created,
      updated: created,
      revisions: [{ revision: 1, kind: 'save', document, created }],
    };
    labs.set(lab.id, lab);
    return ok(record(lab));
  };

  return {
    calls,
    labs: {
      list: () => {
        calls.push('labs.list');
        return ok([...labs.values()].map(summary).reverse());
      },
      get: (id) => {
        calls.push('labs.get');
        const lab = labs.get(id);
        return lab ? ok(record(lab)) : fail(`no lab with id ${id}`);
      },
      create: (name, document) => {
        calls.push('labs.create');
        return create(name, document ?? { podpath: 1, name });
      },
      save: (id, document) => {
        calls.push('labs.save');
        return write(id, document, 'save');
      },
      // async on purpose: services may return promises
      autosave: (id, document) => {
        calls.push('labs.autosave');
        return Promise.resolve(write(id, document, 'autosave'));
      },
      rename: (id, name) => {
        calls.push('labs.rename');
        const lab = labs.get(id);
        if (!lab) return fail(`no lab with id ${id}`);
        lab.name = name;
        lab.updated = now();
        return ok(summary(lab));
      },
      delete: (id) => {
        calls.push('labs.delete');
        return labs.delete(id) ? ok(null) : fail(`no lab with id ${id}`);
      },
      revisions: (id) => {
        calls.push('labs.revisions');
        const lab = labs.get(id);
        if (!lab) return fail(`no lab with id ${id}`);
        return ok(
          lab.revisions
            .map((r): RevisionSummary => ({
              labId: id,
              revision: r.revision,
              kind: r.kind,
              name: lab.name,
              created: r.created,
            }))
            .reverse(),
        );
      },
      restore: (id, revision) => {
        calls.push('labs.restore');
        const lab = labs.get(id);
        const old = lab?.revisions.find((r) => r.revision === revision);
        if (!lab || !old) return fail(`no revision ${revision} of lab ${id}`);
        return write(id, old.document, 'save');
      },
      importYaml: (id, text) => {
        calls.push('labs.importYaml');
        const lab = labs.get(id);
        if (!lab) return fail(`no lab with id ${id}`);
        const r = importYaml(record(lab).document, text);
        if (!r.ok) return fail(r.problems.map((p) => p.message).join('; '));
        const saved = write(id, r.document, 'save');
        if (!saved.ok) return saved;
        return ok({ lab: saved.value, added: r.added, replaced: r.replaced, warnings: r.warnings });
      },
      exportYaml: (id) => {
        calls.push('labs.exportYaml');
        const lab = labs.get(id);
        if (!lab) return fail(`no lab with id ${id}`);
        return ok({ fileName: `${lab.name}.yaml`, text: labObjectsToYaml(record(lab).document) });
      },
    },
    settings: {
      get: () => {
        calls.push('settings.get');
        return ok({ ...settings });
      },
      set: (key, value) => {
        calls.push('settings.set');
        settings[key] = value;
        return ok({ ...settings });
      },
    },
    files: {
      recent: () => {
        calls.push('files.recent');
        return ok([...recent]);
      },
      importLab: (source) => {
        calls.push('files.importLab');
        if (source.kind === 'path') {
          if (source.path.includes('boom'))
            throw new Error('disk on fire\n    at secret (/home/x/stack.ts:1:1)');
          return fail(`cannot read ${source.path}: no such file`);
        }
        if (source.format === 'yaml') return fail('YAML import is not in the fake');
        let json: unknown;
        try {
          json = JSON.parse(source.text);
        } catch {
          return fail('the lab file is not valid JSON');
        }
        return create(source.name ?? 'imported', json as LabDocument);
      },
      exportLab: (id, target) => {
        calls.push('files.exportLab');
        const lab = labs.get(id);
        if (!lab) return fail(`no lab with id ${id}`);
        const text = JSON.stringify(record(lab).document, null, 2);
        const fileName = `${lab.name}.podlab.json`;
        if (target.kind === 'path') {
          recent.unshift({ path: target.path, opened: now() });
          return ok({ fileName, text, path: target.path });
        }
        return ok({ fileName, text });
      },
    },
  };
}
