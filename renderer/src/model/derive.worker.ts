/**
 * Runs shared-sim's validator and compiler off the UI thread (see deriveClient.ts). Typed with a
 * minimal worker scope: the renderer's tsconfig has the DOM lib, which clashes with the webworker lib.
 */
import { derive } from './derive';

interface WorkerScope {
  onmessage: ((e: MessageEvent<{ seq: number; doc: unknown }>) => void) | null;
  postMessage(message: unknown): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (e) => {
  const { seq, doc } = e.data;
  scope.postMessage(derive(doc, seq, () => performance.now()));
};
