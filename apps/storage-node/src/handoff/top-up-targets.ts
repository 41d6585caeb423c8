import type { RegionRing } from '@geokv/partitioning';

/**
 * The replicas a key gains when its keyspace's replication factor rises from `from` to `to`, when this node
 * is the one to send them its copy; empty otherwise. The sender is the first up home replica under `from`
 * (the one that surely holds the key), or a node holding a copy it is no home replica for at all (a
 * stand-in's copy), as for a rebalance's handoff: one sender per key, and no copy left behind. A replica the
 * key gains sends nothing: its copy came from that sender, or from a write made with the new factor.
 */
export function topUpTargets(ring: Pick<RegionRing, 'homeReplicas' | 'isUp'>, placementKey: string, from: number, to: number, self: string): string[] {
  const before = ring.homeReplicas(placementKey, from);
  const after = ring.homeReplicas(placementKey, to);
  if (before.includes(self) ? before.find((node) => ring.isUp(node)) !== self : after.includes(self)) return [];
  return after.filter((node) => !before.includes(node) && node !== self);
}
