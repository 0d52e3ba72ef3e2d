import { cidrCovers, parseCidr } from '../dataplane/addr/ipv4';
import type { Reader } from './reader';

/**
 * NetworkPolicy (networking.k8s.io/v1) read from its JSON form and validated the way the API
 * server validates it (ValidateNetworkPolicySpec), with defaults applied: policyTypes defaulting,
 * protocol TCP. Semantics live in control/policy.
 */

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface SelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** A label selector; `{}` (no requirement) selects everything. */
export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly SelectorRequirement[];
}

export type PolicyProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface PolicyPort {
  readonly protocol: PolicyProtocol;
  /** A port number, a named port (resolved against the destination pod), or absent: every port. */
  readonly port?: number | string;
  /** Inclusive end of a port range starting at `port` (a number). */
  readonly endPort?: number;
}

export interface IpBlock {
  readonly cidr: string;
  readonly except: readonly string[];
}

/** One element of `from`/`to`. Selectors in one peer are ANDed; ipBlock stands alone. */
export interface PolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: IpBlock;
}

export interface PolicyRule {
  /** `from` (ingress) or `to` (egress); empty = every peer. */
  readonly peers: readonly PolicyPeer[];
  /** Empty = every port and protocol. */
  readonly ports: readonly PolicyPort[];
}

export type PolicyType = 'Ingress' | 'Egress';

export interface NetworkPolicy {
  readonly namespace: string;
  readonly name: string;
  readonly podSelector: LabelSelector;
  /** After defaulting: Ingress always when omitted, plus Egress when egress rules exist. */
  readonly policyTypes: readonly PolicyType[];
  readonly ingress: readonly PolicyRule[];
  readonly egress: readonly PolicyRule[];
  /** Where it was written: `objects[4]` or `faults[0].policy`. */
  readonly source: string;
}

const QUALIFIED_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why a label key is invalid (apimachinery IsQualifiedName), or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix === '' || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))
      return 'is not a valid label key: the prefix before "/" must be a DNS subdomain (lower-case letters, digits, "-" and ".")';
  }
  if (name === '') return 'is not a valid label key: the name part must not be empty';
  if (name.length > 63) return 'is not a valid label key: the name part must be at most 63 characters';
  if (!QUALIFIED_NAME.test(name) || name.includes('/'))
    return 'is not a valid label key: letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
  return undefined;
}

export function labelValueProblem(v: string): string | undefined {
  if (v.length > 63) return 'is not a valid label value: at most 63 characters';
  if (!LABEL_VALUE.test(v))
    return 'is not a valid label value: letters, digits, "-", "_" and ".", starting and ending with a letter or digit (or empty)';
  return undefined;
}

/** IANA service name rules for a named port (validation.IsValidPortName). */
export function portNameProblem(name: string): string | undefined {
  if (name.length > 15) return 'is not a valid port name: at most 15 characters';
  if (!PORT_NAME.test(name)) return 'is not a valid port name: lower-case letters, digits and "-"';
  if (name.includes('--')) return 'is not a valid port name: "-" may not be next to another "-"';
  if (!/[a-z]/.test(name)) return 'is not a valid port name: it must contain at least one letter';
  return undefined;
}

const OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

export function readLabelSelector(r: Reader, v: unknown, path: string): LabelSelector {
  const empty: LabelSelector = { matchLabels: {}, matchExpressions: [] };
  if (v === undefined || v === null) return empty;
  if (!r.isObject(v)) {
    r.error(path, v, 'must be a label selector object ({matchLabels, matchExpressions})');
    return empty;
  }
  r.unknownFields(v, ['matchLabels', 'matchExpressions'], path);
  const matchLabels: Record<string, string> = {};
  for (const [k, val] of Object.entries(r.object(v, 'matchLabels', `${path}.matchLabels`))) {
    const kp = labelKeyProblem(k);
    if (kp) r.error(`${path}.matchLabels`, k, kp);
    if (typeof val !== 'string') {
      r.error(`${path}.matchLabels.${k}`, val, 'must be a string (label values are strings)');
      continue;
    }
    const vp = labelValueProblem(val);
    if (vp) r.error(`${path}.matchLabels.${k}`, val, vp);
    matchLabels[k] = val;
  }
  const matchExpressions: SelectorRequirement[] = [];
  r.array(v, 'matchExpressions', `${path}.matchExpressions`).forEach((e, i) => {
    const ep = `${path}.matchExpressions[${i}]`;
    if (!r.isObject(e)) return r.error(ep, e, 'must be an object ({key, operator, values})');
    r.unknownFields(e, ['key', 'operator', 'values'], ep);
    const key = r.requiredString(e, 'key', `${ep}.key`);
    if (key !== '') {
      const kp = labelKeyProblem(key);
      if (kp) r.error(`${ep}.key`, key, kp);
    }
    const opRaw = e['operator'];
    if (opRaw === undefined || opRaw === null || opRaw === '') {
      r.error(`${ep}.operator`, undefined, 'is missing (In, NotIn, Exists or DoesNotExist)');
      return;
    }
    if (typeof opRaw !== 'string' || !(OPERATORS as readonly string[]).includes(opRaw)) {
      r.error(
        `${ep}.operator`,
        opRaw,
        'is not a valid selector operator (In, NotIn, Exists or DoesNotExist)',
      );
      return;
    }
    const operator = opRaw as SelectorOperator;
    const values: string[] = [];
    r.array(e, 'values', `${ep}.values`).forEach((x, j) => {
      if (typeof x !== 'string') return r.error(`${ep}.values[${j}]`, x, 'must be a string');
      const vp = labelValueProblem(x);
      if (vp) r.error(`${ep}.values[${j}]`, x, vp);
      values.push(x);
    });
    if ((operator === 'In' || operator === 'NotIn') && values.length === 0)
      r.error(`${ep}.values`, undefined, `must not be empty when the operator is ${operator}`);
    if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0)
      r.error(`${ep}.values`, values, `must be empty when the operator is ${operator}`);
    matchExpressions.push({ key, operator, values });
  });
  return { matchLabels, matchExpressions };
}

