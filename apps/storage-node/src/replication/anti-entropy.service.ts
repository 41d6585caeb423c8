import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { bucketOf, DIGEST_BYTES, hashToPosition, xorInto } from '@geokv/partitioning';
import { encodeContext } from '@geokv/vector-clock';
import { ANTI_ENTROPY_BUCKETS, placementKey, type BucketDigestsResult, type ReplicatedVersion } from '@geokv/protocol';
import { ShardDatabase } from '../kv/shard-database';
import { RegionView } from '../region/region-view.service';
import { SCAN_VERSION_IDS, SCAN_VERSIONS } from '../kv/shard-statements';
import type { VersionRow } from '../kv/version-rows';
import { replicatedVersionOfRow } from './outbox-store';

type VersionId = Pick<VersionRow, 'keyspace' | 'key' | 'dot_actor' | 'dot_counter' | 'context'>;

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
    for (const row of await this.db.run<VersionId>(SCAN_VERSION_IDS, [])) {
      if (!this.speaksFor(row.keyspace, row.key)) continue;
      const placement = placementKey(row.keyspace, row.key);
      keys.add(placement);
      xorInto(digests[bucketOf(hashToPosition(placement), ANTI_ENTROPY_BUCKETS)], versionDigest(row));
    }
    return { digests: digests.map((digest) => digest.toString('hex')), keys: keys.size };
  }

  async bucketVersions(buckets: readonly number[]): Promise<ReplicatedVersion[]> {
    const wanted = new Set(buckets);
    const rows = await this.db.run<VersionRow>(SCAN_VERSIONS, []);
    return rows
      .filter((row) => wanted.has(bucketOf(hashToPosition(placementKey(row.keyspace, row.key)), ANTI_ENTROPY_BUCKETS)))
      .filter((row) => this.speaksFor(row.keyspace, row.key))
      .map(replicatedVersionOfRow);
  }
}

function versionDigest(row: VersionId): Buffer {
  // encodeContext is canonical (actors in byte order), so equal clocks always digest alike.
  return createHash('md5').update(`${row.keyspace}\0${row.key}\0${row.dot_actor}\0${row.dot_counter}\0${encodeContext(row.context)}`).digest();
}
