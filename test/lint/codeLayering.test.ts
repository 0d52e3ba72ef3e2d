import path from 'node:path';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';
import { codeLayering, layerOf, LAYERS } from '../../main/build/eslint/codeLayering.mjs';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const tester = new RuleTester({
  languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
});

// The files need not exist: the rule only looks at paths.
const src = path.join(process.cwd(), 'shared-sim/src');
const at = (rel: string): string => path.join(src, rel);
const imp = (file: string, spec: string) => ({ filename: at(file), code: `import { x } from '${spec}';` });
const err = (file: string, spec: string, messageId: string) => ({
  ...imp(file, spec),
  errors: [{ messageId }],
});

describe('layerOf', () => {
  it('maps paths to layers', ({ expect }) => {
    expect(layerOf('index.ts')).toBe('index.ts');
    expect(layerOf('')).toBe('index.ts');
    expect(layerOf('model/lab.ts')).toBe('model');
    expect(layerOf('model')).toBe('model');
    expect(layerOf('dataplane/route/fib.ts')).toBe('dataplane/route');
    expect(layerOf('dataplane')).toBe('dataplane');
    expect(layerOf('util/x.ts')).toBe('util');
    expect(Object.keys(LAYERS)).toContain('dataplane/walker');
  });
});

tester.run('code-layering', codeLayering, {
  valid: [
    imp('core/ids.ts', './brand.ts'),
    imp('model/lab.ts', '../core/ids.ts'),
    imp('model/lab.ts', '../core'),
    imp('model/lab.ts', '../dataplane/addr/cidr.ts'), // the stated exception in LAYERS
    imp('dataplane/addr/ipv4.ts', '../../core/result.js'),
    imp('dataplane/wire/ipv4.ts', '../addr/ipv4'),
    imp('dataplane/route/fib.ts', '../addr/cidr.ts'),
    imp('dataplane/route/fib.ts', '../wire/ipv4.ts'),
    imp('dataplane/netfilter/match.ts', '../conntrack/tuple.ts'),
    imp('dataplane/walker/walk.ts', '../netfilter/hooks.ts'),
    imp('dataplane/walker/walk.ts', '../bridge/fdb.ts'),
    imp('control/kubeproxy/iptables.ts', '../../dataplane/netfilter/tables.ts'),
    imp('control/ipam/ipam.ts', '../../model/lab.ts'),
    imp('compile/compile.ts', '../control/kubeproxy/iptables.ts'),
    imp('views/ipRoute.ts', '../dataplane/route/fib.ts'),
    imp('drills/registry.ts', '../compile/world.ts'),
    imp('drills/registry.ts', '../views/ipRoute.ts'),
    imp('index.ts', './drills/registry.ts'),
    imp('model/schema.ts', 'zod'), // packages are the purity rule's business
    { filename: at('model/lab.ts'), code: `export * from '../core/ids.ts';` },
    { filename: at('views/x.ts'), code: `export type T = typeof import('../model/lab.ts');` },
    // files outside shared-sim/src are not layered
    { filename: path.join(process.cwd(), 'main/cli/podpath.ts'), code: `import { x } from '../foo/bar.ts';` },
  ],
  invalid: [
    // dataplane is the kernel: it knows no Kubernetes
    err('dataplane/route/fib.ts', '../../model/lab.ts', 'forbidden'),
    err('dataplane/walker/walk.ts', '../../model', 'forbidden'),
    err('core/ids.ts', '../model/lab.ts', 'forbidden'),
    err('model/lab.ts', '../dataplane/wire/ipv4.ts', 'forbidden'),
    err('model/lab.ts', '../control/ipam/ipam.ts', 'forbidden'),
    // inside dataplane: lower folders only; only walker composes the siblings
    err('dataplane/addr/ipv4.ts', '../wire/ipv4.ts', 'forbidden'),
    err('dataplane/route/fib.ts', '../neigh/neighTable.ts', 'forbidden'),
    err('dataplane/conntrack/table.ts', '../netfilter/hooks.ts', 'forbidden'),
    err('dataplane/netfilter/hooks.ts', '../walker/walk.ts', 'forbidden'),
    err('control/kubeproxy/iptables.ts', '../../compile/world.ts', 'forbidden'),
    err('compile/compile.ts', '../views/ipRoute.ts', 'forbidden'),
    err('views/ipRoute.ts', '../drills/registry.ts', 'forbidden'),
    // unknown layer folders: the importing file's own and an imported one
    { filename: at('util/strings.ts'), code: `export const a = 1;`, errors: [{ messageId: 'unknownLayer' }] },
    {
      filename: at('dataplane/qdisc/tbf.ts'),
      code: `export const a = 1;`,
      errors: [{ messageId: 'unknownLayer' }],
    },
    { filename: at('helpers.ts'), code: `export const a = 1;`, errors: [{ messageId: 'unknownLayer' }] },
    err('model/lab.ts', '../util/strings.ts', 'unknownTarget'),
    // layers do not go through the public surface, nor leave shared-sim/src
    err('drills/registry.ts', '../index.ts', 'viaIndex'),
    err('views/ipRoute.ts', '../../../main/cli/podpath.ts', 'outside'),
    // every import form counts
    {
      filename: at('dataplane/route/fib.ts'),
      code: [
        `export * from '../../model/lab.ts';`,
        `export { a } from '../../control/x.ts';`,
        `import type { B } from '../../model/lab.ts';`,
        `const m = import('../../views/ipRoute.ts');`,
        `type T = typeof import('../../drills/drill.ts');`,
      ].join('\n'),
      errors: Array.from({ length: 5 }, () => ({ messageId: 'forbidden' })),
    },
  ],
});
