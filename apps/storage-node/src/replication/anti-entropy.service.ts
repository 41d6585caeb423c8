import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { bucketOf, DIGEST_BYTES, hashToPosition, xorInto } from '@geokv/partitioning';
import { encodeContext } from '@geokv/vector-clock';
import { ANTI_ENTROPY_BUCKETS, placementKey, type BucketDigestsResult, type ReplicatedVersion } from '@geokv/protocol';
import { ShardDatabase } from '../kv/shard-database';
import { RegionView } from '../region/region-view.service';
import { LOAD_VERSIONS, SCAN_VERSION_IDS, VERSION_ID_PAGE } from '../kv/shard-statements';
import type { VersionRow } from '../kv/version-rows';
import { replicatedVersionOfRow } from './outbox-store';

type VersionId = Pick<VersionRow, 'keyspace' | 'key' | 'dot_actor' | 'dot_counter' | 'context'>;

/** Keys whose versions one statement loads for a repair. */
const LOAD_KEYS = 500;

/**
 * The node's side of anti-entropy. A bucket's digest is the XOR of its versions' digests, and a version's
 * digest covers its key, its dot and its context (which grows when an lww winner absorbs a loser), so two
 * regions agree on a bucket exactly when they hold the same versions in it, whichever nodes hold them.
 *
 * A key has several replicas in a region (and stand-ins may hold extra copies), so each node speaks only
 * for the keys it is the primary replica of: XORing every copy would cancel pairs out. The other replicas
 * are kept in step with the primary by the write quorum, hints and read repair.
 */
@Injectable()
export class AntiEntropyService {
  constructor(
    private readonly db: ShardDatabase,
    private readonly region: RegionView,
  ) {}

  /** Whether this node answers for the key in the region's Merkle tree. */
  private speaksFor(keyspace: string, key: string): boolean {
    const ring = this.region.ring;
    if (ring.isEmpty) return true;
    return ring.homeReplicas(placementKey(keyspace, key), this.region.replicasOf(keyspace))[0] === this.region.self;
  }

  async bucketDigests(): Promise<BucketDigestsResult> {
    const digests = Array.from({ length: ANTI_ENTROPY_BUCKETS }, () => Buffer.alloc(DIGEST_BYTES));
    const keys = new Set<string>();
    await this.forEachVersionId((row) => {
      if (!this.speaksFor(row.keyspace, row.key)) return;
      const placement = placementKey(row.keyspace, row.key);
      keys.add(placement);
      xorInto(digests[bucketOf(hashToPosition(placement), ANTI_ENTROPY_BUCKETS)], versionDigest(row));
    });
    return { digests: digests.map((digest) => digest.toString('hex')), keys: keys.size };
  }

  /**
   * Every unexpired version of the keys in the buckets. The keys are found by a scan of ids, and only their
   * versions are read in full: reading every version with its value and keeping those of the buckets held
   * the whole shard in memory for each exchange (a repair asks for a few of the 1,024 buckets at a time).
   */
  async bucketVersions(buckets: readonly number[]): Promise<ReplicatedVersion[]> {
    const wanted = new Set(buckets);
    const keyspaces: string[] = [];
    const keys: string[] = [];
    await this.forEachVersionId((row) => {
      // Ids arrive in key order: a key's versions are consecutive.
      if (keys.length > 0 && keys[keys.length - 1] === row.key && keyspaces[keyspaces.length - 1] === row.keyspace) return;
      if (!wanted.has(bucketOf(hashToPosition(placementKey(row.keyspace, row.key)), ANTI_ENTROPY_BUCKETS))) return;
      if (!this.speaksFor(row.keyspace, row.key)) return;
      keyspaces.push(row.keyspace);
      keys.push(row.key);
    });
    const versions: ReplicatedVersion[] = [];
    for (let start = 0; start < keys.length; start += LOAD_KEYS) {
      const rows = await this.db.run<VersionRow>(LOAD_VERSIONS, [keyspaces.slice(start, start + LOAD_KEYS), keys.slice(start, start + LOAD_KEYS)]);
      const nowMs = Date.now();
      for (const row of rows) if (row.expires_at === null || row.expires_at.getTime() > nowMs) versions.push(replicatedVersionOfRow(row));
    }
    return versions;
  }

  /** Visits every unexpired version's id, one page in memory at a time. */
  private async forEachVersionId(visit: (row: VersionId) => void): Promise<void> {
    // Below every real id: keyspace names are never empty.
    let after: unknown[] = ['', '', '', 0];
    for (;;) {
      const page = await this.db.run<VersionId>(SCAN_VERSION_IDS, after);
      for (const row of page) visit(row);
      if (page.length < VERSION_ID_PAGE) return;
      const last = page[page.length - 1];
      after = [last.keyspace, last.key, last.dot_actor, last.dot_counter];
    }
  }
}

function versionDigest(row: VersionId): Buffer {
  // encodeContext is canonical (actors in byte order), so equal clocks always digest alike.
  return createHash('md5').update(`${row.keyspace}\0${row.key}\0${row.dot_actor}\0${row.dot_counter}\0${encodeContext(row.context)}`).digest();
}
