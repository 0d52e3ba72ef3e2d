import {
  compile,
  formatDns,
  formatTrace,
  formatConntrack,
  parseLabText,
  runShow,
  runTrace,
  SUPPORTED_COMMANDS,
  type Problem,
  type World,
} from '../../shared-sim/src/index';
import { runExport, runImport } from './importExport';
import { reachProto, runReach } from './reach';
import { runBgp } from './bgp';

export interface CliIo {
  readFile(path: string): string;
  now(): number;
  /** Atomic write (temp file + rename); default: main/cli/importExport.ts writeFileAtomicSync. */
  writeFile?(path: string, text: string): void;
  /** A file's size in bytes (refuse huge inputs before reading); default: fs.statSync. */
  fileSize?(path: string): number | undefined;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const VERSION = '0.1.0';

export const USAGE = `podpath ${VERSION} — Kubernetes pod networking, simulated the way Linux does it

usage:
  podpath trace LAB --from REF --to TARGET [--port N] [--proto tcp|udp|sctp|icmp]
                    [--size BYTES] [--df|--no-df] [--ttl N] [--json]
      walk one packet (and its reply) hop by hop
  podpath show LAB --on REF "COMMAND"
      what COMMAND prints on that host (ip addr, ip route, ip neigh, bridge fdb show,
      iptables-save, cat /etc/resolv.conf, …)
  podpath reach LAB [--port N] [--proto tcp|udp|sctp] [--json]
      the pod-to-pod reachability matrix: NetworkPolicy (where the CNI enforces it) and
      the data plane together (default: TCP 80)
  podpath reach LAB --explain FROM TO [--port N] [--proto P] [--json]
      one pair: the policy and rule that decided, or why the data plane does not deliver
  podpath bgp LAB [--json]
      Calico's BGP control plane: every session (state and why), the convergence events
      in order (OPEN, UPDATE, best path, route installed) and the routes BIRD installs
  podpath validate LAB
      check a lab file and print every problem
  podpath import LAB FILE.yaml [--out LAB2]
      merge Kubernetes YAML (documents separated by ---, or a List as kubectl get -o yaml
      prints it) into the lab's objects: same kind/namespace/name replaced, others added;
      LAB is rewritten (or LAB2 written) only when everything is valid
  podpath export LAB --yaml [--out FILE]
      print the lab's Kubernetes objects as multi-document YAML (or write them to FILE)
  podpath --help | --version

REF names an element: node/NAME, router/NAME, client/NAME, pod/NAMESPACE/NAME (or NAMESPACE/NAME),
svc/NAMESPACE/NAME. TARGET is an IP address, a REF, or a Service's DNS name.
Exit status: 0 on success, 1 when the lab or the arguments are invalid.
`;

class UsageError extends Error {}

interface Parsed {
  readonly positional: string[];
  readonly options: Map<string, string | true>;
}

const VALUE_OPTIONS = new Set(['--out', '--from', '--to', '--port', '--proto', '--size', '--on', '--ttl']);
const FLAG_OPTIONS = new Set([
  '--explain',
  '--yaml',
  '--json',
  '--df',
  '--no-df',
  '--help',
  '-h',
  '--version',
]);

function parseArgs(argv: readonly string[]): Parsed {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a.startsWith('-') && a !== '-') {
      const [name, inline] = a.includes('=')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
      if (VALUE_OPTIONS.has(name)) {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new UsageError(`${name} needs a value`);
        options.set(name, v);
      } else if (FLAG_OPTIONS.has(name)) options.set(name, true);
      else throw new UsageError(`unknown option ${name}`);
    } else positional.push(a);
  }
  return { positional, options };
}

function intOption(p: Parsed, name: string, min: number, max: number): number | undefined {
  const v = p.options.get(name);
  if (v === undefined || v === true) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`${name} ${v} is not a whole number`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`${name} ${v} is out of range (${min}-${max})`);
  return n;
}

