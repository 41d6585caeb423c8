import type { ReplicaTarget } from '@geokv/partitioning';

/** Where one version of a shipment goes in this region, from the ring's write placement of its key. */
export interface KeyPlacement {
  readonly targets: readonly ReplicaTarget[];
  /** Down home replicas no node can stand in for: the key's first counting replica keeps their hints. */
  readonly unplaced: readonly string[];
}

/** One node's share of a shipment. */
export interface NodeDelivery {
  readonly node: string;
  /** The versions it takes, by their index in the shipment. */
  readonly indexes: number[];
  /** By position in `indexes`: the down nodes it keeps a hint for (absent when none). */
  readonly hints: Record<number, string[]>;
}

/**
 * Every node's share of a shipment when the replicator hands each version to all of its key's write targets
 * itself (home replicas, stand-ins for down ones, and during a rebalance the new replicas), instead of
 * to one coordinator that forwards it: each node gets one message and one commit per shipment, not one as
 * coordinator plus one per other coordinator's forward. A stand-in keeps a hint for the replica it stands in
 * for, and the key's first counting replica keeps the hints no node could stand in for, as a coordinator
 * would. Every placement must have a counting target (see firstCounting).
 */
export function planDeliveries(placements: readonly KeyPlacement[]): Map<string, NodeDelivery> {
  const deliveries = new Map<string, NodeDelivery>();
  placements.forEach((placement, index) => {
    const coordinator = firstCounting(placement.targets);
    for (const target of placement.targets) {
      let delivery = deliveries.get(target.node);
      if (delivery === undefined) {
        delivery = { node: target.node, indexes: [], hints: {} };
        deliveries.set(target.node, delivery);
      }
      const hints = [...(target.hintFor === null ? [] : [target.hintFor]), ...(target.node === coordinator ? placement.unplaced : [])];
      if (hints.length > 0) delivery.hints[delivery.indexes.length] = hints;
      delivery.indexes.push(index);
    }
  });
  return deliveries;
}

/** The fallback for the versions some node failed to take: who coordinates each, and which none can. */
export interface CoordinatedFallback {
  /** Coordinator → the versions (shipment indexes) it merges and forwards to the key's other replicas. */
  readonly byCoordinator: Map<string, number[]>;
  /** Versions whose every counting replica failed: the shipment cannot be applied now. */
  readonly stranded: number[];
}

/**
 * For the versions that a failed node should have taken: the first counting replica of the key that did not
 * fail coordinates them (its forwards reach the failed node or leave a hint for it, and it answers once a
 * write quorum has them), the same path a write made in this region takes.
 */
export function planFallback(placements: readonly KeyPlacement[], failed: ReadonlySet<string>): CoordinatedFallback {
  const byCoordinator = new Map<string, number[]>();
  const stranded: number[] = [];
  placements.forEach((placement, index) => {
    if (!placement.targets.some((target) => failed.has(target.node))) return;
    const coordinator = firstCounting(placement.targets, failed);
    if (coordinator === null) {
      stranded.push(index);
      return;
    }
    const group = byCoordinator.get(coordinator) ?? [];
    group.push(index);
    byCoordinator.set(coordinator, group);
  });
  return { byCoordinator, stranded };
}

const NONE: ReadonlySet<string> = new Set();

/** The first home replica among the targets that is not excluded; null when there is none. */
export function firstCounting(targets: readonly ReplicaTarget[], excluded: ReadonlySet<string> = NONE): string | null {
  return targets.find((target) => target.counts && !excluded.has(target.node))?.node ?? null;
}
