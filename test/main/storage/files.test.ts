import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportLabFile, importLabFile, readLabFile, writeFileAtomic } from '../../../main/storage/files';
import { invalidLab, smallLab } from './fixtures/labs';
import { error, storage, tempDir, value } from './helpers';

const ASSETS = path.resolve(__dirname, '../../../assets/labs');

describe('.podlab.json import and export', () => {
  it('imports every built-in lab, and records the file as recent', () => {
    const s = storage();
    for (const f of fs
      .readdirSync(ASSETS)
      .filter((n) => n.endsWith('.podlab.json'))
      .sort()) {
      const file = path.join(ASSETS, f);
      const lab = value(importLabFile(s, file));
      expect(lab.document).toEqual(JSON.parse(fs.readFileSync(file, 'utf8')));
      expect(value(s.recentFiles.list())[0]?.path).toBe(file);
    }
  });

  it('refuses an invalid file with the validator’s messages and stores nothing', () => {
    const s = storage();
    const dir = tempDir();
    const bad = path.join(dir, 'bad.podlab.json');
    fs.writeFileSync(bad, JSON.stringify(invalidLab()));
    const e = error(importLabFile(s, bad));
    expect(e.code).toBe('invalid-document');
    expect(e.message).toMatch(
      /bad\.podlab\.json is not a valid lab, nothing was imported: nodes\[1\]\.ip 192\.168\.9\.10/,
    );
    const notJson = path.join(dir, 'nojson.podlab.json');
    fs.writeFileSync(notJson, '{ "podpath": 1, ');
    expect(error(importLabFile(s, notJson)).message).toMatch(/the lab file is not valid JSON/);
    expect(error(importLabFile(s, path.join(dir, 'missing.podlab.json'))).message).toMatch(
      /^could not read .*missing\.podlab\.json: ENOENT/,
    );
    expect(error(readLabFile(dir)).message).toMatch(/it is not a file/);
    expect(value(s.labs.list())).toEqual([]);
    expect(value(s.recentFiles.list())).toEqual([]);
  });

  it('exports a lab (with its current name) that imports back to the same document', () => {
    const s = storage();
    value(s.labs.create({ document: smallLab('v1') }));
    value(s.labs.save('lab-1', smallLab('v2')));
    value(s.labs.rename('lab-1', 'Renamed'));
    const out = path.join(tempDir(), 'out.podlab.json');
    expect(value(exportLabFile(s, 'lab-1', out))).toEqual({ path: out });
    const text = fs.readFileSync(out, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual({ ...smallLab('v2'), name: 'Renamed' });
    expect(value(readLabFile(out))).toEqual({ ...smallLab('v2'), name: 'Renamed' });
    expect(value(s.recentFiles.list())[0]?.path).toBe(out);
    // no temporary file is left behind
    expect(fs.readdirSync(path.dirname(out))).toEqual(['out.podlab.json']);
    expect(error(exportLabFile(s, 'nope', out)).code).toBe('not-found');
  });

  it('writes atomically: an existing file is replaced whole, and a failed write leaves it as it was', () => {
    const dir = tempDir();
    const file = path.join(dir, 'lab.podlab.json');
    fs.writeFileSync(file, 'old');
    value(writeFileAtomic(file, 'new'));
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
    // the target is a directory: rename fails; the temp file is removed and the message says why
    const target = path.join(dir, 'adir');
    fs.mkdirSync(target);
    const e = error(writeFileAtomic(target, 'x'));
    expect(e.message).toMatch(/^could not write .*adir: /);
    expect(fs.readdirSync(dir).sort()).toEqual(['adir', 'lab.podlab.json']);
    expect(error(writeFileAtomic(path.join(dir, 'no', 'such', 'dir.json'), 'x')).code).toBe('io');
  });
});
