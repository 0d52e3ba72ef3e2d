// The renderer client's menu subscription (renderer/src/platform/podpath.ts): under Electron it
// goes to the preload's `shell`; in a browser (no window.podpath) it is a no-op.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MenuActionId } from '../../../main/ipc/contract';
import { onMenuAction } from '../../../renderer/src/platform/podpath';

const g = globalThis as { window?: unknown };
afterEach(() => {
  delete g.window;
});

describe('onMenuAction', () => {
  it('subscribes through window.podpath.shell under Electron', () => {
    const off = vi.fn();
    let listener: ((a: MenuActionId) => void) | undefined;
    g.window = {
      podpath: {
        shell: {
          onMenuAction: (l: (a: MenuActionId) => void) => {
            listener = l;
            return off;
          },
        },
      },
    };
    const seen: MenuActionId[] = [];
    const unsubscribe = onMenuAction((a) => seen.push(a));
    listener?.('view:fit');
    expect(seen).toEqual(['view:fit']);
    unsubscribe();
    expect(off).toHaveBeenCalledTimes(1);
  });

  it('is a no-op in a browser', () => {
    g.window = {};
    const unsubscribe = onMenuAction(() => undefined);
    expect(unsubscribe()).toBeUndefined();
  });
});
