/**
 * The Service world as the API server and the endpoints controller leave it: Services with their
 * allocated ClusterIPs and NodePorts, and the EndpointSlices/Endpoints derived from the pods (or
 * given by the user). kube-proxy (every mode), CoreDNS and the kubectl views read this.
 */

export type L4Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ServicePortSpec {
  /** Port name ('' when the port is unnamed). */
  readonly name: string;
  readonly protocol: L4Protocol;
  readonly port: number;
  /** As written: a number or a container port name; defaults to `port`. */
  readonly targetPort: number | string;
  /** Allocated or given; 0 when the Service type has none (ClusterIP) or the lab says 0. */
  readonly nodePort: number;
}

export interface ResolvedService {
  readonly namespace: string;
  readonly name: string;
  readonly type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  /** Dotted quad, "None" for headless, "" for ExternalName. */
  readonly clusterIP: string;
  readonly headless: boolean;
  /** Undefined for a selector-less Service (its Endpoints/EndpointSlices come from the lab). */
  readonly selector?: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePortSpec[];
  readonly externalIPs: readonly string[];
  /** status.loadBalancer.ingress[].ip */
  readonly loadBalancerIPs: readonly string[];
  readonly loadBalancerSourceRanges: readonly string[];
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  readonly internalTrafficPolicy: 'Cluster' | 'Local';
  /** Given or allocated for a LoadBalancer with externalTrafficPolicy Local (the only case the API server keeps one); 0 otherwise. */
  readonly healthCheckNodePort: number;
  readonly sessionAffinity: 'None' | 'ClientIP';
  /** sessionAffinityConfig.clientIP.timeoutSeconds (10800 by default). */
  readonly affinityTimeoutSeconds: number;
  readonly publishNotReadyAddresses: boolean;
  readonly externalName?: string;
  /** Index in lab.objects. */
  readonly objectIndex: number;
  /** metadata.labels of the Service (the endpoints controller copies them onto the Endpoints object). */
  readonly labels?: Readonly<Record<string, string>>;
  /** spec.allocateLoadBalancerNodePorts (true unless the lab says false). */
  readonly allocateLoadBalancerNodePorts?: boolean;
}

/** One address of an EndpointSlice, with the ports it serves (named target ports resolved per pod). */
export interface EndpointAddress {
  readonly ip: string;
  readonly nodeName?: string;
  /** `pod/NS/NAME` when the endpoint is a pod. */
  readonly podRef?: string;
  readonly hostname?: string;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
}

export interface EndpointPort {
  readonly name: string;
  readonly protocol: L4Protocol;
  readonly port: number;
}

/** An EndpointSlice: addresses sharing one port list (the controller groups pods by resolved ports). */
export interface ResolvedEndpointSlice {
  readonly name: string;
  /** `IPv4` unless a slice given in the lab says otherwise. */
  readonly addressType?: string;
  /** endpointslice.kubernetes.io/managed-by, for slices a controller wrote. */
  readonly managedBy?: string;
  readonly ports: readonly EndpointPort[];
  readonly endpoints: readonly EndpointAddress[];
}

/** One address of a (legacy, core/v1) Endpoints subset. */
export interface EndpointsSubsetAddress {
  readonly ip: string;
  readonly nodeName?: string;
  /** `pod/NS/NAME` when the address is a pod. */
  readonly podRef?: string;
  readonly hostname?: string;
}

/** A subset of a core/v1 Endpoints object: addresses × ports. */
export interface EndpointsSubset {
  readonly addresses: readonly EndpointsSubsetAddress[];
  readonly notReadyAddresses: readonly EndpointsSubsetAddress[];
  readonly ports: readonly EndpointPort[];
}

export interface ServiceEndpoints {
  /** `ns/name` of the Service (of the Endpoints/EndpointSlice objects, for orphans). */
  readonly service: string;
  /**
   * False when there is neither an Endpoints object nor an EndpointSlice (ExternalName, or
   * selector-less without any given in the lab).
   */
  readonly exists: boolean;
  /** What kube-proxy reads: derived by the EndpointSlice controller, given, or mirrored from a given Endpoints. */
  readonly slices: readonly ResolvedEndpointSlice[];
  /** Where they came from: derived by the controller, or given in the lab. */
  readonly source: 'controller' | 'lab';
  /**
   * The core/v1 Endpoints object (`kubectl get endpoints`), when there is one: derived by the
   * endpoints controller or given in the lab. Undefined when there is none (ExternalName; only
   * EndpointSlices given).
   */
  readonly subsets?: readonly EndpointsSubset[];
}

export interface ServiceModel {
  readonly services: readonly ResolvedService[];
  /** Keyed by `ns/name`. */
  readonly endpoints: ReadonlyMap<string, ServiceEndpoints>;
  /**
   * Endpoints/EndpointSlices given in the lab whose Service does not exist (kube-proxy ignores
   * them; kubectl still lists them).
   */
  readonly orphanEndpoints?: readonly ServiceEndpoints[];
}
