/** `window.__podpath`: the canvas and the store, for end-to-end tests and the developer console. */
import type { Core } from 'cytoscape';
import type { EditorStore } from '../model/store';

declare global {
  interface Window {
    __podpath?: { cy: Core; store: EditorStore };
  }
}

export {};
