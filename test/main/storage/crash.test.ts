/**
 * Crash safety: a child process streams saves and autosaves through the real storage service and
 * is killed with SIGKILL at seeded random moments, 30 times, on the same database file. After each
 * kill the database must pass `PRAGMA integrity_check`, and every lab must be at its last
 * committed revision: its document is its newest revision's document, every revision the child
 * reported as committed is still there (or was an autosave pruned by a later one), and at most one
 * commit beyond the last reported one exists (committed, killed before it could print).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers';

const RUNS = 30;
const SEED = 0x5eed;

/** mulberry32: a small seeded generator (the test states its seed). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let childScript = '';

beforeAll(async () => {
  // The child runs the real TypeScript storage code, bundled; better-sqlite3 stays the installed one.
  const sqlite = path.resolve(__dirname, '../../../node_modules/better-sqlite3/lib/index.js');
  childScript = path.join(tempDir(), 'crashChild.mjs');
  await build({
    entryPoints: [path.join(__dirname, 'fixtures', 'crashChild.ts')],
    outfile: childScript,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    // bundled CommonJS dependencies (the yaml package, through shared-sim) call require()
    banner: {
      js: "import { createRequire as __podpathCreateRequire } from 'node:module';\nconst require = __podpathCreateRequire(import.meta.url);",
    },
    plugins: [
      {
        name: 'native-sqlite',
        setup(b) {
          b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: sqlite, external: true }));
        },
      },
    ],
  });
}, 20_000);

interface Run {
  /** Per lab, the last revision the child reported as committed. */
  readonly reported: Map<string, number>;
  readonly lines: number;
  readonly signal: string | null;
}

function runAndKill(file: string, killAfterMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const reported = new Map<string, number>();
    let buf = '';
    let lines = 0;
    let stderr = '';
    let armed = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('ready')) {
          if (!armed) {
            armed = true;
            setTimeout(() => child.kill('SIGKILL'), killAfterMs);
          }
          continue;
        }
        const [lab, rev] = line.split(' ');
        if (lab !== undefined && rev !== undefined) {
          reported.set(lab, Number(rev));
          lines++;
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child ended with ${code} ${signal}: ${stderr}`));
      else resolve({ reported, lines, signal });
    });
  });
}

describe('crash safety', () => {
  it(`survives SIGKILL in the middle of a stream of saves, ${RUNS} times (seed ${SEED})`, async () => {
    const file = path.join(tempDir(), 'crash.db');
    const random = rng(SEED);
    const lastReported = new Map<string, number>();
    let total = 0;
    for (let run = 0; run < RUNS; run++) {
      const killAfter = 5 + Math.floor(random() * 120);
      const r = await runAndKill(file, killAfter);
      total += r.lines;
      for (const [lab, rev] of r.reported) lastReported.set(lab, rev);

      const db = new Database(file, { readonly: false });
      try {
        expect(db.pragma('integrity_check', { simple: true }), `run ${run}`).toBe('ok');
        expect(db.pragma('foreign_key_check'), `run ${run}`).toEqual([]);
        const labs = db.prepare('SELECT id, document FROM labs ORDER BY id').all() as {
          id: string;
          document: string;
        }[];
        expect(labs.length).toBe(3);
        for (const lab of labs) {
          const newest = db
            .prepare('SELECT id, document FROM revisions WHERE lab_id = ? ORDER BY id DESC LIMIT 1')
            .get(lab.id) as { id: number; document: string } | undefined;
          expect(newest, `lab ${lab.id} has no revision after run ${run}`).toBeDefined();
          expect(lab.document, `lab ${lab.id} after run ${run}`).toBe(newest?.document);
          const last = lastReported.get(lab.id);
          if (last === undefined) continue;
          // nothing the child reported as committed is lost
          expect(newest?.id ?? 0, `lab ${lab.id} after run ${run}`).toBeGreaterThanOrEqual(last);
          const beyond = db
            .prepare('SELECT count(*) AS n FROM revisions WHERE lab_id = ? AND id > ?')
            .get(lab.id, last) as {
            n: number;
          };
          expect(beyond.n, `lab ${lab.id} after run ${run}`).toBeLessThanOrEqual(1);
          const doc = JSON.parse(lab.document) as { description: string };
          expect(doc.description.startsWith(`${lab.id} #`) || doc.description === 'created').toBe(true);
        }
      } finally {
        db.close();
      }
    }
    // the child did real work between the kills
    expect(total).toBeGreaterThan(RUNS);
  }, 30_000);
});
