/**
 * What actions may ask of the canvas (zoom, fit, where the viewport is, inline rename). The
 * canvas component registers itself here when it mounts; actions work without it (tests, the
 * start screen) and simply skip the view part.
 */
import type { Position } from '../model/labDoc';

export interface CanvasApi {
  fit(): void;
  zoomBy(factor: number): void;
  /** The model position at the centre of the visible canvas. */
  viewportCenter(): Position;
  /** Current positions of elements as drawn (model coordinates). */
  positions(refs: readonly string[]): Record<string, Position>;
  /** Opens the inline rename box on an element. */
  startRename(ref: string): void;
  /** Every element ref drawn (devices, networks, pods, Services, policies). */
  allRefs(): string[];
}

let current: CanvasApi | undefined;

export function setCanvasApi(api: CanvasApi | undefined): void {
  current = api;
}

export function canvasApi(): CanvasApi | undefined {
  return current;
}
