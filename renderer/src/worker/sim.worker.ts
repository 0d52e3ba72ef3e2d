/**
 * The simulation worker: shared-sim off the UI thread, so stepping never blocks the page. Created
 * by simClient.ts with `new Worker(new URL('./sim.worker.ts', import.meta.url), { type: 'module' })`.
 * (The renderer's tsconfig has the DOM lib, not the webworker lib: the two conflict, so the worker
 * scope is typed here by the two members it uses.)
 */
import type { SimRequest, SimResponse } from './protocol';
import { SimCore } from './simCore';

interface WorkerScope {
  onmessage: ((e: MessageEvent<SimRequest>) => void) | null;
  postMessage(msg: SimResponse): void;
}

const core = new SimCore();
const scope = self as unknown as WorkerScope;

scope.onmessage = (e) => {
  scope.postMessage(core.handle(e.data));
};
