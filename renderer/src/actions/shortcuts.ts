/** Shortcut strings (`Shift+Mod+Z`) matched against keyboard events, and shown per platform. */

export interface KeyEventLike {
  readonly key: string;
  readonly code?: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
}

export function isMac(): boolean {
  return typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
}

/** The key an event stands for, independent of Shift and keyboard layout where possible. */
function keyOf(e: KeyEventLike): string {
  const code = e.code ?? '';
  if (/^Key[A-Z]$/.test(code)) return code.slice(3).toLowerCase();
  if (/^Digit\d$/.test(code)) return code.slice(5);
  if (code === 'Equal' || code === 'NumpadAdd') return '=';
  if (code === 'Minus' || code === 'NumpadSubtract') return '-';
  return e.key.length === 1 ? e.key.toLowerCase() : e.key;
}

export function matches(shortcut: string, e: KeyEventLike, mac = isMac()): boolean {
  const parts = shortcut.split('+');
  const key = (parts.pop() ?? '').toLowerCase();
  const want = new Set(parts);
  const mod = mac ? e.metaKey : e.ctrlKey;
  const otherMod = mac ? e.ctrlKey : e.metaKey;
  if (want.has('Mod') !== mod || otherMod) return false;
  if (want.has('Shift') !== e.shiftKey) return false;
  if (want.has('Alt') !== e.altKey) return false;
  return keyOf(e).toLowerCase() === key || (key === '=' && e.key === '+');
}

export function formatShortcut(shortcut: string, mac = isMac()): string {
  return shortcut
    .split('+')
    .map((p) =>
      p === 'Mod'
        ? mac
          ? '⌘'
          : 'Ctrl'
        : p === 'Shift'
          ? mac
            ? '⇧'
            : 'Shift'
          : p === 'Alt'
            ? mac
              ? '⌥'
              : 'Alt'
            : p,
    )
    .join(mac ? '' : '+');
}
