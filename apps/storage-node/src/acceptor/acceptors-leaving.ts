import type { RegionRing } from '@geokv/partitioning';
import { acceptorNodeOf, targetAcceptorNodeOf } from '@geokv/protocol';
import type { KeyRef } from '../kv/key-id';

/** What a node does with the acceptor rows it holds when a rebalance hands acceptor state over. */
export interface AcceptorsLeaving {
  /** Keys whose acceptor this node is and whose new acceptor is another node, by that node. */
  readonly handOver: ReadonlyMap<string, KeyRef[]>;
  /**
   * Keys whose acceptor this node is neither now nor after the rebalance: copies left from an earlier spell
   * as their acceptor (a handover whose source stopped between the new node's merge and its own delete).
   * Nothing reads them; a later spell as the key's acceptor would merge in the current state anyway.
   */
  readonly stray: KeyRef[];
}

/** Sorts a page of this node's acceptor rows for a handover. Pure. */
export function acceptorsLeaving(ring: RegionRing, self: string, refs: readonly KeyRef[]): AcceptorsLeaving {
  const handOver = new Map<string, KeyRef[]>();
  const stray: KeyRef[] = [];
  for (const ref of refs) {
    const now = acceptorNodeOf(ring, ref.keyspace, ref.key);
    const next = targetAcceptorNodeOf(ring, ref.keyspace, ref.key);
    if (next === null || next === self) continue;
    if (now !== self) {
      stray.push(ref);
      continue;
    }
    const refsOfNode = handOver.get(next);
    if (refsOfNode === undefined) handOver.set(next, [ref]);
    else refsOfNode.push(ref);
  }
  return { handOver, stray };
}
