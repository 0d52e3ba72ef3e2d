/** The step list of a probe: every hop of every packet it caused, flattened in the order they happened. */
import type { DnsResolution, Hop, PacketTrace, Trace } from '../../../shared-sim/src/index';
import type { Phase, Step, TraceResult } from '../worker/protocol';

/**
 * DNS query (when the target was a name resolved through CoreDNS), its answer, then the request
 * and its reply. `mtuOf` gives the MTU of a hop's interface (the worker reads it from the host).
 */
export function buildSteps(
  trace: Trace,
  dns: DnsResolution | undefined,
  mtuOf: (host: string, iface: string) => number | undefined = () => undefined,
): Step[] {
  const steps: Step[] = [];
  const add = (phase: Phase, hops: readonly Hop[] | undefined): void => {
    hops?.forEach((hop, hopIndex) => {
      const mtu = hop.iface !== undefined ? mtuOf(hop.host, hop.iface) : undefined;
      steps.push({ index: steps.length, phase, hopIndex, hop, ...(mtu !== undefined ? { mtu } : {}) });
    });
  };
  if (dns?.walk) {
    add('dns', dns.walk.hops);
    add('dns-reply', dns.walk.reply?.hops);
  }
  add('request', trace.hops);
  add('reply', trace.reply?.hops);
  return steps;
}

/** Whether a phase travels back towards the source (drawn in the reply colour). */
export function isReplyPhase(phase: Phase): boolean {
  return phase === 'reply' || phase === 'dns-reply';
}

/** The packet a step belongs to. */
export function packetOf(r: TraceResult, phase: Phase): PacketTrace | undefined {
  switch (phase) {
    case 'request':
      return r.trace;
    case 'reply':
      return r.trace.reply;
    case 'dns':
      return r.dns?.walk;
    case 'dns-reply':
      return r.dns?.walk?.reply;
  }
}

/** Whether the step is where its packet died: a drop hop, or the last hop of a packet that was not delivered. */
export function isDropStep(r: TraceResult, index: number): boolean {
  const s = r.steps[index];
  if (!s) return false;
  if (s.hop.stage === 'drop') return true;
  const lastOfPhase = r.steps[index + 1]?.phase !== s.phase;
  const packet = packetOf(r, s.phase);
  return lastOfPhase && packet !== undefined && packet.verdict !== 'delivered';
}
