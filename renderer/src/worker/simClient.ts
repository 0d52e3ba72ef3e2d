/**
 * The UI's handle on the simulation worker: typed, promise-based requests, one lab revision key
 * per document object (documents are immutable: a new object is a new revision), the document
 * sent only when the worker has not seen that revision yet.
 */
import type {
  LabRef,
  SimKind,
  SimRequest,
  SimRequestBody,
  SimResponse,
  SimResult,
  SimError,
} from './protocol';
import { SimCore } from './simCore';

/** What the client needs of a worker: the subset of `Worker` it uses (a fake in tests). */
export interface WorkerLike {
  postMessage(msg: SimRequest): void;
  onmessage: ((e: MessageEvent<SimResponse>) => void) | null;
  /** A worker that failed to load or threw outside a request. */
  onerror?: ((e: ErrorEvent) => void) | null;
  terminate(): void;
}

export type SimOutcome<K extends SimKind> =
  { readonly ok: true; readonly value: SimResult<K> } | { readonly ok: false; readonly error: SimError };

/** A worker that runs the core on the calling thread (no Worker support, or tests). */
export function inlineWorker(core = new SimCore()): WorkerLike {
  const w: WorkerLike = {
    onmessage: null,
    postMessage(msg) {
      const res = core.handle(msg);
      queueMicrotask(() => w.onmessage?.({ data: res } as MessageEvent<SimResponse>));
    },
    terminate() {},
  };
  return w;
}

export function createWorker(): WorkerLike {
  try {
    return new Worker(new URL('./sim.worker.ts', import.meta.url), { type: 'module', name: 'podpath-sim' });
  } catch {
    return inlineWorker();
  }
}

export class SimClient {
  private nextId = 1;
  private nextKey = 1;
  private readonly pending = new Map<number, (r: SimResponse) => void>();
  private readonly keys = new WeakMap<object, string>();
  /** Lab keys the worker has been sent (it may have evicted some: it then answers lab-missing). */
  private readonly sent = new Set<string>();

  constructor(private readonly worker: WorkerLike = createWorker()) {
    worker.onmessage = (e) => {
      const cb = this.pending.get(e.data.id);
      if (cb) {
        this.pending.delete(e.data.id);
        cb(e.data);
      }
    };
    // a dead worker answers nothing: fail what is waiting instead of leaving the UI "Tracing…"
    worker.onerror = (e) => {
      e.preventDefault?.();
      this.failAll(`the simulation worker failed: ${e.message || 'it could not be started'}`);
    };
  }

  /** Answers every waiting request with an internal error (the worker's state is unknown after). */
  failAll(message: string): void {
    const waiting = [...this.pending];
    this.pending.clear();
    this.sent.clear();
    for (const [id, cb] of waiting)
      cb({ id, kind: 'trace', ok: false, error: { code: 'internal', message } });
  }

  /** The revision key of a document object (stable for the object's lifetime). */
  keyOf(doc: unknown): string {
    if (typeof doc !== 'object' || doc === null) return `v:${JSON.stringify(doc)}`;
    let k = this.keys.get(doc);
    if (k === undefined) {
      k = `lab-${this.nextKey++}`;
      this.keys.set(doc, k);
    }
    return k;
  }

  private labRef(doc: unknown, force: boolean): LabRef {
    const key = this.keyOf(doc);
    if (!force && this.sent.has(key)) return { key };
    this.sent.add(key);
    return { key, doc };
  }

  private post(body: SimRequestBody): Promise<SimResponse> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ ...body, id });
    });
  }

  /**
   * Sends a request about `doc`; when the worker no longer has the revision, sends it again with
   * the document. Never rejects: failures come back as `{ ok: false, error }`.
   */
  async request<K extends SimKind>(
    doc: unknown,
    body: Omit<Extract<SimRequestBody, { kind: K }>, 'lab'>,
  ): Promise<SimOutcome<K>> {
    let res = await this.post({ ...body, lab: this.labRef(doc, false) } as SimRequestBody);
    if (!res.ok && res.error.code === 'lab-missing')
      res = await this.post({ ...body, lab: this.labRef(doc, true) } as SimRequestBody);
    return res.ok ? { ok: true, value: res.value as SimResult<K> } : { ok: false, error: res.error };
  }

  dispose(): void {
    this.worker.terminate();
    this.pending.clear();
  }
}

let shared: SimClient | undefined;

/** The app's one simulation client (one worker for the stepper, Compare and the terminal). */
export function simClient(): SimClient {
  return (shared ??= new SimClient());
}
