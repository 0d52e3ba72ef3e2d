/**
 * The transport-independent core of the API: Electron IPC (register.ts) and the web host
 * (main/web/server.ts) both call dispatch(). It checks the channel, parses the input with the
 * channel's schema, calls the handler and wraps whatever happens into an envelope. It never throws
 * and never lets a stack trace out.
 */
import type { z } from 'zod';
import { channels, isChannelName, type ChannelName, type Envelope } from './contract';
import { handlers, type Handler } from './handlers';
import type { PodpathServices } from './services';

export interface DispatchContext {
  readonly services: PodpathServices;
  /** Told about internal errors (thrown exceptions), with the full error; defaults to silence. */
  readonly onInternalError?: (channel: string, error: unknown) => void;
}

/** `name: must be 1-200 characters`; several issues are joined with `; `. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const where = issue.path.length === 0 ? 'input' : formatPath(issue.path);
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** The first line of an error's message, without stack. */
function describeError(error: unknown): string {
  const message =
    error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown error';
  const line = message.split('\n', 1)[0]?.trim() ?? '';
  return line === '' ? 'internal error' : `internal error: ${line.slice(0, 500)}`;
}

function isEnvelope(value: unknown): value is Envelope<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { ok?: unknown; error?: unknown };
  return v.ok === true ? 'value' in v : v.ok === false && typeof v.error === 'string';
}

export async function dispatch(
  channel: string,
  rawInput: unknown,
  ctx: DispatchContext,
): Promise<Envelope<unknown>> {
  if (typeof channel !== 'string' || !isChannelName(channel)) {
    return { ok: false, error: `unknown channel: ${String(channel).slice(0, 100)}` };
  }
  const name: ChannelName = channel;
  // A call without input (`podpath.labs.list()`) arrives as undefined (IPC) or an empty body (HTTP).
  const parsed = channels[name].input.safeParse(rawInput === undefined ? {} : rawInput);
  if (!parsed.success) return { ok: false, error: `${name}: ${formatIssues(parsed.error.issues)}` };
  try {
    const handler = handlers[name] as Handler<ChannelName>;
    const result: unknown = await handler(parsed.data, ctx.services);
    if (!isEnvelope(result)) {
      ctx.onInternalError?.(name, new Error('handler returned something other than a result envelope'));
      return { ok: false, error: `${name}: internal error` };
    }
    return result.ok ? { ok: true, value: result.value } : { ok: false, error: `${name}: ${result.error}` };
  } catch (error) {
    ctx.onInternalError?.(name, error);
    return { ok: false, error: `${name}: ${describeError(error)}` };
  }
}
