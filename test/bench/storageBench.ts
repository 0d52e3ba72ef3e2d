/**
 * Storage benchmark (issue 6: a 10,000-element lab saved and loaded, target < 30 ms each), on a
 * database in a temporary directory. Reported separately: validation by shared-sim (part of every
 * save), the save's database write (JSON text + transaction + commit), and a load (read + JSON.parse).
 * Each time is the median of several runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStorage } from '../../main/storage/storage';
import { validateDocument } from '../../main/storage/validate';
import { bigLab } from '../main/storage/fixtures/labs';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

export function storageBench(): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'podpath-bench-'));
  try {
    const opened = openStorage({ path: path.join(dir, 'bench.db') });
    if (!opened.ok) throw new Error(opened.error.message);
    const s = opened.value;
    const doc = bigLab(10_000);
    const created = s.labs.create({ document: doc });
    if (!created.ok) throw new Error(created.error.message);
    const id = created.value.id;
    const validate: number[] = [];
    const save: number[] = [];
    const load: number[] = [];
    const write: number[] = [];
    for (let i = 0; i < 7; i++) {
      let t = performance.now();
      const v = validateDocument(doc);
      validate.push(performance.now() - t);
      if (!v.ok) throw new Error(v.error.message);
      t = performance.now();
      const r = s.labs.save(id, doc);
      save.push(performance.now() - t);
      if (!r.ok) throw new Error(r.error.message);
      t = performance.now();
      const g = s.labs.get(id);
      load.push(performance.now() - t);
      if (!g.ok) throw new Error(g.error.message);
    }
    write.push(...save.map((x, i) => Math.max(0, x - (validate[i] ?? 0))));
    const bytes = fs.statSync(path.join(dir, 'bench.db')).size;
    s.close();
    const ms = (x: number): string => `${x.toFixed(1)} ms`.padStart(9);
    return [
      `Storage — a 10,000-element lab (${(JSON.stringify(doc).length / 1024 / 1024).toFixed(1)} MB of JSON), SQLite WAL, medians of 7`,
      `  load (read + JSON.parse)              ${ms(median(load))}`,
      `  save: write+commit (≈total−validation)${ms(median(write))}`,
      `  save: shared-sim validation            ${ms(median(validate))}`,
      `  save: total                           ${ms(median(save))}`,
      `  database file ${(bytes / 1024 / 1024).toFixed(1)} MB (before checkpoint)`,
      'targets: save and load < 30 ms each',
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
