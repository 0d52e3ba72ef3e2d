/** `window.__podpath`: the canvas and the store, for end-to-end tests and the developer console. */
import type { Core } from 'cytoscape';
import type { EditorStore } from '../model/store';

declare global {
  interface Window {
    __podpath?: {
      cy: Core;
      store: EditorStore;
      /** Milliseconds the last canvas update spent projecting the document and patching cytoscape. */
      stats?: { project: number; patch: number; elements: number };
    };
  }
}

export {};
