import type { RegionRing } from '@geokv/partitioning';
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
