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
  /** Allocated for LoadBalancer/NodePort with externalTrafficPolicy Local; 0 otherwise. */
  readonly healthCheckNodePort: number;
  readonly sessionAffinity: 'None' | 'ClientIP';
  /** sessionAffinityConfig.clientIP.timeoutSeconds (10800 by default). */
  readonly affinityTimeoutSeconds: number;
  readonly publishNotReadyAddresses: boolean;
  readonly externalName?: string;
  /** Index in lab.objects. */
  readonly objectIndex: number;
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
  readonly ports: readonly EndpointPort[];
  readonly endpoints: readonly EndpointAddress[];
}

export interface ServiceEndpoints {
  /** `ns/name` of the Service. */
  readonly service: string;
  /** False when there is no Endpoints object at all (ExternalName, or selector-less without one). */
  readonly exists: boolean;
  readonly slices: readonly ResolvedEndpointSlice[];
  /** Where they came from: derived by the controller, or given in the lab. */
  readonly source: 'controller' | 'lab';
}

export interface ServiceModel {
  readonly services: readonly ResolvedService[];
  /** Keyed by `ns/name`. */
  readonly endpoints: ReadonlyMap<string, ServiceEndpoints>;
}
