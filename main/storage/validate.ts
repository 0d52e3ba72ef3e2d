import { parseLab, parseLabText, type LabParse, type Problem } from '../../shared-sim/src/index';
import { fail, ok, type StorageResult } from './result';

/** A lab document that passed shared-sim's validator, with the JSON text to store. */
export interface ValidDocument {
  readonly text: string;
  /** The lab's name as the validator read it (default "Untitled lab"). */
  readonly name: string;
  readonly warnings: readonly Problem[];
}

function fromParse(parsed: LabParse, text: string): StorageResult<ValidDocument> {
  if (!parsed.ok) {
    const errors = parsed.problems.filter((p) => p.severity === 'error');
    const shown = errors.length > 0 ? errors : parsed.problems;
    return fail(
      'invalid-document',
      `the lab document is invalid, nothing was saved: ${shown.map((p) => p.message).join('; ')}`,
      parsed.problems,
    );
  }
  return ok({ text, name: parsed.lab.name, warnings: parsed.warnings });
}

/** Validates a lab document (a JSON value) before it is stored. */
export function validateDocument(document: unknown): StorageResult<ValidDocument> {
  let text: string | undefined;
  try {
    text = JSON.stringify(document);
  } catch (e) {
    return fail(
      'invalid-document',
      `the lab document cannot be stored as JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (text === undefined) return fail('invalid-document', 'the lab document is missing');
  return fromParse(parseLab(document), text);
}

/** Validates lab file text (a `.podlab.json` file's content). */
export function validateDocumentText(text: string): StorageResult<ValidDocument> {
  const parsed = parseLabText(text);
  if (!parsed.ok) return fromParse(parsed, text);
  // store compact JSON text; the file's own formatting is not part of the lab
  return fromParse(parsed, JSON.stringify(JSON.parse(text)));
}
