/**
 * After a miss, batches that have uncached keys read them first for this many batches before speculating
 * again. A workload that updates keys the cache has evicted would miss on almost every batch; this bounds
 * its cost to one wasted statement per this many batches (under 2%).
 */
export const BATCHES_BETWEEN_ATTEMPTS_AFTER_A_MISS = 64;

/**
 * Whether a group commit may merge the keys its cache does not hold as absent, without reading them first.
 *
 * Most writes to uncached keys create them: a key the cache does not know was usually never written. Reading
 * such keys before the commit costs a whole round trip to PostgreSQL per batch, which measured as a third of
 * a PUT's throughput on a fresh keyspace. So a batch speculates: it merges those keys as absent, and its
 * commit statement checks in the same snapshot that none of them has a row (COMMIT_BATCH's guard). A miss
 * (one of them did have rows: the cache had evicted it, or the node restarted) writes nothing; the batch
 * then reads the keys and merges again, and the next batches read first for a while.
 *
 * Correctness never depends on this policy, only speed: the guard makes a wrong guess a wasted statement.
 */
export class AbsenceSpeculation {
  private readFirstFor = 0;

  /** Asked once per batch that has uncached keys. */
  shouldSpeculate(): boolean {
    if (this.readFirstFor === 0) return true;
    this.readFirstFor -= 1;
    return false;
  }

  /** The guard found rows for a key merged as absent. */
  missed(): void {
    this.readFirstFor = BATCHES_BETWEEN_ATTEMPTS_AFTER_A_MISS;
  }
}
