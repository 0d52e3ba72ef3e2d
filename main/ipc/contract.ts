/**
 * The typed API between the renderer and the Node side: one map of channels (`domain:verb`), each
 * with a zod schema for its input and a result type. It is the single source of truth for
 *  - `dispatch()` (main/ipc/dispatch.ts), which parses every input with these schemas,
 *  - the Electron registration (main/ipc/register.ts) and the preload (`podpath satisfies PodpathApi`),
 *  - the web host (main/web/server.ts, `POST /api/<channel>`),
 *  - the renderer's client (renderer/src/platform/podpath.ts, which imports this file as types only).
 *
 * Every call resolves to an envelope `{ ok: true, value } | { ok: false, error }`; it never rejects
 * for a refused input or a failed service call.
 */
import { z } from 'zod';
import type { Problem } from '../../shared-sim/src/index';
import { IPC_PREFIX, type PodpathShell } from './shell';

// ---------------------------------------------------------------------------------------------
// Result envelope and value types

export type Envelope<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** A lab document as stored and exchanged: the JSON of a `.podlab.json` file (CONTRACT.md §1). */
export type LabDocument = Readonly<Record<string, unknown>>;

export interface LabSummary {
  readonly id: string;
  readonly name: string;
  /** ISO 8601 timestamps. */
  readonly created: string;
  readonly updated: string;
}

export interface LabRecord extends LabSummary {
  readonly document: LabDocument;
  /** The revision the document was last saved as (explicit save or autosave). */
  readonly revision: number;
}

export interface RevisionSummary {
  readonly labId: string;
  readonly revision: number;
  /** `save`: an explicit save (kept); `autosave`: bounded history. */
  readonly kind: 'save' | 'autosave';
  readonly name: string;
  readonly created: string;
}

export type SettingValue = string | number | boolean | null;
export type Settings = Readonly<Record<string, SettingValue>>;

export interface RecentFile {
  readonly path: string;
  readonly opened: string;
}

export interface ExportedLab {
  readonly fileName: string;
  /** The `.podlab.json` text (always returned, so a browser can offer it as a download). */
  readonly text: string;
  /** Where it was written, for `{ kind: 'path' }` exports. */
  readonly path?: string;
}

/** What `labs:importYaml` did: the saved lab and which objects were added or replaced. */
export interface YamlImportReport {
  readonly lab: LabRecord;
  /** `Kind namespace/name` (`Namespace name` for namespaces), in YAML order. */
  readonly added: readonly string[];
  readonly replaced: readonly string[];
  /** Warnings of the YAML and of the lab validator (the import happened). */
  readonly warnings: readonly Problem[];
}

export interface ValidationReport {
  readonly valid: boolean;
  /** Errors and warnings, each with its field path and message. */
  readonly problems: readonly Problem[];
}

// ---------------------------------------------------------------------------------------------
// Input schemas (messages are what users see after `<channel>: <field>: `)

const id = z
  .string({ error: 'must be a lab id (string)' })
  .min(1, { error: 'must not be empty' })
  .max(100, { error: 'must be at most 100 characters' });
const labName = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'must be 1-200 characters' })
  .max(200, { error: 'must be 1-200 characters' });
const revision = z
  .number({ error: 'must be a revision number' })
  .int({ error: 'must be an integer' })
  .min(1, { error: 'must be at least 1' });
const document = z.custom<LabDocument>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
  error: 'must be a lab document (a JSON object)',
});
/** Absolute path to a file (chosen in a file dialog or given on the command line). */
const filePath = z
  .string({ error: 'must be a file path' })
  .min(1, { error: 'must not be empty' })
  .max(4096, { error: 'must be at most 4096 characters' })
  .refine((p) => !p.includes('\0'), { error: 'must not contain NUL characters' });
const settingKey = z.string({ error: 'must be a setting name' }).regex(/^[A-Za-z][A-Za-z0-9_.-]{0,99}$/, {
  error: 'must be 1-100 letters, digits, _ . - (starting with a letter)',
});
const settingValue = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()], {
  error: 'must be a string, number, boolean or null',
});
/** Lab file text: the limit matches the web host's 16 MiB body limit. */
const fileText = z
  .string({ error: 'must be the file text' })
  .max(16 * 1024 * 1024, { error: 'must be at most 16 MiB' });
const importFormat = z.enum(['podlab', 'yaml'], { error: "must be 'podlab' or 'yaml'" });

const empty = z.strictObject({});

// ---------------------------------------------------------------------------------------------
// The channel map

/** A channel: its input schema plus a phantom result type (never read at run time). */
export interface ChannelSpec<I extends z.ZodType, R> {
  readonly input: I;
  readonly result?: R;
  /** One line for docs and errors. */
  readonly summary: string;
}

function channel<R>() {
  return <I extends z.ZodType>(input: I, summary: string): ChannelSpec<I, R> => ({ input, summary });
}