function stringOption(p: Parsed, name: string): string | undefined {
  const v = p.options.get(name);
  return v === true ? undefined : v;
}

function problemsText(file: string, problems: readonly Problem[]): string {
  return problems.map((p) => `${file}: ${p.severity}: ${p.message}\n`).join('');
}

function load(
  io: CliIo,
  file: string | undefined,
): { world: World; warnings: readonly Problem[] } | CliResult {
  if (file === undefined) throw new UsageError('missing LAB (a .podlab.json file)');
  let text: string;
  try {
    text = io.readFile(file);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (e as Error).message;
    return { code: 1, stdout: '', stderr: `podpath: cannot read ${file}: ${why}\n` };
  }
  const parsed = parseLabText(text);
  if (!parsed.ok) {
    const errors = parsed.problems.filter((p) => p.severity === 'error');
    return {
      code: 1,
      stdout: '',
      stderr:
        problemsText(file, errors) +
        `podpath: ${file} is not a valid lab (${errors.length} problem${errors.length === 1 ? '' : 's'})\n`,
    };
  }
  const world = compile(parsed.lab, parsed.warnings);
  return { world, warnings: world.problems };
}

/** Runs one podpath command line. Pure apart from `io`; never throws for bad input. */
export function runCli(argv: readonly string[], io: CliIo): CliResult {
  try {
    return dispatch(parseArgs(argv), io);
  } catch (e) {
    if (e instanceof UsageError)
      return { code: 1, stdout: '', stderr: `podpath: ${e.message}\nRun "podpath --help" for usage.\n` };
    const msg = e instanceof Error ? e.message : String(e);
    return {
      code: 2,
      stdout: '',
      stderr: `podpath: internal error: ${msg}\nThis is a bug in podpath; please report it with the lab file.\n`,
    };
  }
}

