/** Calico's BGP control plane (BIRD on the nodes, BGP-speaking routers): see model.ts. */
export { computeBgp } from './model';
export { labUnderlay, type Underlay } from './underlay';
export type * from './types';