function readPorts(r: Reader, rule: Record<string, unknown>, path: string): PolicyPort[] {
  return r.array(rule, 'ports', path).flatMap((p, i) => {
    const pp = `${path}[${i}]`;
    if (!r.isObject(p)) {
      r.error(pp, p, 'must be an object ({protocol, port, endPort})');
      return [];
    }
    r.unknownFields(p, ['protocol', 'port', 'endPort'], pp);
    const protocol = r.oneOf(p, 'protocol', `${pp}.protocol`, ['TCP', 'UDP', 'SCTP'] as const, 'TCP');
    const raw = p['port'];
    let port: number | string | undefined;
    if (raw === undefined || raw === null) port = undefined;
    else if (typeof raw === 'number') {
      if (!Number.isInteger(raw) || raw < 1 || raw > 65535)
        r.error(`${pp}.port`, raw, 'is not a valid port number (1-65535)');
      else port = raw;
    } else if (typeof raw === 'string') {
      if (/^\d+$/.test(raw))
        r.error(`${pp}.port`, raw, 'is a number written as a string; write it without quotes');
      else {
        const np = portNameProblem(raw);
        if (np) r.error(`${pp}.port`, raw, np);
        else port = raw;
      }
    } else r.error(`${pp}.port`, raw, 'must be a port number or a port name');
    const endRaw = p['endPort'];
    let endPort: number | undefined;
    if (endRaw !== undefined && endRaw !== null) {
      if (typeof endRaw !== 'number' || !Number.isInteger(endRaw) || endRaw < 1 || endRaw > 65535)
        r.error(`${pp}.endPort`, endRaw, 'is not a valid port number (1-65535)');
      else if (raw === undefined || raw === null)
        r.error(`${pp}.endPort`, endRaw, 'may not be given without port (the first port of the range)');
      else if (typeof raw === 'string')
        r.error(`${pp}.endPort`, endRaw, `may not be given when port is a named port (${raw})`);
      else if (typeof port === 'number' && endRaw < port)
        r.error(`${pp}.endPort`, endRaw, `must be greater than or equal to port (${port})`);
      else endPort = endRaw;
    }
    return [
      {
        protocol,
        ...(port !== undefined ? { port } : {}),
        ...(endPort !== undefined ? { endPort } : {}),
      },
    ];
  });
}

