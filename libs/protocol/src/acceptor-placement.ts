import { RegionRing } from '@geokv/partitioning';
import type { AcceptorKey, AcceptorKeysRequest, LostAcceptor } from './acceptor-messages';
import type { RingView } from './membership-messages';
import type { ListRequest } from './storage-messages';
import { placementKey } from './placement';

/**
 * The storage node that holds a strong key's acceptor state in its region: the key's primary replica,
 * whether or not it is up. It must not fail over to another node: a stand-in acceptor would start from an
 * empty state and could promise what the real one refused. While it is down, its region simply does not
 * vote on the key, and the other regions still make a majority. Null on an empty ring.
 */
export function acceptorNodeOf(ring: RegionRing, keyspace: string, key: string): string | null {
  return ring.isEmpty ? null : (ring.homeReplicas(placementKey(keyspace, key), 1)[0] ?? null);
}

/** The key's acceptor node here if it is up; null when it is down or the ring is empty (the region then does not vote). */
export function upAcceptorNodeOf(ring: RegionRing, keyspace: string, key: string): string | null {
  const node = acceptorNodeOf(ring, keyspace, key);
  return node !== null && ring.isUp(node) ? node : null;
}

/** The key's acceptor node once the rebalance in progress is done (its acceptor now if none is). */
export function targetAcceptorNodeOf(ring: RegionRing, keyspace: string, key: string): string | null {
  return ring.isEmpty ? null : (ring.targetReplicas(placementKey(keyspace, key), 1)[0] ?? null);
}

/**
 * Whether `node` answers CASPaxos messages for the key: it is the key's acceptor, and the key's acceptor
 * state is not being handed to another node. In a rebalance's `acceptors` phase neither the old acceptor
 * nor the new one answers a moving key (the region abstains, the other regions still make a majority):
 * the new one holds the state only once the old one, no longer answering, has handed it over, and answers
 * once the target ring is the ring, which membership makes it only after every handover.
 */
export function answersAsAcceptor(view: RingView | null, ring: RegionRing, node: string, keyspace: string, key: string): boolean {
  if (acceptorNodeOf(ring, keyspace, key) !== node) return false;
  return view?.rebalance?.phase !== 'acceptors' || targetAcceptorNodeOf(ring, keyspace, key) === node;
}

/**
 * The nodes that hold a region's acceptor state (its ring's members), each of which a listing of a strong
 * keyspace must ask; null while one of them is down or a rebalance hands acceptor state between them, when
 * the region's keys cannot all be found. Each node also checks the asker's view against its own (see
 * AcceptorKeysRequest): the asker's may be behind.
 */
export function acceptorHolders(view: RingView | null): readonly string[] | null {
  if (view === null || view.members.length === 0 || view.rebalance?.phase === 'acceptors') return null;
  const down = new Set(view.nodes.filter((node) => node.status === 'down').map((node) => node.id));
  return view.members.some((member) => down.has(member)) ? null : view.members;
}

/**
 * What a listing of a strong keyspace asks of a region, by the asker's view of it: each node holding its
 * acceptor state, with the request carrying the last rebalance that view has seen finish; null while the
 * region cannot answer (see acceptorHolders).
 */
export function acceptorKeysAsks(view: RingView | null, request: ListRequest): { readonly nodes: readonly string[]; readonly request: AcceptorKeysRequest } | null {
  const nodes = acceptorHolders(view);
  return nodes === null ? null : { nodes, request: { ...request, lastRebalanceId: view!.lastRebalanceId } };
}

/**
 * The node whose acceptor state the region must rebuild from its peers: the node a leave removes, while the
 * leave is in its `acceptors` phase and the node is down (it cannot hand its state over). Null otherwise.
 */
export function lostAcceptorOf(view: RingView | null): LostAcceptor | null {
  const rebalance = view?.rebalance;
  if (view == null || rebalance?.kind !== 'leave' || rebalance.phase !== 'acceptors') return null;
  if (view.nodes.find((node) => node.id === rebalance.node)?.status !== 'down') return null;
  return { node: rebalance.node, members: view.members, vnodesPerNode: view.vnodesPerNode };
}

/** Whether the lost acceptor was the acceptor of a key: a peer region answers with the lost region's ring. */
export function heldByLostAcceptor(lost: LostAcceptor): (ref: AcceptorKey) => boolean {
  const ring = new RegionRing({ vnodesPerNode: lost.vnodesPerNode, members: lost.members, target: null, down: new Set() });
  return (ref) => acceptorNodeOf(ring, ref.keyspace, ref.key) === lost.node;
}
