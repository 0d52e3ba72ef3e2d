import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeBgp, labUnderlay, parseLab, type BgpState } from '../../../shared-sim/src/index';
import type { Lab } from '../../../shared-sim/src/model/lab';

export const LABS = join(__dirname, '../../../assets/labs');

/** The parts of a lab file the BGP tests change. */
export interface LabJson {
  cluster: { cni: { bgp: { routeReflectors?: string[]; peers?: unknown[]; [k: string]: unknown } } };
  networks: { cidr: string }[];
  routers: { bgp?: unknown; interfaces: { ip: string }[] }[];
  nodes: unknown[];
  objects: unknown[];
  faults?: unknown[];
  [k: string]: unknown;
}

/** A lab file from assets/labs as JSON, to be changed by a test before parsing. */
export function labJson(file: string): LabJson {
  return JSON.parse(readFileSync(join(LABS, file), 'utf8')) as LabJson;
}

export function parse(json: unknown): Lab {
  const p = parseLab(json);
  if (!p.ok) throw new Error(p.problems.map((x) => x.message).join('\n'));
  return p.lab;
}

/** Calico IPAM's first block per node, in node order (10.244.0.0/26, .64/26, …). */
export function firstBlocks(lab: Lab): { cidr: string; node: string }[] {
  return lab.nodes.map((n, i) => ({
    cidr: `10.${244 + Math.floor((i * 64) / 65536)}.${Math.floor((i * 64) / 256) % 256}.${(i * 64) % 256}/26`,
    node: n.name,
  }));
}

export function bgpOf(lab: Lab, opts: { recordEvents?: boolean } = {}): BgpState {
  return computeBgp({ lab, blocks: firstBlocks(lab), reach: labUnderlay(lab).reach, ...opts });
}
