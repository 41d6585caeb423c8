import { ErrorCode, type NodeView, type RebalanceKind, type RebalancePlan } from '@geokv/protocol';

/** A rebalance as membership keeps it (durably, in ring_state). */
export type Rebalance = RebalancePlan;

/** A refused join, drain or leave: the code says why. */
export class RebalanceRefused extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The ring a join, drain or leave leads to. Pure.
 * @throws RebalanceRefused when the node is unknown, or the change makes no sense for its role.
 */
export function targetMembers(kind: RebalanceKind, node: NodeView | undefined, members: readonly string[], nodeId: string): string[] {
  if (node === undefined) throw new RebalanceRefused(ErrorCode.NodeNotFound, `no storage node ${nodeId} has registered with this region`);
  const isMember = members.includes(node.id);
  if (kind === 'join') {
    if (isMember) throw new RebalanceRefused(ErrorCode.InvalidNodeState, `node ${node.id} is already in the ring`);
    if (node.status !== 'up') throw new RebalanceRefused(ErrorCode.InvalidNodeState, `node ${node.id} is down; start it before it joins`);
    return [...members, node.id].sort();
  }
  if (!isMember) throw new RebalanceRefused(ErrorCode.InvalidNodeState, `node ${node.id} is not in the ring`);
  if (members.length === 1) throw new RebalanceRefused(ErrorCode.InvalidNodeState, `node ${node.id} is the ring's last node; its data would have nowhere to go`);
  if (kind === 'drain' && node.status !== 'up') {
    throw new RebalanceRefused(ErrorCode.InvalidNodeState, `node ${node.id} is down and cannot hand off its data; remove it with DELETE instead`);
  }
  return members.filter((id) => id !== node.id);
}

/**
 * The role of a node registering with an id the registry does not hold. The first node of an empty ring
 * joins it at once (it has nothing to take over), and so do the seed nodes a new region starts with, until
 * the region's first rebalance: after that, a seed's id may be a node that a leave removed and that came
 * back with its old data and acceptor state, which must not rejoin without a join's handoff (its acceptor
 * state would vote beside what was rebuilt for its keys). Every other node waits as a standby for an
 * operator's join. Pure.
 */
export function roleOfNewNode(id: string, seeds: readonly string[], members: readonly string[], rebalanced: boolean): NodeView['role'] {
  if (members.length === 0) return 'member';
  return seeds.includes(id) && !rebalanced ? 'member' : 'standby';
}

/**
 * Whether the streaming phase may start: every node that is up has adopted the rebalance's ring (so every
 * coordinator already sends new writes to the new replicas too), and the settle time has passed for writes
 * that were in flight under the old ring to commit.
 */
export function readyToStream(rebalance: Rebalance, nodes: readonly NodeView[], epochOf: (id: string) => number, nowMs: number, settleMs: number): boolean {
  if (nowMs - rebalance.startedAtMs < settleMs) return false;
  return nodes.every((node) => node.status !== 'up' || epochOf(node.id) >= rebalance.id);
}

/**
 * Whether every node of the old or the new ring has done its part of the current phase (`doneNodes`). A
 * node that is down holds the rebalance back (it may hold the only copy of some keys), except the node a
 * leave removes when `leaverMayBeDown`: its fellow replicas stream its keys instead. Strong keys' acceptor
 * state has no fellow copy in the region, so the acceptors phase excuses that node only in a region without
 * strong keyspaces, or once the replicator has rebuilt its state from the peer regions'.
 */
export function handoffComplete(
  rebalance: Rebalance,
  members: readonly string[],
  statusOf: (id: string) => NodeView['status'] | undefined,
  doneNodes: ReadonlySet<string>,
  leaverMayBeDown = true,
): boolean {
  const involved = new Set([...members, ...rebalance.target]);
  for (const id of involved) {
    if (leaverMayBeDown && rebalance.kind === 'leave' && id === rebalance.node && statusOf(id) !== 'up') continue;
    if (!doneNodes.has(id)) return false;
  }
  return true;
}
