// @ts-check
// Local ESLint rule: the layer DAG inside shared-sim/src (STYLE.md "Import direction").
// Modelled on VS Code's .eslint-plugin-local/code-layering.ts: one {layer: allowed[]} table,
// a file in a folder that is not in the table is an error, and so is an import of one.
import path from 'node:path';

const DP = [
  'addr',
  'wire',
  'netns',
  'neigh',
  'route',
  'bridge',
  'tunnel',
  'conntrack',
  'netfilter',
  'walker',
];
const dp = (/** @type {string[]} */ ...names) => names.map((n) => `dataplane/${n}`);
const MID = dp('netns', 'neigh', 'route', 'bridge', 'tunnel', 'conntrack');

/** Which layers each layer may import (its own layer is always allowed). */
export const LAYERS = /** @type {Readonly<Record<string, readonly string[]>>} */ ({
  core: [],
  // Exception: the model validates addresses and CIDRs with dataplane/addr (values, not kernel behaviour).
  model: ['core', 'dataplane/addr'],
  'dataplane/addr': ['core'],
  'dataplane/wire': ['core', ...dp('addr')],
  ...Object.fromEntries(MID.map((l) => [l, ['core', ...dp('addr', 'wire')]])),
  'dataplane/netfilter': ['core', ...dp('addr', 'wire', 'conntrack')],
  'dataplane/walker': ['core', ...dp(...DP.filter((n) => n !== 'walker'))],
  control: ['core', 'model', ...dp(...DP)],
  compile: ['core', 'model', ...dp(...DP), 'control'],
  // Exception: views render a compiled World (compile/world.ts) and the files the CNI writes.
  views: ['core', 'model', ...dp(...DP), 'control', 'compile'],
  drills: ['core', 'model', ...dp(...DP), 'control', 'compile', 'views'],
});
const INDEX = 'index.ts';
const SRC = '/shared-sim/src/';

/** Layer of a path relative to shared-sim/src: 'index.ts', a LAYERS key, or an unknown name. */
export function layerOf(/** @type {string} */ rel) {
  const seg = rel.split('/').filter((s) => s !== '' && s !== '.');
  const [a = '', b] = seg;
  if (seg.length === 0 || (seg.length === 1 && /^index(\.[cm]?[jt]s)?$/.test(a))) return INDEX;
  // 'model' (a directory import) is the model layer; 'dataplane' alone or 'x.ts' is no layer.
  return a === 'dataplane' && b !== undefined ? `dataplane/${b}` : a;
}

/** @type {import('eslint').Rule.RuleModule} */
export const codeLayering = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the shared-sim layer DAG (STYLE.md "Import direction")' },
    schema: [],
    messages: {
      unknownLayer:
        "'{{layer}}' is not a layer of shared-sim/src; add it to LAYERS in main/build/eslint/codeLayering.mjs or move the file",
      unknownTarget: "import of '{{layer}}', which is not a layer of shared-sim/src",
      forbidden: "layer '{{from}}' must not import '{{to}}' (allowed: {{allowed}})",
      viaIndex:
        'import the layer directly; shared-sim/src/index.ts is the public surface for main/renderer only',
      outside: 'shared-sim imports nothing outside itself',
    },
  },
  create(context) {
    const file = context.filename.replaceAll('\\', '/');
    const at = file.lastIndexOf(SRC);
    if (at < 0) return {};
    const srcRoot = file.slice(0, at + SRC.length - 1);
    const self = layerOf(path.posix.relative(srcRoot, file));
    if (self === INDEX) return {}; // the public surface may re-export everything
    if (!(self in LAYERS)) {
      return {
        Program: (node) => context.report({ node, messageId: 'unknownLayer', data: { layer: self } }),
      };
    }
    const allowed = LAYERS[self] ?? [];
    /** @param {any} node @param {unknown} spec */
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return; // packages: purity rule's job
      const rel = path.posix.relative(srcRoot, path.posix.resolve(path.posix.dirname(file), spec));
      if (rel.startsWith('..')) return context.report({ node, messageId: 'outside' });
      const to = layerOf(rel);
      if (to === self) return;
      if (to === INDEX) return context.report({ node, messageId: 'viaIndex' });
      if (!(to in LAYERS)) return context.report({ node, messageId: 'unknownTarget', data: { layer: to } });
      if (!allowed.includes(to)) {
        const data = { from: self, to, allowed: allowed.join(', ') || 'nothing' };
        context.report({ node, messageId: 'forbidden', data });
      }
    };
    /** @param {any} node */
    const fromSource = (node) => check(node, node.source?.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: fromSource,
      /** @param {any} node */ // typeof import('../x') (older typescript-eslint: argument.literal)
      TSImportType: (node) => check(node, node.source?.value ?? node.argument?.literal?.value),
      /** @param {any} node */ // import x = require('../x')
      TSExternalModuleReference: (node) => check(node, node.expression?.value),
    };
  },
};

/** The `local` plugin registered in eslint.config.mjs. */
export const localPlugin = { rules: { 'code-layering': codeLayering } };