function dispatch(p: Parsed, io: CliIo): CliResult {
  const [cmd, file, ...rest] = p.positional;
  if (p.options.has('--version')) return { code: 0, stdout: `podpath ${VERSION}\n`, stderr: '' };
  if (p.options.has('--help') || p.options.has('-h') || cmd === undefined || cmd === 'help') {
    return {
      code: cmd === undefined && !p.options.has('--help') && !p.options.has('-h') ? 1 : 0,
      stdout: USAGE,
      stderr: '',
    };
  }
  switch (cmd) {
    case 'validate': {
      if (rest.length) throw new UsageError(`unexpected argument ${rest[0] ?? ''}`);
      const r = load(io, file);
      if ('code' in r) return r;
      const lab = r.world.lab;
      const summary = `${file ?? ''}: valid lab "${lab.name}": ${lab.networks.length} networks, ${lab.nodes.length} nodes, ${lab.routers.length} routers, ${lab.clients.length} clients, ${lab.pods.length} pods, ${lab.cluster.cni.plugin} ${lab.cluster.cni.mode}\n`;
      return { code: 0, stdout: summary + problemsText(file ?? '', r.warnings), stderr: '' };
    }
    case 'trace': {
      if (rest.length) throw new UsageError(`unexpected argument ${rest[0] ?? ''}`);
      const from = stringOption(p, '--from');
      const to = stringOption(p, '--to');
      if (from === undefined) throw new UsageError('trace needs --from REF');
      if (to === undefined) throw new UsageError('trace needs --to TARGET');
      const protoText = stringOption(p, '--proto');
      if (protoText !== undefined && !['tcp', 'udp', 'sctp', 'icmp'].includes(protoText))
        throw new UsageError(`--proto ${protoText} is not one of tcp, udp, sctp, icmp`);
      if (p.options.has('--df') && p.options.has('--no-df'))
        throw new UsageError('--df and --no-df contradict each other');
      const port = intOption(p, '--port', 1, 65535);
      const size = intOption(p, '--size', 0, 65507);
      const ttl = intOption(p, '--ttl', 1, 255);
      const r = load(io, file);
      if ('code' in r) return r;
      const req = {
        from,
        to,
        ...(port !== undefined ? { port } : {}),
        ...(protoText !== undefined ? { proto: protoText as 'tcp' | 'udp' | 'sctp' | 'icmp' } : {}),
        ...(size !== undefined ? { size } : {}),
        ...(p.options.has('--df') ? { df: true } : p.options.has('--no-df') ? { df: false } : {}),
        ...(ttl !== undefined ? { ttl } : {}),
      };
      const probe = runTrace(r.world, req);
      if (!probe.ok) {
        if (probe.dns) return { code: 1, stdout: formatDns(probe.dns), stderr: `podpath: ${probe.error}\n` };
        throw new UsageError(probe.error);
      }
      const { trace, conntrack } = probe;
      if (p.options.has('--json')) {
        const doc = { ...trace, ...(probe.dns ? { dns: probe.dns } : {}), conntrack };
        return { code: 0, stdout: JSON.stringify(doc, null, 2) + '\n', stderr: '' };
      }
      return {
        code: 0,
        stdout:
          (probe.dns ? formatDns(probe.dns) + '\n' : '') + formatTrace(trace) + formatConntrack(conntrack),
        stderr: '',
      };
    }
    case 'reach': {
      const explain = p.options.has('--explain');
      if (explain && rest.length !== 2) throw new UsageError('--explain needs FROM and TO (two pods)');
      if (!explain && rest.length) throw new UsageError(`unexpected argument ${rest[0] ?? ''}`);
      const proto = reachProto(stringOption(p, '--proto'));
      if (typeof proto !== 'string') throw new UsageError(proto.usage);
      const port = intOption(p, '--port', 1, 65535) ?? 80;
      const r = load(io, file);
      if ('code' in r) return r;
      const out = runReach(r.world, r.warnings, {
        port,
        proto,
        json: p.options.has('--json'),
        ...(explain ? { explain: [rest[0] ?? '', rest[1] ?? ''] as const } : {}),
      });
      if ('usage' in out) throw new UsageError(out.usage);
      return out;
    }
    case 'bgp': {
      if (rest.length) throw new UsageError(`unexpected argument ${rest[0] ?? ''}`);
      const r = load(io, file);
      if ('code' in r) return r;
      return runBgp(r.world, p.options.has('--json'));
    }
    case 'show': {
      const on = stringOption(p, '--on');
      if (on === undefined) throw new UsageError('show needs --on REF');
      if (rest.length !== 1)
        throw new UsageError(
          rest.length
            ? 'show takes one COMMAND (quote it: "ip route")'
            : `show needs a COMMAND, e.g. "ip route" (one of: ${SUPPORTED_COMMANDS.join(', ')})`,
        );
      const command = rest[0] ?? '';
      const r = load(io, file);
      if ('code' in r) return r;
      const out = runShow(r.world, on, command, io.now());
      if (!out.ok) {
        if ('usage' in out) throw new UsageError(out.error);
        return { code: 1, stdout: '', stderr: `${out.error}\n` };
      }
      return { code: 0, stdout: out.stdout, stderr: out.stderr ?? '' };
    }
    case 'import': {
      if (file === undefined) throw new UsageError('import needs LAB (a .podlab.json file) and FILE.yaml');
      const [yamlFile, ...extra] = rest;
      if (yamlFile === undefined) throw new UsageError('import needs FILE.yaml after LAB');
      if (extra.length) throw new UsageError(`unexpected argument ${extra[0] ?? ''}`);
      return runImport(file, yamlFile, stringOption(p, '--out'), io);
    }
    case 'export': {
      if (file === undefined) throw new UsageError('export needs LAB (a .podlab.json file)');
      if (rest.length) throw new UsageError(`unexpected argument ${rest[0] ?? ''}`);
      if (!p.options.has('--yaml'))
        throw new UsageError('export needs a format: --yaml (the Kubernetes objects as multi-document YAML)');
      return runExport(file, stringOption(p, '--out'), io);
    }
    default:
      throw new UsageError(`unknown command ${cmd}`);
  }
}
