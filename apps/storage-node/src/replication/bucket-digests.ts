import { hash } from 'node:crypto';
import { bucketOf, DIGEST_BYTES, hashToPosition, xorInto } from '@geokv/partitioning';
import { ANTI_ENTROPY_BUCKETS, placementKey, type BucketDigestsResult } from '@geokv/protocol';
import { encodeContext } from '@geokv/vector-clock';
import type { VersionRow } from '../kv/version-rows';

/** What anti-entropy reads of a version: its identity (key, dot and context), never its value. */
export type VersionId = Pick<VersionRow, 'keyspace' | 'key' | 'dot_actor' | 'dot_counter' | 'context'>;

/**
 * A node's bucket digests, built from its version ids as a scan returns them: in key order, so that a
 * key's versions come one after another. The key's placement is hashed, and whether this node speaks for
 * it decided, once per key rather than per version; and each key is counted as it begins, without a set of
 * every key (which held a shard's keys in memory: 250 MB more per million keys).
 *
 * `speaksFor` gets the key's ring position (hashToPosition of its placement key).
 */
export class BucketDigests {
  private readonly digests = Array.from({ length: ANTI_ENTROPY_BUCKETS }, () => Buffer.alloc(DIGEST_BYTES));
  private keys = 0;
  private keyspace: string | null = null;
  private key: string | null = null;
  /** The current key's bucket, or null when this node does not speak for it. */
  private bucket: number | null = null;

  /**
   * `resumeAfter`: the key the previous step of the scan ended in, which that step has counted already (its
   * further versions, if any, are digested here all the same).
   */
  constructor(
    private readonly speaksFor: (position: number) => boolean,
    resumeAfter: { readonly keyspace: string; readonly key: string } | null = null,
  ) {
    if (resumeAfter !== null) this.startKey(resumeAfter.keyspace, resumeAfter.key, false);
  }

  /** Adds one version; versions must arrive in key order (any order within a key). */
  add(row: VersionId): void {
    if (row.key !== this.key || row.keyspace !== this.keyspace) this.startKey(row.keyspace, row.key);
    if (this.bucket !== null) xorInto(this.digests[this.bucket], versionDigest(row));
  }

  result(): Omit<BucketDigestsResult, 'next'> {
    return { digests: this.digests.map((digest) => digest.toString('hex')), keys: this.keys };
  }

  private startKey(keyspace: string, key: string, counted = true): void {
    this.keyspace = keyspace;
    this.key = key;
    const position = hashToPosition(placementKey(keyspace, key));
    this.bucket = this.speaksFor(position) ? bucketOf(position, ANTI_ENTROPY_BUCKETS) : null;
    if (this.bucket !== null && counted) this.keys += 1;
  }
}

/**
 * A version's digest: its key, dot and context (which grows when an lww winner absorbs a loser). Every region
 * must compute it alike, or every bucket would differ: change it only with a way for old and new to agree.
 */
export function versionDigest(row: VersionId): Buffer {
  // encodeContext is canonical (actors in byte order), so equal clocks always digest alike. The one-shot hash:
  // a Hash object per version cost a fifth of a digest scan.
  return hash('md5', `${row.keyspace}\0${row.key}\0${row.dot_actor}\0${row.dot_counter}\0${encodeContext(row.context)}`, 'buffer');
}
