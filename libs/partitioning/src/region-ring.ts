import { Ring } from './ring';

/** What a region's placement decisions depend on: who is in the ring, who is joining it, and who is down. */
export interface RegionLayout {
  readonly vnodesPerNode: number;
  /** The ring keys are placed by now. */
  readonly members: readonly string[];
  /** The ring once the rebalance in progress is done; null when none is. */
  readonly target: readonly string[] | null;
  /** Nodes the failure detector holds down: they get no new work. */
  readonly down: ReadonlySet<string>;
}

/** A node a write goes to. */
export interface ReplicaTarget {
  readonly node: string;
  /** Set when the node stands in for a down home replica: it keeps a durable hint for that replica. */
  readonly hintFor: string | null;
  /**
   * Whether its acknowledgement counts towards the write quorum: only a home replica's does. A stand-in
   * takes the write and a hint, so the down replica receives it once it is back, but it is not counted: a
   * read asks home replicas only, and R + W > N must hold over them, or a replica that returns before its
   * hints would outvote the write (Cassandra counts hints the same way). Nodes that only the rebalance's
   * target ring adds receive every write (so no write can slip past the handoff) but do not count either.
   */
  readonly counts: boolean;
}

/**
 * A region's placement of keys on its ring, with failures and rebalancing taken into account. Pure and
 * immutable: it is rebuilt from each new ring view.
 *
 * Guarantees, for a key and a replication factor n:
 * - homeReplicas are the first min(n, members) distinct nodes of the key's preference list;
 * - writeTargets hold each up home replica, and for each down one the next up node beyond them (a stand-in
 *   that keeps a hint), never the same node twice; only home replicas count towards the write quorum;
 * - while a rebalance runs, writeTargets also hold every home replica of the target ring, so a key that is
 *   being handed off receives each new write on its old and its new replicas.
 */
export class RegionRing {
  private readonly ring: Ring | null;
  private readonly targetRing: Ring | null;

  constructor(private readonly layout: RegionLayout) {
    const options = { vnodesPerNode: layout.vnodesPerNode };
    this.ring = layout.members.length === 0 ? null : new Ring(layout.members.map((id) => ({ id })), options);
    this.targetRing = layout.target === null || layout.target.length === 0 ? null : new Ring(layout.target.map((id) => ({ id })), options);
  }

  /** Whether there is a ring to place keys on. */
  get isEmpty(): boolean {
    return this.ring === null;
  }

  isUp(node: string): boolean {
    return !this.layout.down.has(node);
  }

  /** The replication factor a key really gets: a ring of two nodes cannot hold three replicas. */
  effectiveReplicas(n: number): number {
    return Math.max(1, Math.min(n, this.ring?.size ?? 1));
  }

  /** The nodes that should hold the key now. */
  homeReplicas(placementKey: string, n: number): string[] {
    return this.ring === null ? [] : this.ring.preferenceList(placementKey, this.effectiveReplicas(n));
  }

  /**
   * The first home replica of the key at `position` (hashToPosition of its placement key), whatever the
   * replication factor: homeReplicas(key, n)[0] for every n, without hashing the key again. Null on an empty ring.
   */
  primaryAt(position: number): string | null {
    return this.ring === null ? null : this.ring.ownerAt(position);
  }

  /** The nodes that should hold the key once the rebalance in progress is done (its home now if none is). */
  targetReplicas(placementKey: string, n: number): string[] {
    if (this.targetRing === null) return this.homeReplicas(placementKey, n);
    return this.targetRing.preferenceList(placementKey, Math.max(1, Math.min(n, this.targetRing.size)));
  }

  /** Where a write goes; the first target coordinates it. Empty when no node can take it. */
  writeTargets(placementKey: string, n: number): ReplicaTarget[] {
    return this.writePlacement(placementKey, n).targets;
  }

  /**
   * writeTargets, and the down home replicas no node could stand in for (every node beyond the home
   * replicas is down too, or there is none): the coordinator keeps their hints itself.
   */
  writePlacement(placementKey: string, n: number): { targets: ReplicaTarget[]; unplaced: string[] } {
    if (this.ring === null) return { targets: [], unplaced: [] };
    const wanted = this.effectiveReplicas(n);
    const order = this.ring.preferenceList(placementKey, this.ring.size);
    const targets: ReplicaTarget[] = [];
    const unplaced: string[] = [];
    const chosen = new Set<string>();
    // Stand-ins come from beyond the home replicas, in ring order, so every writer picks the same ones.
    let nextStandIn = wanted;
    for (const home of order.slice(0, wanted)) {
      if (this.isUp(home)) {
        targets.push({ node: home, hintFor: null, counts: true });
        chosen.add(home);
        continue;
      }
      while (nextStandIn < order.length && !this.isUp(order[nextStandIn])) nextStandIn += 1;
      if (nextStandIn < order.length) {
        targets.push({ node: order[nextStandIn], hintFor: home, counts: false });
        chosen.add(order[nextStandIn]);
        nextStandIn += 1;
      } else {
        unplaced.push(home);
      }
    }
    if (this.targetRing !== null) {
      for (const node of this.targetReplicas(placementKey, n)) {
        if (!chosen.has(node)) targets.push({ node, hintFor: null, counts: false });
      }
    }
    return { targets, unplaced };
  }

  /**
   * Where a read goes: the up home replicas, never a stand-in. A stand-in holds only what was written while
   * it stood in, so counting its answer could outvote a replica that holds the key and serve a false 404;
   * with too few home replicas up, the read fails instead.
   */
  readTargets(placementKey: string, n: number): string[] {
    return this.homeReplicas(placementKey, n).filter((node) => this.isUp(node));
  }
}
