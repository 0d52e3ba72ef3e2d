/**
 * Cytoscape styles: model state maps to classes (toElements.ts), classes map to styles here.
 * Sizes are chosen for a classroom projector: device labels 18px, pod labels 15px, bold.
 */
import type { StylesheetJson } from 'cytoscape';

export interface GraphTheme {
  readonly text: string;
  readonly textBg: string;
  readonly network: string;
  readonly networkBorder: string;
  readonly node: string;
  readonly nodeBorder: string;
  readonly router: string;
  readonly client: string;
  readonly pod: string;
  readonly podBorder: string;
  readonly svc: string;
  readonly netpol: string;
  readonly link: string;
  readonly selected: string;
  readonly error: string;
  readonly warning: string;
}

export const LIGHT: GraphTheme = {
  text: '#111827',
  textBg: '#ffffff',
  network: '#dbeafe',
  networkBorder: '#2563eb',
  node: '#f8fafc',
  nodeBorder: '#475569',
  router: '#fde68a',
  client: '#e9d5ff',
  pod: '#d1fae5',
  podBorder: '#059669',
  svc: '#fee2e2',
  netpol: '#fef3c7',
  link: '#64748b',
  selected: '#f97316',
  error: '#dc2626',
  warning: '#d97706',
};

export const DARK: GraphTheme = {
  text: '#f1f5f9',
  textBg: '#0f172a',
  network: '#1e3a8a',
  networkBorder: '#60a5fa',
  node: '#1e293b',
  nodeBorder: '#94a3b8',
  router: '#854d0e',
  client: '#6b21a8',
  pod: '#065f46',
  podBorder: '#34d399',
  svc: '#7f1d1d',
  netpol: '#78350f',
  link: '#94a3b8',
  selected: '#fb923c',
  error: '#f87171',
  warning: '#fbbf24',
};

export function graphStyles(c: GraphTheme): StylesheetJson {
  const label = {
    label: 'data(label)',
    color: c.text,
    'font-family': 'system-ui, "Segoe UI", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif',
    'font-weight': 600,
    'text-wrap': 'wrap',
    'min-zoomed-font-size': 7,
  } as const;
  return [
    {
      selector: 'node',
      style: {
        ...label,
        'font-size': 18,
        'border-width': 2,
        'text-valign': 'center',
        'text-halign': 'center',
      },
    },
    {
      selector: 'node.network',
      style: {
        shape: 'round-rectangle',
        width: 'data(width)',
        height: 46,
        'background-color': c.network,
        'border-color': c.networkBorder,
        'border-width': 3,
        'font-size': 20,
        'z-index': 1,
      },
    },
    {
      selector: 'node.node',
      style: {
        shape: 'round-rectangle',
        width: 190,
        height: 86,
        'background-color': c.node,
        'border-color': c.nodeBorder,
        'border-width': 3,
        'z-index': 5,
      },
    },
    {
      selector: 'node.node.with-pods, node.node:parent',
      style: {
        'text-valign': 'top',
        'text-halign': 'center',
        'text-margin-y': -6,
        padding: '24px',
        'text-background-color': c.textBg,
        'text-background-opacity': 0.85,
        'text-background-padding': '3px',
        'text-background-shape': 'roundrectangle',
        'background-opacity': 0.6,
      },
    },
    {
      selector: 'node.router',
      style: {
        shape: 'ellipse',
        width: 120,
        height: 120,
        'background-color': c.router,
        'border-color': c.nodeBorder,
        'border-width': 3,
        'z-index': 5,
      },
    },
    {
      selector: 'node.client',
      style: {
        shape: 'round-rectangle',
        width: 170,
        height: 76,
        'background-color': c.client,
        'border-color': c.nodeBorder,
        'z-index': 5,
      },
    },
    {
      selector: 'node.pod',
      style: {
        shape: 'round-rectangle',
        width: 136,
        height: 64,
        'font-size': 15,
        'background-color': c.pod,
        'border-color': c.podBorder,
        'border-width': 2,
        'z-index': 10,
      },
    },
    { selector: 'node.pod.pending', style: { 'border-style': 'dashed', 'background-opacity': 0.6 } },
    { selector: 'node.pod.not-ready', style: { 'border-style': 'dotted', 'background-opacity': 0.5 } },
    { selector: 'node.pod.replica', style: { 'border-style': 'double', 'border-width': 4 } },
    {
      selector: 'node.svc',
      style: {
        shape: 'hexagon',
        width: 170,
        height: 80,
        'font-size': 15,
        'background-color': c.svc,
        'border-color': c.error,
        'z-index': 6,
      },
    },
    {
      selector: 'node.netpol',
      style: {
        shape: 'tag',
        width: 170,
        height: 64,
        'font-size': 15,
        'background-color': c.netpol,
        'border-color': c.warning,
        'z-index': 6,
      },
    },
    {
      selector: 'edge',
      style: {
        'curve-style': 'straight',
        width: 3,
        'line-color': c.link,
        label: 'data(label)',
        color: c.text,
        'font-size': 14,
        'font-weight': 600,
        'text-background-color': c.textBg,
        'text-background-opacity': 0.9,
        'text-background-padding': '2px',
        'min-zoomed-font-size': 8,
        'z-index': 2,
      },
    },
    {
      selector: 'edge.link',
      style: {
        // meet the network bar straight below/above the device, like a drop cable to a switch
        'target-endpoint': ((e: { data: (k: string) => unknown }) =>
          `${Number(e.data('tx') ?? 0)}px 0px`) as unknown as string,
        'source-text-offset': 46,
        'text-rotation': 'none',
        'source-label': 'data(label)',
        label: '',
        'font-size': 14,
      },
    },
    {
      selector: 'edge.endpoint',
      style: {
        'line-style': 'dashed',
        'line-color': c.error,
        width: 2,
        'target-arrow-shape': 'triangle',
        'target-arrow-color': c.error,
        opacity: 0.8,
      },
    },
    { selector: 'edge.endpoint.not-ready', style: { 'line-style': 'dotted', opacity: 0.4 } },
    {
      selector: 'edge.policy',
      style: {
        'line-style': 'dotted',
        'line-color': c.warning,
        width: 2,
        'target-arrow-shape': 'tee',
        'target-arrow-color': c.warning,
      },
    },
    { selector: '.has-warning', style: { 'border-color': c.warning, 'border-width': 4 } },
    {
      selector: '.has-error',
      style: { 'border-color': c.error, 'border-width': 5, 'border-style': 'dashed' },
    },
    {
      selector: ':selected',
      style: {
        'border-color': c.selected,
        'border-width': 5,
        'overlay-color': c.selected,
        'overlay-opacity': 0.12,
        'overlay-padding': 6,
      },
    },
    { selector: 'edge:selected', style: { 'line-color': c.selected, width: 5 } },
    {
      selector: '.connect-source',
      style: { 'border-color': c.selected, 'border-style': 'double', 'border-width': 6 },
    },
    {
      selector: 'node.network.connect-target',
      style: { 'background-color': c.selected, 'background-opacity': 0.35 },
    },
    {
      selector: 'node.drop-target',
      style: { 'overlay-color': c.selected, 'overlay-opacity': 0.2, 'overlay-padding': 10 },
    },
  ];
}
