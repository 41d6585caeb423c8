import type { KeyPlacement } from './replica-deliveries';

/**
 * When a shipment is durable in this region before every replica has answered: once each of its versions
 * is committed on a write quorum (W) of its key's home replicas, the state a quorum read here is
 * guaranteed to see (R + W > N), the same point at which a write made in this region is acknowledged.
 * Waiting for the last replica instead ties every shipment, and the stream behind it, to the slowest of N
 * commits: the tail of a maximum, not of a quorum.
 *
 * Only home replicas count, as for a local write (see ReplicaTarget.counts). A version with fewer home
 * replicas to write than W (some are down, and stand-ins take their share) never reaches its quorum here:
 * the shipment is then durable only when every delivery has answered, as before.
 */
export class ShipmentQuorum {
  /** By shipment index: home-replica commits still needed; 0 once met, Infinity when it cannot be. */
  private readonly needed: number[];
  private unmet: number;

  /** `writeQuorum` is W of the version's keyspace, by shipment index. */
  constructor(
    private readonly placements: readonly KeyPlacement[],
    writeQuorum: (index: number) => number,
  ) {
    this.needed = placements.map((placement, index) => {
      const homeReplicas = placement.targets.reduce((count, target) => count + (target.counts ? 1 : 0), 0);
      const quorum = Math.max(1, writeQuorum(index));
      return homeReplicas >= quorum ? quorum : Number.POSITIVE_INFINITY;
    });
    this.unmet = placements.length;
  }

  /** Records that `node` committed the versions at `indexes`; true once every version has its quorum. */
  committed(node: string, indexes: readonly number[]): boolean {
    for (const index of indexes) {
      if (this.needed[index] === 0 || !this.countsOn(index, node)) continue;
      this.needed[index] -= 1;
      if (this.needed[index] === 0) this.unmet -= 1;
    }
    return this.met();
  }

  /** Whether every version is on a write quorum of its home replicas (true for an empty shipment). */
  met(): boolean {
    return this.unmet === 0;
  }

  private countsOn(index: number, node: string): boolean {
    return this.placements[index].targets.some((target) => target.node === node && target.counts);
  }
}
