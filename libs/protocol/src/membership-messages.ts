import type { KeyspaceDefinition, KeyspacePolicy } from './keyspace-policy';
import type { RequestMeta } from './storage-messages';

export type NodeStatus = 'up' | 'down';

/**
 * Whether a node is in the ring. A node registers as `standby` (unless it is one of the region's seed
 * nodes) and becomes a `member` once an operator's join has handed it its data; a drained node goes back to
 * `standby`.
 */
export type NodeRole = 'member' | 'standby';

export interface NodeRegistration {
  readonly nodeId: string;
  readonly region: string;
  /** Where the node serves /health and /metrics. */
  readonly httpUrl: string;
}

/** A node's progress handing off its data for one rebalance. */
export interface HandoffProgress {
  readonly rebalanceId: number;
  /** True once the node has sent every key it holds that gains a replica to that replica. */
  readonly done: boolean;
  /**
   * True once, in phase `acceptors`, the node has handed the acceptor state of every strong key whose
   * acceptor moves away from it to the key's new acceptor.
   */
  readonly acceptorsDone: boolean;
  readonly keysMoved: number;
  readonly bytesMoved: number;
  /** Strong keys whose acceptor state the node has handed over. */
  readonly acceptorsMoved: number;
}

/** A registration repeated every heartbeat interval, with what membership tracks about the node. */
export interface Heartbeat extends NodeRegistration {
  /** The newest ring epoch the node has adopted: membership waits for every node before a handoff starts. */
  readonly ringEpoch: number;
  readonly handoff: HandoffProgress | null;
}

/**
 * Membership's answer to a heartbeat: its ring epoch. A node whose view is that epoch or newer holds its
 * acceptor lease for GEOKV_ACCEPTOR_LEASE_MS from when it sent the heartbeat (see AcceptorLease).
 */
export interface HeartbeatAnswer {
  readonly epoch: number;
}

/** The replicator's report that it rebuilt the acceptor state of the node a leave removes, which is down. */
export interface AcceptorsRebuilt {
  readonly rebalanceId: number;
  readonly node: string;
  /** Acceptor records merged into the keys' new acceptors: a key counts once for each peer whose copy was merged. */
  readonly records: number;
}

export interface NodeView {
  readonly id: string;
  readonly status: NodeStatus;
  readonly role: NodeRole;
  readonly httpUrl: string;
  readonly joinedAtMs: number;
  readonly lastHeartbeatMs: number;
}

export type RebalanceKind = 'join' | 'drain' | 'leave';

export type RebalancePhase = 'propagating' | 'streaming' | 'acceptors';

/**
 * A change of the ring's members in progress. `propagating`: every node is adopting the view, and writes
 * already go to the old and the new replicas of each key. `streaming`: every node sends the keys it holds
 * to the replicas they gain. `acceptors`: the strong keys whose acceptor (primary replica) changes are
 * answered by neither node while the old one hands its acceptor state to the new one. Once every node is
 * done, `target` becomes the ring.
 */
export interface RebalancePlan {
  /** The epoch at which it started; unique. */
  readonly id: number;
  readonly kind: RebalanceKind;
  readonly node: string;
  readonly target: readonly string[];
  readonly phase: RebalancePhase;
  readonly startedAtMs: number;
}

/** A rebalance with its progress, as the ring view shows it. */
export interface RebalanceView extends RebalancePlan {
  /** Partitions whose replicas change (with the largest replication factor of any keyspace). */
  readonly partitionsMoving: number;
  /** Of those, partitions whose streaming source has not finished yet. */
  readonly partitionsPending: number;
  readonly keysMoved: number;
  readonly bytesMoved: number;
  /** Strong keys whose acceptor state has moved to their new acceptor node. */
  readonly acceptorsMoved: number;
  /** A leave of a node that is down: its acceptor state has been rebuilt from the peer regions' (see LostAcceptor). */
  readonly acceptorsRebuilt: boolean;
  /** Nodes that have finished their part of the current phase. */
  readonly nodesDone: readonly string[];
}

/**
 * The region's ring as membership publishes it. Ownership comes from the members, up or down: a down
 * member's keys are written to stand-ins with hints, never re-homed, because it is expected back.
 */
export interface RingView {
  readonly region: string;
  /** Bumped on every change; receivers ignore a view older than the one they hold. */
  readonly epoch: number;
  readonly vnodesPerNode: number;
  /** Every registered node, members and standbys. */
  readonly nodes: readonly NodeView[];
  /** The ring keys are placed by. */
  readonly members: readonly string[];
  readonly rebalance: RebalanceView | null;
  /** The id of the last rebalance that finished: nodes then drop the keys they no longer hold. */
  readonly lastRebalanceId: number | null;
}

/** POST /v1/admin/nodes, POST /v1/admin/nodes/{id}/drain and DELETE /v1/admin/nodes/{id}. */
export interface RebalanceRequest extends RequestMeta {
  readonly kind: RebalanceKind;
  readonly nodeId: string;
}

export interface PutKeyspaceRequest extends RequestMeta {
  readonly policy: KeyspacePolicy;
}

export interface DeleteKeyspaceRequest extends RequestMeta {
  readonly name: string;
}

export interface AdoptDefinitionsRequest extends RequestMeta {
  readonly definitions: readonly KeyspaceDefinition[];
}

export interface AdoptDefinitionsResult {
  /** Definitions that were newer than this region's and replaced them. */
  readonly adopted: number;
}
