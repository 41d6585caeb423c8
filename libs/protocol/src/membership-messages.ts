import type { KeyspaceDefinition, KeyspacePolicy } from './keyspace-policy';
import type { RequestMeta } from './storage-messages';

export type NodeStatus = 'up' | 'down';

export interface NodeRegistration {
  readonly nodeId: string;
  readonly region: string;
  /** Where the node serves /health and /metrics. */
  readonly httpUrl: string;
}

export interface Heartbeat {
  readonly nodeId: string;
}

export interface NodeView {
  readonly id: string;
  readonly status: NodeStatus;
  readonly httpUrl: string;
  readonly joinedAtMs: number;
  readonly lastHeartbeatMs: number;
}

/**
 * The region's ring as membership publishes it. Ownership comes from every registered node, up or down:
 * with one replica per key, moving a down node's keys elsewhere would serve false 404s and fork history.
 */
export interface RingView {
  readonly region: string;
  /** Bumped on every change; receivers ignore a view older than the one they hold. */
  readonly epoch: number;
  readonly vnodesPerNode: number;
  readonly nodes: readonly NodeView[];
}

export interface PutKeyspaceRequest extends RequestMeta {
  readonly policy: KeyspacePolicy;
}

export interface AdoptDefinitionsRequest extends RequestMeta {
  readonly definitions: readonly KeyspaceDefinition[];
}

export interface AdoptDefinitionsResult {
  /** Definitions that were newer than this region's and replaced them. */
  readonly adopted: number;
}
