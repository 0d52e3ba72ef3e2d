/**
 * Keeps derived data (problems, pod IPs, endpoints) in step with the document without blocking
 * the UI: requests are debounced and run in a Web Worker; only the newest answer is used. Where
 * no Worker exists (unit tests), it derives synchronously.
 */
import { derive, type Derived } from './derive';

export interface DeriveClient {
  request(doc: unknown): void;
  dispose(): void;
}

export function createDeriveClient(onResult: (d: Derived) => void, debounceMs = 60): DeriveClient {
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: unknown;
  let busy = false;
  let worker: Worker | undefined;
  if (typeof Worker !== 'undefined') {
    try {
      worker = new Worker(new URL('./derive.worker.ts', import.meta.url), { type: 'module' });
    } catch {
      worker = undefined;
    }
  }
  const send = () => {
    timer = undefined;
    if (pending === undefined) return;
    const doc = pending;
    pending = undefined;
    seq++;
    if (worker) {
      busy = true;
      worker.postMessage({ seq, doc });
    } else {
      onResult(derive(doc, seq, () => performance.now()));
    }
  };
  if (worker)
    worker.onmessage = (e: MessageEvent<Derived>) => {
      busy = false;
      if (e.data.seq === seq) onResult(e.data);
      if (pending !== undefined && timer === undefined) send();
    };
  return {
    request(doc) {
      pending = doc;
      if (timer !== undefined) clearTimeout(timer);
      // while the worker is busy the newest document waits; it is sent when the answer arrives
      if (!busy) timer = setTimeout(send, debounceMs);
    },
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      worker?.terminate();
    },
  };
}