export const channels = {
  'labs:list': channel<readonly LabSummary[]>()(empty, 'All labs, most recently updated first.'),
  'labs:get': channel<LabRecord>()(z.strictObject({ id }), 'One lab with its document.'),
  'labs:create': channel<LabRecord>()(
    z.strictObject({ name: labName, document: document.optional() }),
    'Creates a lab (an empty lab document unless one is given).',
  ),
  'labs:save': channel<LabRecord>()(
    z.strictObject({ id, document }),
    'Explicit save: validates the document and stores it as a new kept revision.',
  ),
  'labs:autosave': channel<LabRecord>()(
    z.strictObject({ id, document }),
    'Autosave: like save, into the bounded autosave history.',
  ),
  'labs:rename': channel<LabSummary>()(z.strictObject({ id, name: labName }), 'Renames a lab.'),
  'labs:delete': channel<null>()(z.strictObject({ id }), 'Deletes a lab and its revisions.'),
  'labs:revisions': channel<readonly RevisionSummary[]>()(
    z.strictObject({ id }),
    'The saved and autosaved revisions of a lab, newest first.',
  ),
  'labs:importYaml': channel<YamlImportReport>()(
    z.strictObject({ id, text: fileText }),
    'Merges Kubernetes YAML (multi-document or a List) into a lab’s objects and saves it as a new revision; nothing is saved on any error.',
  ),
  'labs:exportYaml': channel<ExportedLab>()(
    z.strictObject({ id }),
    'The lab’s Kubernetes objects as multi-document YAML.',
  ),
  'labs:restore': channel<LabRecord>()(
    z.strictObject({ id, revision }),
    'Makes an earlier revision the current document (as a new revision; history is kept).',
  ),
  'settings:get': channel<Settings>()(empty, 'All settings.'),
  'settings:set': channel<Settings>()(
    z.strictObject({ key: settingKey, value: settingValue }),
    'Sets one setting; returns all settings.',
  ),
  'files:recent': channel<readonly RecentFile[]>()(empty, 'Recently opened or saved files, newest first.'),
  'files:importLab': channel<LabRecord>()(
    z.discriminatedUnion(
      'kind',
      [
        z.strictObject({ kind: z.literal('path'), path: filePath, name: labName.optional() }),
        z.strictObject({
          kind: z.literal('text'),
          text: fileText,
          format: importFormat,
          name: labName.optional(),
        }),
      ],
      { error: "must be { kind: 'path', path } or { kind: 'text', text, format }" },
    ),
    'Imports a .podlab.json file or Kubernetes YAML as a new lab.',
  ),
  'files:exportLab': channel<ExportedLab>()(
    z.discriminatedUnion(
      'kind',
      [
        z.strictObject({ kind: z.literal('path'), id, path: filePath }),
        z.strictObject({ kind: z.literal('text'), id }),
      ],
      { error: "must be { kind: 'path', id, path } or { kind: 'text', id }" },
    ),
    'Exports a lab as .podlab.json: written to a path, or returned as text.',
  ),
  'sim:validate': channel<ValidationReport>()(
    z.strictObject({ document: z.unknown() }),
    "Runs shared-sim's validator on a document and returns its problems.",
  ),
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;

/** What a caller passes (before defaults/trimming). */
export type InputOf<C extends ChannelName> = z.input<Channels[C]['input']>;
/** What a handler receives (after parsing). */
export type ParsedInputOf<C extends ChannelName> = z.output<Channels[C]['input']>;
export type ResultOf<C extends ChannelName> = Exclude<Channels[C]['result'], undefined>;

export const CHANNEL_NAMES = Object.keys(channels) as readonly ChannelName[];

export function isChannelName(name: string): name is ChannelName {
  return Object.hasOwn(channels, name);
}

/** The Electron IPC channel a contract channel is sent on (the preload allow-lists these). */
export { IPC_PREFIX };
export function ipcChannelOf(name: ChannelName): `podpath:${ChannelName}` {
  return `${IPC_PREFIX}${name}`;
}

// ---------------------------------------------------------------------------------------------
// The API object (`window.podpath` in Electron; the same shape over HTTP in the browser)

type DomainOf<C extends string> = C extends `${infer D}:${string}` ? D : never;
type VerbOf<C extends string, D extends string> = C extends `${D}:${infer V}` ? V : never;
export type Domain = DomainOf<ChannelName>;

export type ApiMethod<C extends ChannelName> =
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- "every field optional"
  {} extends InputOf<C>
    ? (input?: InputOf<C>) => Promise<Envelope<ResultOf<C>>>
    : (input: InputOf<C>) => Promise<Envelope<ResultOf<C>>>;

/**
 * `podpath.labs.list()`, `podpath.labs.save({ id, document })`, `podpath.sim.validate({ document })`…
 * Every method resolves to an envelope and never rejects for a refused input or a service error.
 */
export type PodpathApi = {
  readonly [D in Domain]: {
    readonly [V in VerbOf<ChannelName, D>]: `${D}:${V}` extends ChannelName ? ApiMethod<`${D}:${V}`> : never;
  };
};

// ---------------------------------------------------------------------------------------------
// Events from the shell to the renderer (Electron only; the browser has no application menu)

export {
  MENU_ACTIONS,
  MENU_ACTION_CHANNEL,
  isMenuActionId,
  type MenuActionId,
  type PodpathShell,
} from './shell';

/**
 * What the Electron preload exposes as `window.podpath`: the API plus the shell's events. In a
 * browser `window.podpath` is absent and the renderer builds a plain `PodpathApi` over HTTP.
 */
export type PodpathBridge = PodpathApi & { readonly shell: PodpathShell };

/** Sends one call over some transport (IPC, HTTP) and resolves to its envelope. */
export type Invoke = (channel: ChannelName, input: unknown) => Promise<Envelope<unknown>>;