function readPeers(r: Reader, rule: Record<string, unknown>, path: string): PolicyPeer[] {
  return r.array(rule, path.endsWith('from') ? 'from' : 'to', path).flatMap((p, i): PolicyPeer[] => {
    const pp = `${path}[${i}]`;
    if (!r.isObject(p)) {
      r.error(pp, p, 'must be an object ({podSelector, namespaceSelector} or {ipBlock})');
      return [];
    }
    r.unknownFields(p, ['podSelector', 'namespaceSelector', 'ipBlock'], pp);
    const has = (k: string): boolean => p[k] !== undefined && p[k] !== null;
    if (!has('podSelector') && !has('namespaceSelector') && !has('ipBlock')) {
      r.error(pp, p, 'must name a peer: podSelector, namespaceSelector or ipBlock');
      return [];
    }
    if (has('ipBlock') && (has('podSelector') || has('namespaceSelector'))) {
      r.error(
        `${pp}.ipBlock`,
        undefined,
        'may not be combined with podSelector or namespaceSelector in the same peer (write them as separate peers)',
      );
      return [];
    }
    if (has('ipBlock')) {
      const ib = p['ipBlock'];
      const ip = `${pp}.ipBlock`;
      if (!r.isObject(ib)) {
        r.error(ip, ib, 'must be an object ({cidr, except})');
        return [];
      }
      r.unknownFields(ib, ['cidr', 'except'], ip);
      const cidrText = r.requiredString(ib, 'cidr', `${ip}.cidr`);
      const c = cidrText === '' ? undefined : parseCidr(cidrText, false);
      if (c && !c.ok) r.error(`${ip}.cidr`, cidrText, c.reason);
      const except: string[] = [];
      r.array(ib, 'except', `${ip}.except`).forEach((x, j) => {
        const xp = `${ip}.except[${j}]`;
        if (typeof x !== 'string') return r.error(xp, x, 'must be a CIDR string');
        const e = parseCidr(x, false);
        if (!e.ok) return r.error(xp, x, e.reason);
        if (c?.ok && !(cidrCovers(c.cidr, e.cidr) && e.cidr.len > c.cidr.len))
          return r.error(xp, x, `must be a strict subset of cidr ${cidrText}`);
        except.push(x);
      });
      return [{ ipBlock: { cidr: cidrText, except } }];
    }
    return [
      {
        ...(has('podSelector')
          ? { podSelector: readLabelSelector(r, p['podSelector'], `${pp}.podSelector`) }
          : {}),
        ...(has('namespaceSelector')
          ? { namespaceSelector: readLabelSelector(r, p['namespaceSelector'], `${pp}.namespaceSelector`) }
          : {}),
      },
    ];
  });
}

function readRules(
  r: Reader,
  spec: Record<string, unknown>,
  dir: 'ingress' | 'egress',
  path: string,
): PolicyRule[] {
  return r.array(spec, dir, `${path}.${dir}`).flatMap((x, i) => {
    const rp = `${path}.${dir}[${i}]`;
    if (!r.isObject(x)) {
      r.error(rp, x, `must be an object ({${dir === 'ingress' ? 'from' : 'to'}, ports})`);
      return [];
    }
    const peersKey = dir === 'ingress' ? 'from' : 'to';
    r.unknownFields(x, [peersKey, 'ports'], rp);
    return [{ peers: readPeers(r, x, `${rp}.${peersKey}`), ports: readPorts(r, x, `${rp}.ports`) }];
  });
}

/**
 * Reads one NetworkPolicy object (already known to be `kind: NetworkPolicy` with a valid name and
 * namespace). `path` is where the object is (`objects[3]`); problems name fields below it.
 */
export function readNetworkPolicy(
  r: Reader,
  o: Record<string, unknown>,
  path: string,
  namespace: string,
  name: string,
): NetworkPolicy {
  const api = o['apiVersion'];
  if (typeof api === 'string' && api !== 'networking.k8s.io/v1')
    r.error(`${path}.apiVersion`, api, 'is not the NetworkPolicy API version (networking.k8s.io/v1)');
  const spec = r.object(o, 'spec', `${path}.spec`);
  const sp = `${path}.spec`;
  r.unknownFields(spec, ['podSelector', 'policyTypes', 'ingress', 'egress'], sp);
  const podSelector = readLabelSelector(r, spec['podSelector'], `${sp}.podSelector`);
  const ingress = readRules(r, spec, 'ingress', sp);
  const egress = readRules(r, spec, 'egress', sp);
  let policyTypes: PolicyType[];
  const givenTypes = spec['policyTypes'];
  if (
    givenTypes === undefined ||
    givenTypes === null ||
    (Array.isArray(givenTypes) && givenTypes.length === 0)
  ) {
    policyTypes = ['Ingress'];
    const eg = spec['egress'];
    if (Array.isArray(eg) && eg.length > 0) policyTypes.push('Egress');
  } else {
    policyTypes = [];
    const list = r.array(spec, 'policyTypes', `${sp}.policyTypes`);
    if (list.length > 2) r.error(`${sp}.policyTypes`, list, 'may list at most two types (Ingress, Egress)');
    list.forEach((t, i) => {
      if (t !== 'Ingress' && t !== 'Egress')
        return r.error(`${sp}.policyTypes[${i}]`, t, 'is not a policy type (Ingress or Egress)');
      if (policyTypes.includes(t)) return r.error(`${sp}.policyTypes[${i}]`, t, 'is listed twice');
      policyTypes.push(t);
    });
  }
  return { namespace, name, podSelector, policyTypes, ingress, egress, source: path };
}
