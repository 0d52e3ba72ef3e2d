import {
  worldBgp,
  type BgpEvent,
  type BgpState,
  type InstalledRoute,
  type World,
} from '../../shared-sim/src/index';

/**
 * `podpath bgp LAB [--json]`: the BGP control plane of a Calico lab — the sessions with their
 * state and why, the convergence events in order, and the routes BIRD installs on each speaker.
 */
export interface BgpOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runBgp(world: World, json: boolean): BgpOutcome {
  const lab = world.lab;
  const bgp = worldBgp(world);
  if (lab.cluster.cni.plugin !== 'calico')
    return {
      code: 1,
      stdout: '',
      stderr: `podpath: lab "${lab.name}" uses ${lab.cluster.cni.plugin}: there is no BGP (only Calico runs BIRD)\n`,
    };
  if (!bgp)
    return {
      code: 1,
      stdout: '',
      stderr:
        lab.cluster.cni.mode === 'vxlan'
          ? `podpath: lab "${lab.name}" uses Calico VXLAN: calico-node runs without BIRD there (Felix programs the routes), so there is no BGP\n`
          : `podpath: lab "${lab.name}" has no BGP state (calico ${lab.cluster.cni.mode} mode)\n`,
    };
  if (json) return { code: 0, stdout: JSON.stringify(bgpJson(bgp), null, 2) + '\n', stderr: '' };
  return { code: 0, stdout: bgpText(lab.name, bgp), stderr: '' };
}

/** The JSON document of `podpath bgp --json`. */
export function bgpJson(bgp: BgpState): unknown {
  const rib: Record<string, Record<string, unknown>> = {};
  for (const [ref, entries] of bgp.rib) {
    const o: Record<string, unknown> = {};
    for (const e of entries.entries()) o[e.prefix] = { paths: e.paths, ...(e.why ? { why: e.why } : {}) };
    rib[ref] = o;
  }
  const installed: Record<string, readonly InstalledRoute[]> = {};
  for (const [ref, routes] of bgp.installed) installed[ref] = routes;
  return {
    asNumber: bgp.asNumber,
    counts: bgp.counts,
    speakers: bgp.speakers,
    sessions: bgp.sessions,
    events: bgp.events,
    rib,
    installed,
    warnings: bgp.warnings,
  };
}

function name(ref: string): string {
  return ref.replace(/^(node|router)\//, '');
}

function kernelText(r: InstalledRoute): string {
  if (r.type === 'blackhole') return `blackhole ${r.prefix} proto bird`;
  if (r.type === 'unreachable') return `unreachable ${r.prefix} proto bird`;
  return `${r.prefix} via ${r.via}${r.dev ? ` dev ${r.dev}` : ''} proto bird`;
}

function eventLine(e: BgpEvent): string {
  return `  ${String(e.seq).padStart(4)}  ${(e.t / 1000).toFixed(3).padStart(8)}s  ${e.type.padEnd(17)} ${e.detail}\n`;
}

export function bgpText(labName: string, bgp: BgpState): string {
  const out: string[] = [];
  const established = bgp.sessions.filter((s) => s.state === 'Established').length;
  const reflectors = bgp.speakers.filter((s) => s.reflector).map((s) => s.name);
  out.push(
    `BGP in lab "${labName}": AS ${bgp.asNumber}, ${bgp.speakers.length} speakers${reflectors.length ? ` (route reflectors: ${reflectors.join(', ')})` : ''}, ${bgp.sessions.length} sessions, ${established} established\n`,
  );
  for (const w of bgp.warnings) out.push(`warning: ${w}\n`);
  out.push('\nSessions\n');
  for (const s of bgp.sessions) {
    const role =
      s.role === 'mesh'
        ? 'node-to-node mesh'
        : s.role === 'rr-client'
          ? `route reflector client of ${name(s.reflector ?? '')}`
          : s.role === 'rr-mesh'
            ? 'between reflectors'
            : s.role === 'global'
              ? 'global peer'
              : 'node-specific peer';
    out.push(
      `  ${name(s.a)} ${s.aAddr} ↔ ${name(s.b)} ${s.bAddr}  ${s.kind === 'ibgp' ? 'iBGP' : 'eBGP'}, ${role}: ${s.state} — ${s.reason}\n`,
    );
  }
  out.push(
    `\nEvents (${bgp.counts.events}${bgp.events.length < bgp.counts.events ? ', not recorded for a lab this large' : ''}; ${bgp.counts.updates} UPDATE messages)\n`,
  );
  for (const e of bgp.events) out.push(eventLine(e));
  out.push('\nRoutes BIRD installs (ip route, proto bird)\n');
  for (const sp of bgp.speakers) {
    const routes = bgp.installed.get(sp.ref) ?? [];
    out.push(`  ${sp.ref}${sp.running ? '' : ` (BGP daemon stopped: ${sp.reason ?? ''})`}\n`);
    if (routes.length === 0) out.push('    (none)\n');
    for (const r of routes) out.push(`    ${kernelText(r)}${r.reason ? `    # ${r.reason}` : ''}\n`);
  }
  return out.join('');
}
