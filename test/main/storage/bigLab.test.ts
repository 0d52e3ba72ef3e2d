import { describe, expect, it } from 'vitest';
import { exportLabFile, importLabFile } from '../../../main/storage/files';
import { bigLab } from './fixtures/labs';
import { storage, tempDir, value } from './helpers';
import path from 'node:path';

describe('a 10,000-element lab', () => {
  it('is saved, autosaved, loaded, exported and imported intact', () => {
    const s = storage();
    const doc = bigLab(10_000);
    expect((doc['nodes'] as unknown[]).length + (doc['objects'] as unknown[]).length).toBe(10_000); // + router, - namespace
    value(s.labs.create({ document: doc }));
    value(s.labs.save('lab-1', doc));
    value(s.labs.autosave('lab-1', doc));
    expect(value(s.labs.get('lab-1')).document).toEqual(doc);
    const out = path.join(tempDir(), 'big.podlab.json');
    value(exportLabFile(s, 'lab-1', out));
    expect(value(importLabFile(s, out)).document).toEqual(doc);
  }, 20_000);
});
