import { readFileSync } from 'node:fs';
import { runCli } from './run';

/** `podpath`: the command line. All logic is in run.ts, which takes its I/O as parameters. */
const result = runCli(process.argv.slice(2), {
  readFile: (path) => readFileSync(path, 'utf8'),
  now: () => Date.now(),
});
if (result.stdout) process.stdout.write(result.stdout);
if (result.stderr) process.stderr.write(result.stderr);
process.exitCode = result.code;
