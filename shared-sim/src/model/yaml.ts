/**
 * Kubernetes YAML import and export (CONTRACT.md §1: "Kubernetes YAML … can be imported into a
 * lab's `objects` as is").
 *
 * What is read is what `kubectl apply -f` reads: a stream of documents separated by `---`, where a
 * document may be a single object or a list (`kind: List`, which `kubectl get -o yaml` prints, and
 * typed lists such as `PodList`, whose items the API server prints without kind/apiVersion).
 * Empty documents are skipped, as kubectl skips them.
 *
 * Scalars resolve the way kubectl resolves them: kubectl converts YAML to JSON with go-yaml v2,
 * which follows YAML 1.1, so `yes`/`no`/`on`/`off` are booleans and `0644` is the octal 420 (a
 * Secret volume's `defaultMode: 0644` means 0644). Two YAML 1.1 types go-yaml does not produce in
 * JSON are left as strings: timestamps (`2024-01-01`) and base-60 numbers (`1:20`).
 *
 * Hostile input is refused before it can hang or exhaust memory: a size cap, a nesting-depth cap
 * (checked by a linear scan before parsing: the parser itself recurses), a document-count cap and
 * an alias-expansion cap (a "billion laughs" bomb expands a few anchors into millions of nodes).
 *
 * Positions in messages are 1-based: `document 2, line 14, column 5` (lines and columns count from
 * the start of the text, as an editor shows them; documents count every `---`-separated document,
 * empty ones included).
 */
import {
  LineCounter,
  parseAllDocuments,
  stringify,
  visit,
  type Alias,
  type Document,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
  type ToJSOptions,
} from 'yaml';
import { showValue, type Problem } from '../core/problem';
import { parseLab } from './parseLab';

/** Inputs longer than this many characters are refused before parsing (8 MiB). */
export const MAX_YAML_CHARS = 8 * 1024 * 1024;
/** At most this many `---`-separated documents. */
export const MAX_YAML_DOCUMENTS = 20_000;
/** At most this many objects after lists are flattened. */
export const MAX_YAML_OBJECTS = 50_000;
/** Nesting deeper than this (block or flow) is refused; real manifests stay far below it. */
export const MAX_YAML_DEPTH = 100;
/** `maxAliasCount` of the yaml package: alias expansions allowed per document. */
export const MAX_YAML_ALIAS_COUNT = 100;

export interface YamlLimits {
  readonly maxChars?: number;
  readonly maxDocuments?: number;
  readonly maxObjects?: number;
  readonly maxDepth?: number;
  readonly maxAliasCount?: number;
}

/** A problem with where it is in the YAML text (all 1-based; absent when not known). */
export interface YamlProblem extends Problem {
  readonly document?: number;
  readonly line?: number;
  readonly column?: number;
}

/** Where an imported object came from. */
export interface YamlSource {
  readonly document: number;
  readonly line: number;
  readonly column: number;
}

export interface YamlObject {
  readonly object: Record<string, unknown>;
  readonly source: YamlSource;
}

export type YamlParse =
  | { readonly ok: true; readonly objects: readonly YamlObject[]; readonly warnings: readonly YamlProblem[] }
  | { readonly ok: false; readonly problems: readonly YamlProblem[] };

export interface YamlImport {
  readonly ok: true;
  /** The lab document with the objects merged in (validated by parseLab). */
  readonly document: Record<string, unknown>;
  /** `Kind namespace/name` (or `Kind name` for a Namespace) of each object added / replaced. */
  readonly added: readonly string[];
  readonly replaced: readonly string[];
  /** The validator's warnings and the YAML's own (e.g. unknown tags). */
  readonly warnings: readonly YamlProblem[];
}

export type YamlImportResult = YamlImport | { readonly ok: false; readonly problems: readonly YamlProblem[] };

/** The YAML 1.1 schema as go-yaml v2 applies it when converting to JSON (see the module comment). */
const KUBECTL_SCHEMA: DocumentOptions & SchemaOptions = {
  version: '1.1',
  customTags: (tags) =>
    tags.filter((t) => {
      if (typeof t !== 'object') return true;
      if ('format' in t && t.format === 'TIME') return false; // base 60: `1:20` stays a string
      return !['timestamp', 'binary', 'omap', 'pairs', 'set'].some(
        (name) => t.tag === `tag:yaml.org,2002:${name}`,
      );
    }),
};

