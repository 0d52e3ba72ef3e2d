/**
 * `podpath import LAB FILE.yaml [--out LAB2]` and `podpath export LAB --yaml [--out FILE]`:
 * Kubernetes YAML into a lab's objects (shared-sim's importYaml: merge, replace by kind/namespace/
 * name, validate) and a lab's objects back out as multi-document YAML.
 *
 * Files are written atomically (a temporary file in the same directory, flushed, renamed over the
 * target): an interrupted import leaves the old lab or the new one, never half of one, and a
 * refused import leaves the lab untouched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { importYaml, labObjectsToYaml, parseLabText, type Problem } from '../../shared-sim/src/index';

export interface ImportExportIo {
  readFile(path: string): string;
  /** Writes `text` to `path` atomically; throws on failure. Default: writeFileAtomicSync. */
  writeFile?(path: string, text: string): void;
  /** The size of a file in bytes, or undefined when it cannot be found out. Default: fs.statSync. */
  fileSize?(path: string): number | undefined;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Refused before reading: anything larger cannot be imported anyway (shared-sim's character cap). */
export const MAX_YAML_FILE_BYTES = 32 * 1024 * 1024;

let tempCounter = 0;

/** Writes a file atomically: temp file in the same directory + fsync + rename (+ directory fsync). */
export function writeFileAtomicSync(file: string, text: string): void {
  const target = path.resolve(file);
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${process.pid}.${++tempCounter}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx', 0o644);
    fs.writeFileSync(fd, text, 'utf8');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, target);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw e;
  }
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    /* directories cannot be fsync'ed everywhere (Windows): the rename is done */
  }
}

function defaultFileSize(file: string): number | undefined {
  try {
    const st = fs.statSync(file);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}

function fsReason(e: unknown): string {
  const code = (e as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EROFS':
      return 'read-only file system';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

const fail = (stderr: string): CommandResult => ({ code: 1, stdout: '', stderr });
const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

function lines(file: string, problems: readonly Problem[]): string {
  return problems.map((p) => `${file}: ${p.severity}: ${p.message}\n`).join('');
}

function readText(io: ImportExportIo, file: string, what: string): string | CommandResult {
  const size = (io.fileSize ?? defaultFileSize)(file);
  if (size !== undefined && size > MAX_YAML_FILE_BYTES)
    return fail(
      `podpath: ${file} is ${size.toLocaleString('en-US')} bytes; a ${what} larger than ${MAX_YAML_FILE_BYTES.toLocaleString('en-US')} bytes is not read\n`,
    );
  try {
    return io.readFile(file);
  } catch (e) {
    return fail(`podpath: cannot read ${file}: ${fsReason(e)}\n`);
  }
}

/** The lab file as a JSON object, after the lab validator accepted it. */
function readLab(
  io: ImportExportIo,
  file: string,
): { readonly lab: Record<string, unknown> } | { readonly failed: CommandResult } {
  const text = readText(io, file, 'lab file');
  if (typeof text !== 'string') return { failed: text };
  const parsed = parseLabText(text);
  if (!parsed.ok) {
    const errors = parsed.problems.filter((p) => p.severity === 'error');
    return {
      failed: fail(
        lines(file, errors) + `podpath: ${file} is not a valid lab (${plural(errors.length, 'problem')})\n`,
      ),
    };
  }
  return { lab: JSON.parse(text) as Record<string, unknown> };
}

function write(io: ImportExportIo, file: string, text: string): CommandResult | null {
  try {
    (io.writeFile ?? writeFileAtomicSync)(file, text);
    return null;
  } catch (e) {
    return fail(`podpath: cannot write ${file}: ${fsReason(e)}\n`);
  }
}

/** `podpath import LAB FILE.yaml [--out LAB2]` */
export function runImport(
  labFile: string,
  yamlFile: string,
  out: string | undefined,
  io: ImportExportIo,
): CommandResult {
  const read = readLab(io, labFile);
  if ('failed' in read) return read.failed;
  const yaml = readText(io, yamlFile, 'YAML file');
  if (typeof yaml !== 'string') return yaml;

  const target = out ?? labFile;
  const r = importYaml(read.lab, yaml);
  if (!r.ok) {
    const errors = r.problems.filter((p) => p.severity === 'error');
    return fail(
      lines(yamlFile, errors) +
        `podpath: ${yamlFile} was not imported (${plural(errors.length, 'problem')}); ${target === labFile ? `${labFile} is unchanged` : `${target} was not written`}\n`,
    );
  }
  const failed = write(io, target, JSON.stringify(r.document, null, 2) + '\n');
  if (failed) return failed;
  const total = r.added.length + r.replaced.length;
  const summary =
    `imported ${plural(total, 'object')} from ${yamlFile} into ${target}: ` +
    `${r.added.length} added, ${r.replaced.length} replaced\n` +
    r.added.map((o) => `  added     ${o}\n`).join('') +
    r.replaced.map((o) => `  replaced  ${o}\n`).join('');
  return { code: 0, stdout: summary + lines(yamlFile, r.warnings), stderr: '' };
}

/** `podpath export LAB --yaml [--out FILE]` */
export function runExport(labFile: string, out: string | undefined, io: ImportExportIo): CommandResult {
  const read = readLab(io, labFile);
  if ('failed' in read) return read.failed;
  const yaml = labObjectsToYaml(read.lab);
  const note = yaml === '' ? `podpath: ${labFile} has no Kubernetes objects; the YAML is empty\n` : '';
  if (out === undefined) return { code: 0, stdout: yaml, stderr: note };
  const failed = write(io, out, yaml);
  if (failed) return failed;
  const objects = read.lab['objects'];
  const count = Array.isArray(objects) ? objects.length : 0;
  return {
    code: 0,
    stdout: `exported ${plural(count, 'object')} from ${labFile} to ${out}\n`,
    stderr: note,
  };
}
