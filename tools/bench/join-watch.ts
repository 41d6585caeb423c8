/** The parts of GET /v1/admin/ring (and of POST /v1/admin/nodes' answer) that the join part reads. */
export interface RingSummary {
  members: string[];
  nodes: { id: string; status: string; role: string; ownership: number }[];
  rebalance: null | {
    kind: string;
    node: string;
    phase: string;
    partitionsMoving: number;
    partitionsPending: number;
    keysMoved: number;
    bytesMoved: number;
  };
}

/** The rebalance's figures as last seen while it ran: the ring forgets them once it is done. */
export interface JoinProgress {
  partitionsMoving: number;
  keysMoved: number;
  bytesMoved: number;
  /** Since the join was requested; null if no view showed it running. */
  lastSeenMs: number | null;
}

/** Follows one node's join through successive views of the ring. */
export class JoinWatch {
  private last: JoinProgress = { partitionsMoving: 0, keysMoved: 0, bytesMoved: 0, lastSeenMs: null };

  constructor(private readonly nodeId: string) {}

  /**
   * Takes a view of the ring, `elapsedMs` after the join was requested; true once the join is over with the
   * node a member. Throws if another rebalance shows up or the rebalance ends without the node: waiting on
   * would only run into the deadline.
   */
  observe(ring: RingSummary, elapsedMs: number): boolean {
    const rebalance = ring.rebalance;
    if (rebalance !== null) {
      if (rebalance.kind !== 'join' || rebalance.node !== this.nodeId) {
        throw new Error(`waiting for the join of ${this.nodeId}, the ring runs a ${rebalance.kind} of ${rebalance.node}`);
      }
      const { partitionsMoving, keysMoved, bytesMoved } = rebalance;
      this.last = { partitionsMoving, keysMoved, bytesMoved, lastSeenMs: elapsedMs };
      return false;
    }
    if (ring.members.includes(this.nodeId)) return true;
    throw new Error(`the rebalance ended without ${this.nodeId} in the ring (members: ${ring.members.join(', ')})`);
  }

  get progress(): JoinProgress {
    return { ...this.last };
  }
}
