/**
 * Undo/redo of document changes. Documents are immutable and share structure, so an entry keeps
 * the document before and after the change by reference (the memory cost of a step is what the
 * step changed, like an inverse delta, without a second representation to keep in sync).
 *
 * How an update is captured (Excalidraw's store): `immediately` makes one undo step; `eventually`
 * merges into the previous step when it carries the same merge key (typing into one field, a drag
 * that reports several moves); `never` is not undoable (loading a lab, derived data). Selection is
 * not history: changing it never clears redo.
 */
import type { LabDoc } from './labDoc';

export type Capture = 'immediately' | 'eventually' | 'never';

export interface HistoryEntry {
  readonly before: LabDoc;
  readonly after: LabDoc;
  /** The action that made the change (shown as "Undo <label>"). */
  readonly label: string;
  readonly mergeKey?: string;
  /** Selection to restore on undo / redo (element refs). */
  readonly selectionBefore: readonly string[];
  readonly selectionAfter: readonly string[];
}

export class History {
  private past: HistoryEntry[] = [];
  private future: HistoryEntry[] = [];
  constructor(private readonly limit = 500) {}

  get canUndo(): boolean {
    return this.past.length > 0;
  }
  get canRedo(): boolean {
    return this.future.length > 0;
  }
  get undoLabel(): string | undefined {
    return this.past.at(-1)?.label;
  }
  get redoLabel(): string | undefined {
    return this.future.at(-1)?.label;
  }
  get size(): { undo: number; redo: number } {
    return { undo: this.past.length, redo: this.future.length };
  }

  record(entry: HistoryEntry, capture: Capture): void {
    if (capture === 'never' || entry.before === entry.after) return;
    const last = this.past.at(-1);
    if (
      capture === 'eventually' &&
      last &&
      entry.mergeKey !== undefined &&
      last.mergeKey === entry.mergeKey &&
      last.after === entry.before
    ) {
      this.past[this.past.length - 1] = { ...last, after: entry.after, selectionAfter: entry.selectionAfter };
    } else {
      this.past.push(entry);
      if (this.past.length > this.limit) this.past.shift();
    }
    this.future = [];
  }

  /** Ends merging: the next `eventually` update starts a new step even with the same key. */
  seal(): void {
    const last = this.past.at(-1);
    if (last?.mergeKey !== undefined) {
      const { mergeKey: _k, ...rest } = last;
      void _k;
      this.past[this.past.length - 1] = rest;
    }
  }

  undo(): HistoryEntry | undefined {
    const e = this.past.pop();
    if (e) this.future.push(e);
    return e;
  }

  redo(): HistoryEntry | undefined {
    const e = this.future.pop();
    if (e) this.past.push(e);
    return e;
  }

  clear(): void {
    this.past = [];
    this.future = [];
  }
}
