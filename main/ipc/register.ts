/**
 * Electron registration of the API: one `ipcMain.handle()` per contract channel, each checking the
 * sender before dispatch() parses the input. Typed structurally (no runtime import of 'electron'),
 * so it is unit-tested with a fake ipcMain; `ipcMain` from Electron satisfies `IpcMainLike`.
 */
import { CHANNEL_NAMES, ipcChannelOf, type Envelope } from './contract';
import { dispatch, type DispatchContext } from './dispatch';

/** The part of Electron's IpcMainInvokeEvent the sender check reads. */
export interface InvokeEventLike {
  readonly senderFrame?: { readonly url: string } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler?(channel: string): void;
}

export interface RegisterOptions extends DispatchContext {
  readonly ipcMain: IpcMainLike;
  /** The app's own origin, e.g. `app://podpath` (custom protocol) or `http://127.0.0.1:5173` (dev). */
  readonly appOrigin: string;
}

/**
 * `scheme://host[:port]` of a URL. WHATWG `URL.origin` is the string "null" for non-special schemes
 * such as `app:`, which would make every custom-protocol page look alike, so it is built by hand.
 */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`.toLowerCase();
  } catch {
    return null;
  }
}

/** True when the frame that sent the message was loaded from the app's own origin. */
export function isTrustedSender(event: InvokeEventLike, appOrigin: string): boolean {
  const url = event.senderFrame?.url;
  if (typeof url !== 'string' || url === '') return false;
  const expected = originOf(appOrigin);
  return expected !== null && originOf(url) === expected;
}

/** Registers every channel; returns a function that removes the handlers again. */
export function registerIpc(options: RegisterOptions): () => void {
  const { ipcMain, appOrigin } = options;
  const ctx: DispatchContext = options;
  for (const name of CHANNEL_NAMES) {
    ipcMain.handle(ipcChannelOf(name), async (event, input): Promise<Envelope<unknown>> => {
      if (!isTrustedSender(event, appOrigin)) {
        return { ok: false, error: `${name}: refused: the sender is not the Podpath window` };
      }
      return dispatch(name, input, ctx);
    });
  }
  return () => {
    for (const name of CHANNEL_NAMES) ipcMain.removeHandler?.(ipcChannelOf(name));
  };
}
