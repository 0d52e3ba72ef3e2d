/** The public surface of the simulation core: the only module `main/` and `renderer/` may import. */
export type { Problem } from './core/problem';
export type { Result } from './core/result';
export { parseLab, parseLabText, type LabParse } from './model/parseLab';
export type { Lab, NodeSpec, PodSpec, KubeObject } from './model/lab';
export { LAB_FORMAT_VERSION } from './model/lab';
export { parseRef, formatRef, type ElementRef } from './model/refs';
export { compile, type CompileOptions } from './compile/compile';
export type { World, PodInfo } from './compile/world';
export { walk, type Probe, type WalkResult, type ConntrackState } from './dataplane/walker/walk';
export type { Trace, PacketTrace, Hop, WireCapture, Verdict, Stage } from './dataplane/walker/trace';
export { validateTrace } from './dataplane/walker/trace';
export type { Layer } from './dataplane/wire/packet';
export { runCommand, SUPPORTED_COMMANDS, type CommandResult } from './views/commands';
export { formatTrace, conntrackAfter, formatConntrack } from './views/traceText';
export { resolveTarget, resolveSource, type TraceRequest, type ResolvedProbe } from './views/resolve';
export { parseIpv4, formatIpv4 } from './dataplane/addr/ipv4';
export { resolveByDns, formatDns, type DnsResolution, type DnsQuery } from './views/dns';
export {
  runTrace,
  runShow,
  interfaceMtu,
  probeEndpoints,
  type TraceRun,
  type ProbeEndpoints,
} from './views/probeRun';
export {
  parseKubeYaml,
  importYaml,
  objectsToYaml,
  labObjectsToYaml,
  describeObject,
  MAX_YAML_CHARS,
  MAX_YAML_DEPTH,
  MAX_YAML_DOCUMENTS,
  MAX_YAML_ALIAS_COUNT,
  type YamlLimits,
  type YamlProblem,
  type YamlParse,
  type YamlImport,
  type YamlImportResult,
  type YamlObject,
} from './model/yaml';
export {
  reachMatrix,
  reachJson,
  formatReach,
  explainReach,
  formatExplain,
  type ReachMatrix,
  type ReachOptions,
  type ReachProto,
  type ReachCell,
  type Explain,
} from './views/reach';
export type { NetworkPolicy } from './model/networkPolicy';
export type { PolicyEngine, DirectionVerdict } from './control/policy/engine';
export type { PolicyHopInfo } from './dataplane/walker/policyHook';
export { computeBgp, labUnderlay, type Underlay } from './control/bgp/index';
export { worldBgp } from './views/bird';
export type {
  BgpBlock,
  BgpEvent,
  BgpInput,
  BgpPath,
  BgpReach,
  BgpSession,
  BgpSpeaker,
  BgpState,
  InstalledRoute,
  NextHopResolution,
  RibEntry,
} from './control/bgp/index';
