/**
 * `.podlab.json` files: import (read, validate with shared-sim, store as a new lab) and export
 * (write atomically: a temporary file in the same directory, flushed, then renamed over the target,
 * so a crash leaves either the old file or the new one, never half of one).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LabRecord } from './repos/labRepo';
import { fail, fromException, ok, type StorageResult } from './result';
import type { Storage } from './storage';
import { validateDocumentText } from './validate';

export const LAB_FILE_EXTENSION = '.podlab.json';
/** Lab files larger than this are refused before reading (a 10,000-element lab is about 2 MB). */
export const MAX_LAB_FILE_BYTES = 64 * 1024 * 1024;

/** Reads and validates a lab file; returns its document. Nothing is stored. */
export function readLabFile(file: string): StorageResult<unknown> {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return fail('io', `could not read ${file}: it is not a file`);
    if (stat.size > MAX_LAB_FILE_BYTES)
      return fail(
        'io',
        `could not read ${file}: it is ${stat.size} bytes, more than a lab file can be (${MAX_LAB_FILE_BYTES})`,
      );
    const text = fs.readFileSync(file, 'utf8');
    const valid = validateDocumentText(text);
    if (!valid.ok)
      return fail(
        'invalid-document',
        `${file} is not a valid lab, nothing was imported: ${valid.error.problems?.map((p) => p.message).join('; ') ?? valid.error.message}`,
        valid.error.problems,
      );
    return ok(JSON.parse(valid.value.text) as unknown);
  } catch (e) {
    return fromException(`read ${file}`, e);
  }
}

/** Imports a lab file as a new lab, and records it among the recent files. */
export function importLabFile(storage: Storage, file: string): StorageResult<LabRecord> {
  const document = readLabFile(file);
  if (!document.ok) return document;
  const created = storage.labs.create({ document: document.value });
  if (!created.ok) return created;
  storage.recentFiles.add(path.resolve(file)); // best effort: the lab itself is stored
  return created;
}

let tempCounter = 0;

/** Writes `text` to `file` atomically (temp file in the same directory + fsync + rename). */
export function writeFileAtomic(file: string, text: string): StorageResult<{ readonly path: string }> {
  const dir = path.dirname(path.resolve(file));
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${++tempCounter}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx', 0o644);
    fs.writeFileSync(fd, text, 'utf8');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, file);
    try {
      // make the rename itself durable (not supported on every platform: best effort)
      const dfd = fs.openSync(dir, 'r');
      try {
        fs.fsyncSync(dfd);
      } finally {
        fs.closeSync(dfd);
      }
    } catch {
      /* directories cannot be fsync'ed on Windows */
    }
    return ok({ path: path.resolve(file) });
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    return fromException(`write ${file}`, e);
  }
}

/** The file text for a lab: its document with the lab's (possibly renamed) name, pretty-printed. */
export function labFileText(lab: LabRecord): string {
  const doc = lab.document;
  const named =
    typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? { ...doc, name: lab.name } : doc;
  return JSON.stringify(named, null, 2) + '\n';
}

/** Exports a stored lab to `file` (atomically) and records it among the recent files. */
export function exportLabFile(
  storage: Storage,
  labId: string,
  file: string,
): StorageResult<{ readonly path: string }> {
  const lab = storage.labs.get(labId);
  if (!lab.ok) return lab;
  const written = writeFileAtomic(file, labFileText(lab.value));
  if (!written.ok) return written;
  storage.recentFiles.add(written.value.path);
  return written;
}