const grouped = (n: number): string => n.toLocaleString('en-US');

function at(doc: number | undefined, pos: { line: number; col: number } | undefined): string {
  const parts: string[] = [];
  if (doc !== undefined) parts.push(`document ${doc}`);
  if (pos) parts.push(`line ${pos.line}`, `column ${pos.col}`);
  return parts.join(', ');
}

function yamlProblem(
  severity: 'error' | 'warning',
  reason: string,
  doc?: number,
  pos?: { line: number; col: number },
): YamlProblem {
  const where = at(doc, pos);
  return {
    severity,
    path: '',
    message: where === '' ? reason : `${where}: ${reason}`,
    ...(doc !== undefined ? { document: doc } : {}),
    ...(pos ? { line: pos.line, column: pos.col } : {}),
  };
}

/**
 * A linear scan for nesting depth, run before the parser (which recurses and, on a few hundred
 * thousand `[`, exhausts the stack or memory). Flow depth counts `[`/`{` outside quotes and
 * comments; block depth counts the distinct indentation levels open at a line plus compact `- `
 * entries. Both over-count slightly at worst; the cap is far above real manifests.
 */
function nestingTooDeep(text: string, max: number): { line: number; col: number; depth: number } | null {
  const indents: number[] = [];
  let flow = 0;
  /** Inside a block scalar (`key: |`): lines indented deeper than this are its text, not YAML. */
  let blockScalarIndent = -1;
  let lineNo = 0;
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    lineNo++;
    let col = 0;
    while (line.charCodeAt(col) === 32) col++;
    const first = line[col];
    const blank = first === undefined || first === '\r' || first === '#';
    if (blockScalarIndent >= 0) {
      if (blank || col > blockScalarIndent) continue;
      blockScalarIndent = -1;
    }
    if (blank) continue;
    if (flow === 0) {
      while (indents.length > 0 && (indents[indents.length - 1] ?? 0) >= col) indents.pop();
      indents.push(col);
      let extra = 0; // compact sequence entries on one line: `- - - x`
      for (let j = col; line[j] === '-' && (line[j + 1] === ' ' || line[j + 1] === '\t'); extra++) {
        j += 2;
        while (line[j] === ' ' || line[j] === '\t') j++;
      }
      if (indents.length + extra > max) return { line: lineNo, col: col + 1, depth: indents.length + extra };
    }
    let quote: string | null = null;
    let content = line.length;
    for (let i = col; i < line.length; i++) {
      const c = line[i];
      if (quote !== null) {
        if (c === quote) {
          if (quote === "'" && line[i + 1] === "'") i++;
          else quote = null;
        } else if (c === '\\' && quote === '"') i++;
        continue;
      }
      const prev = i === col ? ' ' : line[i - 1];
      const opens =
        prev === ' ' || prev === '\t' || prev === '[' || prev === '{' || prev === ',' || prev === ':';
      if ((c === '"' || c === "'") && opens) quote = c;
      else if (c === '#' && (prev === ' ' || prev === '\t')) {
        content = i;
        break;
      } else if (c === '[' || c === '{') {
        flow++;
        if (flow + indents.length > max) return { line: lineNo, col: i + 1, depth: flow + indents.length };
      } else if ((c === ']' || c === '}') && flow > 0) flow--;
    }
    // `key: |`, `- >-`, `|2+`: the following more-indented lines are a block scalar's text
    if (quote === null && /(^|[\s:-])[|>][-+0-9]*\s*$/.test(line.slice(col, content)))
      blockScalarIndent = col;
  }
  return null;
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A list document: `kind: List`, or a typed list (`PodList`) — anything `…List` with `items`. */
function isList(v: Record<string, unknown>): boolean {
  const kind = v['kind'];
  return typeof kind === 'string' && kind.endsWith('List') && 'items' in v;
}

