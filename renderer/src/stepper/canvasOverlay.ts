/**
 * Draws the stepper's path on the canvas: visited hosts and crossed links lit (request blue, reply
 * purple), the current host ringed, the host that dropped the packet red, and a packet marker
 * (a DOM element over the canvas, so the canvas's patching never touches it) that moves from host
 * to host. The canvas calls `attachPathOverlay(cy)` once; the return value detaches it.
 */
import type { Core, EventObject } from 'cytoscape';
import { editorStore } from '../model/store';
import { EMPTY_HIGHLIGHT, pathHighlight, type HighlightStore, type PathHighlight } from './pathHighlight';

export const PATH_CLASSES = [
  'pp-visited',
  'pp-reply-visited',
  'pp-link',
  'pp-reply-link',
  'pp-current',
  'pp-current-link',
  'pp-dropped',
] as const;

export const PATH_COLORS = { request: '#2563eb', reply: '#a21caf', current: '#f59e0b', drop: '#dc2626' };

const STYLES: readonly { selector: string; style: Record<string, string | number> }[] = [
  { selector: 'node.pp-visited', style: { 'border-color': PATH_COLORS.request, 'border-width': 4 } },
  { selector: 'node.pp-reply-visited', style: { 'border-color': PATH_COLORS.reply, 'border-width': 4 } },
  {
    selector: 'node.pp-visited.pp-reply-visited',
    style: { 'border-color': PATH_COLORS.reply, 'border-style': 'double', 'border-width': 6 },
  },
  { selector: 'edge.pp-link', style: { 'line-color': PATH_COLORS.request, width: 5, 'z-index': 20 } },
  { selector: 'edge.pp-reply-link', style: { 'line-color': PATH_COLORS.reply, width: 5, 'z-index': 20 } },
  {
    selector: 'edge.pp-link.pp-reply-link',
    style: { 'line-style': 'dashed', 'line-dash-pattern': [12, 6] as unknown as string },
  },
  {
    selector: 'node.pp-current',
    style: {
      'border-color': PATH_COLORS.current,
      'border-width': 7,
      'underlay-color': PATH_COLORS.current,
      'underlay-opacity': 0.25,
      'underlay-padding': 10,
    },
  },
  { selector: 'edge.pp-current-link', style: { 'line-color': PATH_COLORS.current, width: 8, 'z-index': 30 } },
  {
    selector: 'node.pp-dropped',
    style: {
      'border-color': PATH_COLORS.drop,
      'border-width': 8,
      'underlay-color': PATH_COLORS.drop,
      'underlay-opacity': 0.3,
      'underlay-padding': 12,
    },
  },
];

function apply(cy: Core, h: PathHighlight): void {
  cy.batch(() => {
    cy.elements(PATH_CLASSES.map((c) => `.${c}`).join(',')).removeClass(PATH_CLASSES.join(' '));
    const add = (ids: readonly string[], cls: string): void => {
      for (const id of ids) cy.getElementById(id).addClass(cls);
    };
    add(h.visited, 'pp-visited');
    add(h.replyVisited, 'pp-reply-visited');
    add(h.links, 'pp-link');
    add(h.replyLinks, 'pp-reply-link');
    add(h.currentLinks, 'pp-current-link');
    if (h.current) add([h.current], 'pp-current');
    if (h.dropped) add([h.dropped], 'pp-dropped');
  });
}

/** Where to draw the marker: the host's node, or (for a host not drawn) nowhere. */
function renderedCenter(cy: Core, ref: string | null): { x: number; y: number } | undefined {
  if (!ref) return undefined;
  const n = cy.getElementById(ref);
  if (n.empty() || !n.isNode()) return undefined;
  return n.renderedPosition();
}

function addStyles(cy: Core): void {
  for (const s of STYLES) cy.style().selector(s.selector).style(s.style);
  cy.style().update();
}

export function attachPathOverlay(cy: Core, store: HighlightStore = pathHighlight): () => void {
  addStyles(cy);
  // the canvas replaces its whole stylesheet when the theme changes: add the path styles again
  // once it has (a microtask runs after every listener of this change)
  const offTheme = editorStore.subscribe((s, prev) => {
    if (s.prefs.theme !== prev.prefs.theme) queueMicrotask(() => addStyles(cy));
  });
  const container = cy.container();
  const marker = document.createElement('div');
  marker.className = 'pp-packet-marker';
  marker.setAttribute('aria-hidden', 'true');
  marker.dataset['testid'] = 'packet-marker';
  Object.assign(marker.style, {
    position: 'absolute',
    left: '0',
    top: '0',
    width: '18px',
    height: '18px',
    marginLeft: '-9px',
    marginTop: '-9px',
    borderRadius: '50%',
    border: '3px solid #fff',
    boxShadow: '0 0 0 2px rgba(0,0,0,.35), 0 2px 6px rgba(0,0,0,.4)',
    pointerEvents: 'none',
    zIndex: '5',
    display: 'none',
    transition: 'transform 350ms ease-in-out, background-color 200ms',
  } satisfies Partial<CSSStyleDeclaration>);
  if (container) {
    if (getComputedStyle(container).position === 'static') container.style.position = 'relative';
    container.appendChild(marker);
  }
  let last: PathHighlight = EMPTY_HIGHLIGHT;
  const place = (animate: boolean): void => {
    const at = renderedCenter(cy, last.current);
    if (!at) {
      marker.style.display = 'none';
      return;
    }
    marker.style.transition = animate ? 'transform 350ms ease-in-out, background-color 200ms' : 'none';
    marker.style.display = 'block';
    marker.style.backgroundColor = last.dropped
      ? PATH_COLORS.drop
      : last.currentReply
        ? PATH_COLORS.reply
        : PATH_COLORS.request;
    marker.style.transform = `translate(${at.x}px, ${at.y}px)`;
    marker.dataset['host'] = last.current ?? '';
  };
  const update = (): void => {
    const h = store.get();
    const moved = h.current !== last.current;
    last = h;
    apply(cy, h);
    place(moved);
  };
  const onViewport = (): void => place(false);
  // the canvas re-creates elements when the document changes: put the classes back on new ones
  const onAdd = (e: EventObject): void => {
    if (last !== EMPTY_HIGHLIGHT && e.target !== cy) apply(cy, last);
  };
  cy.on('pan zoom resize position', onViewport);
  cy.on('add', onAdd);
  const unsubscribe = store.subscribe(update);
  update();
  return () => {
    unsubscribe();
    offTheme();
    cy.off('pan zoom resize position', onViewport);
    cy.off('add', onAdd);
    marker.remove();
    apply(cy, EMPTY_HIGHLIGHT);
  };
}
