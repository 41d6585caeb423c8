import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { bucketOf, DIGEST_BYTES, hashToPosition, xorInto } from '@geokv/partitioning';
import { encodeContext } from '@geokv/vector-clock';
import { ANTI_ENTROPY_BUCKETS, placementKey, type BucketDigestsResult, type ReplicatedVersion } from '@geokv/protocol';
import { ShardDatabase } from '../kv/shard-database';
import { SCAN_VERSION_IDS, SCAN_VERSIONS } from '../kv/shard-statements';
import type { VersionRow } from '../kv/version-rows';
import { replicatedVersionOfRow } from './outbox-store';

type VersionId = Pick<VersionRow, 'keyspace' | 'key' | 'dot_actor' | 'dot_counter' | 'context'>;

/**
 * The node's side of anti-entropy. A bucket's digest is the XOR of its versions' digests, and a version's
 * digest covers its key, its dot and its context (which grows when an lww winner absorbs a loser), so two
 * regions agree on a bucket exactly when they hold the same versions in it, whichever nodes hold them.
 */
@Injectable()
export class AntiEntropyService {
  constructor(private readonly db: ShardDatabase) {}

  async bucketDigests(): Promise<BucketDigestsResult> {
    const digests = Array.from({ length: ANTI_ENTROPY_BUCKETS }, () => Buffer.alloc(DIGEST_BYTES));
    const keys = new Set<string>();
    for (const row of await this.db.run<VersionId>(SCAN_VERSION_IDS, [])) {
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
      .map(replicatedVersionOfRow);
  }
}

function versionDigest(row: VersionId): Buffer {
  // encodeContext is canonical (actors in byte order), so equal clocks always digest alike.
  return createHash('md5').update(`${row.keyspace}\0${row.key}\0${row.dot_actor}\0${row.dot_counter}\0${encodeContext(row.context)}`).digest();
}