function describeNonObject(v: unknown): string {
  if (Array.isArray(v)) return 'a sequence';
  if (typeof v === 'string') return `the string ${showValue(v)}`;
  return `the ${typeof v} ${showValue(v)}`;
}

/**
 * Parses Kubernetes YAML into objects (lists flattened). Nothing is validated beyond the YAML
 * itself and "each object is a mapping"; `importYaml` validates the result with the lab validator.
 */
export function parseKubeYaml(text: string, limits: YamlLimits = {}): YamlParse {
  const maxChars = limits.maxChars ?? MAX_YAML_CHARS;
  const maxDocuments = limits.maxDocuments ?? MAX_YAML_DOCUMENTS;
  const maxObjects = limits.maxObjects ?? MAX_YAML_OBJECTS;
  const maxDepth = limits.maxDepth ?? MAX_YAML_DEPTH;
  const maxAliasCount = limits.maxAliasCount ?? MAX_YAML_ALIAS_COUNT;
  const refuse = (reason: string, doc?: number, pos?: { line: number; col: number }): YamlParse => ({
    ok: false,
    problems: [yamlProblem('error', reason, doc, pos)],
  });

  if (typeof text !== 'string') return refuse('the YAML must be text');
  if (text.length > maxChars)
    return refuse(
      `the YAML is ${grouped(text.length)} characters long; at most ${grouped(maxChars)} are imported (split it into several files)`,
    );
  const deep = nestingTooDeep(text, maxDepth);
  if (deep)
    return refuse(
      `the YAML nests more than ${maxDepth} levels deep; refused (Kubernetes manifests nest far less)`,
      undefined,
      deep,
    );
  // cheap upper bound on the number of documents before building them
  let markers = 0;
  for (let i = text.indexOf('---'); i >= 0; i = text.indexOf('---', i + 3))
    if (i === 0 || text[i - 1] === '\n') markers++;
  if (markers + 1 > maxDocuments + 1)
    return refuse(
      `the YAML has more than ${grouped(maxDocuments)} documents; refused (split it into several files)`,
    );

  const lineCounter = new LineCounter();
  const options: ParseOptions & DocumentOptions & SchemaOptions = {
    ...KUBECTL_SCHEMA,
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    strict: true,
  };
  let docs: Document.Parsed[];
  try {
    docs = [...parseAllDocuments(text, options)];
  } catch (e) {
    // The checks above make this unlikely; never let a parser failure out as a stack trace.
    return refuse(`the YAML cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (docs.length > maxDocuments)
    return refuse(
      `the YAML has ${grouped(docs.length)} documents; at most ${grouped(maxDocuments)} are imported (split it into several files)`,
    );
  const pos = (offset: number | undefined): { line: number; col: number } | undefined =>
    offset === undefined ? undefined : lineCounter.linePos(offset);

  const problems: YamlProblem[] = [];
  const warnings: YamlProblem[] = [];
  docs.forEach((doc, i) => {
    // the parser often reports one mistake twice at the same spot (in two wordings): keep the first
    const seen = new Set<number>();
    for (const e of doc.errors) {
      if (seen.has(e.pos[0])) continue;
      seen.add(e.pos[0]);
      problems.push(yamlProblem('error', e.message, i + 1, pos(e.pos[0])));
    }
    for (const w of doc.warnings) warnings.push(yamlProblem('warning', w.message, i + 1, pos(w.pos[0])));
  });
  if (problems.length > 0) return { ok: false, problems };

  const objects: YamlObject[] = [];
  const toJs: ToJSOptions = { maxAliasCount };
  for (const [i, doc] of docs.entries()) {
    const docNo = i + 1;
    const contentsAt = pos(doc.contents?.range[0] ?? doc.range[0]);
    let value: unknown;
    try {
      value = doc.toJS(toJs);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (/excessive alias count/i.test(message))
        return refuse(
          `refused: its aliases (*name) expand to too many nodes (more than ${maxAliasCount} alias expansions; this is how "billion laughs" alias bombs exhaust memory)`,
          docNo,
          contentsAt,
        );
      const unresolved = unresolvedAlias(doc);
      if (unresolved)
        return refuse(
          `the alias *${unresolved.source} names no anchor before it (write &${unresolved.source} on an earlier node)`,
          docNo,
          pos(unresolved.range?.[0]) ?? contentsAt,
        );
      return refuse(`cannot be read: ${message}`, docNo, contentsAt);
    }
    if (value === null || value === undefined) continue; // an empty document (or only comments)
    const flattened = flatten(doc, value, [], docNo, contentsAt, pos, problems);
    for (const o of flattened) {
      objects.push(o);
      if (objects.length > maxObjects)
        return refuse(
          `the YAML has more than ${grouped(maxObjects)} objects; refused (split it into several files)`,
        );
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, objects, warnings };
}

/** The first alias whose anchor is not defined before it (toJS only says its name). */
function unresolvedAlias(doc: Document.Parsed): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) === undefined) {
        found = node;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** One document's value as objects: itself, or its list items (nested lists flattened too). */
function flatten(
  doc: Document.Parsed,
  value: unknown,
  path: (string | number)[],
  docNo: number,
  where: { line: number; col: number } | undefined,
  pos: (offset: number | undefined) => { line: number; col: number } | undefined,
  problems: YamlProblem[],
  listKind?: { apiVersion: unknown; itemKind: string },
): YamlObject[] {
  const field = path.length === 0 ? 'the document' : `items[${String(path[path.length - 1])}]`;
  if (!isMapping(value)) {
    problems.push(
      yamlProblem(
        'error',
        `${field} is ${describeNonObject(value)}, not a Kubernetes object (a mapping with apiVersion, kind and metadata)`,
        docNo,
        where,
      ),
    );
    return [];
  }
  let object = value;
  // A typed list's items carry neither kind nor apiVersion (the API server omits them).
  if (listKind && object['kind'] === undefined && listKind.itemKind !== '')
    object = { apiVersion: listKind.apiVersion, kind: listKind.itemKind, ...object };
  if (!isList(object))
    return [{ object, source: { document: docNo, line: where?.line ?? 0, column: where?.col ?? 0 } }];

  const items = object['items'];
  if (items === null || items === undefined) return []; // `items: null` is an empty list
  if (!Array.isArray(items)) {
    const node = doc.getIn([...path, 'items'], true) as { range?: [number, number, number] } | undefined;
    problems.push(
      yamlProblem(
        'error',
        `${path.length === 0 ? '' : `${field}.`}items of a ${String(object['kind'])} must be a sequence of objects`,
        docNo,
        pos(node?.range?.[0]) ?? where,
      ),
    );
    return [];
  }
  const kind = String(object['kind']);
  const itemKind = kind === 'List' ? '' : kind.slice(0, -'List'.length);
  const out: YamlObject[] = [];
  items.forEach((item, k) => {
    const itemPath = [...path, 'items', k];
    const node = doc.getIn(itemPath, true) as { range?: [number, number, number] } | undefined;
    out.push(
      ...flatten(doc, item, itemPath, docNo, pos(node?.range?.[0]) ?? where, pos, problems, {
        apiVersion: object['apiVersion'],
        itemKind,
      }),
    );
  });
  return out;
}

/** The identity that makes two objects "the same" (kind, namespace, name), as the validator keys them. */
export function objectKey(o: unknown): string | null {
  if (!isMapping(o)) return null;
  const kind = o['kind'];
  const meta = o['metadata'];
  if (typeof kind !== 'string' || !isMapping(meta) || typeof meta['name'] !== 'string') return null;
  const ns =
    kind === 'Namespace' ? '' : typeof meta['namespace'] === 'string' ? meta['namespace'] : 'default';
  return `${kind}|${ns}|${meta['name']}`;
}

/** `Pod shop/web-1`, `Namespace shop`. */
export function describeObject(o: unknown): string {
  const key = objectKey(o);
  if (key === null) {
    const kind = isMapping(o) && typeof o['kind'] === 'string' ? o['kind'] : 'object';
    return `${kind} without a name`;
  }
  const [kind = '', ns = '', name = ''] = key.split('|');
  return ns === '' ? `${kind} ${name}` : `${kind} ${ns}/${name}`;
}

/**
 * Imports Kubernetes YAML into a lab document: objects with the same kind, namespace and name as
 * one already in the lab replace it (in place); the others are appended. The merged lab is checked
 * by the lab validator; on any error nothing is returned (never a half-imported lab).
 */
export function importYaml(lab: unknown, text: string, limits: YamlLimits = {}): YamlImportResult {
  if (!isMapping(lab))
    return {
      ok: false,
      problems: [yamlProblem('error', 'the lab to import into must be a lab document (a JSON object)')],
    };
  const parsed = parseKubeYaml(text, limits);
  if (!parsed.ok) return parsed;
  if (parsed.objects.length === 0)
    return {
      ok: false,
      problems: [yamlProblem('error', 'the YAML holds no Kubernetes objects (every document is empty)')],
    };

  const existing = lab['objects'];
  if (existing !== undefined && existing !== null && !Array.isArray(existing))
    return {
      ok: false,
      problems: [
        yamlProblem('error', `objects ${showValue(existing)} must be a list in the lab to import into`),
      ],
    };
  const objects: unknown[] = [...((existing as unknown[] | null | undefined) ?? [])];
  const index = new Map<string, number>();
  objects.forEach((o, i) => {
    const key = objectKey(o);
    if (key !== null && !index.has(key)) index.set(key, i);
  });

  const problems: YamlProblem[] = [];
  const added: string[] = [];
  const replaced: string[] = [];
  const fromYaml = new Map<number, YamlSource>(); // objects[] index -> where it came from
  const firstSeen = new Map<string, YamlSource>();
  for (const { object, source } of parsed.objects) {
    const key = objectKey(object);
    if (key !== null) {
      const before = firstSeen.get(key);
      if (before) {
        problems.push(
          yamlProblem(
            'error',
            `${describeObject(object)} is also defined by document ${before.document} (line ${before.line}); an object may appear once`,
            source.document,
            { line: source.line, col: source.column },
          ),
        );
        continue;
      }
      firstSeen.set(key, source);
    }
    const at = key === null ? undefined : index.get(key);
    if (at !== undefined) {
      objects[at] = object;
      replaced.push(describeObject(object));
      fromYaml.set(at, source);
    } else {
      objects.push(object);
      if (key !== null) index.set(key, objects.length - 1);
      added.push(describeObject(object));
      fromYaml.set(objects.length - 1, source);
    }
  }
  if (problems.length > 0) return { ok: false, problems };

  const document: Record<string, unknown> = { ...lab, objects };
  const checked = parseLab(document);
  // Problems about an imported object also say where in the YAML it came from.
  const locate = (p: Problem): YamlProblem => {
    const m = /^objects\[(\d+)\]/.exec(p.path);
    const source = m ? fromYaml.get(Number(m[1])) : undefined;
    if (!source) return p;
    return {
      ...p,
      message: `${at(source.document, { line: source.line, col: source.column })}: ${p.message}`,
      document: source.document,
      line: source.line,
      column: source.column,
    };
  };
  if (!checked.ok)
    return { ok: false, problems: checked.problems.filter((p) => p.severity === 'error').map(locate) };
  return {
    ok: true,
    document,
    added,
    replaced,
    warnings: [...parsed.warnings, ...checked.warnings.map(locate)],
  };
}

/**
 * Kubernetes objects as multi-document YAML (`---` between documents), in kubectl's layout
 * (sequences not indented under their key, no line folding). Strings that any YAML 1.1 reader
 * would take for something else (`"yes"`, `"0644"`, `"2026-11-20"`, `"1:20"`) are quoted, so the
 * output reads back as it was written, by Podpath and by kubectl.
 */
export function objectsToYaml(objects: readonly unknown[]): string {
  return objects
    .map((o) =>
      stringify(o, { version: '1.1', indentSeq: false, lineWidth: 0, aliasDuplicateObjects: false }),
    )
    .join('---\n');
}

/** A lab document's `objects` as YAML (an empty string when it has none). */
export function labObjectsToYaml(lab: unknown): string {
  const objects = isMapping(lab) ? lab['objects'] : undefined;
  return Array.isArray(objects) ? objectsToYaml(objects) : '';
}
