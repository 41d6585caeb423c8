import { Injectable } from '@nestjs/common';
import { bucketOf, hashToPosition } from '@geokv/partitioning';
import {
  ANTI_ENTROPY_BUCKETS,
  placementKey,
  type BucketDigestsRequest,
  type BucketDigestsResult,
  type BucketVersionsRequest,
  type NodeBucketVersions,
  type ReplicatedVersion,
  type VersionIdCursor,
} from '@geokv/protocol';
import { ShardDatabase } from '../kv/shard-database';
import { RegionView } from '../region/region-view.service';
import { LOAD_VERSIONS, SCAN_VERSION_IDS, VERSION_ID_PAGE } from '../kv/shard-statements';
import type { VersionRow } from '../kv/version-rows';
import { BucketDigests, type VersionId } from './bucket-digests';
import { replicatedVersionOfRow } from './outbox-store';

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

  /** Whether this node answers for the key at `position` in the region's Merkle tree: its first home replica. */
  private speaksFor(position: number): boolean {
    const ring = this.region.ring;
    return ring.isEmpty || ring.primaryAt(position) === this.region.self;
  }

  /** One step of the digest scan: the versions after `after`, up to `maxVersions` (whole pages). */
  async bucketDigests(request: BucketDigestsRequest): Promise<BucketDigestsResult> {
    const after = request.after ?? null;
    const digests = new BucketDigests((position) => this.speaksFor(position), after);
    const next = await this.forEachVersionId((row) => digests.add(row), after, request.maxVersions);
    return { ...digests.result(), next };
  }

  /**
   * One step of the search for the buckets' versions: every unexpired version of the keys in the buckets
   * among the ids after `after`, up to `maxVersions` of them (whole pages). The keys are found by a scan of
   * ids, and only their versions are read in full: reading every version with its value and keeping those of
   * the buckets held the whole shard in memory for each exchange (a repair asks for a few of the 1,024
   * buckets at a time).
   */
  async bucketVersions(request: BucketVersionsRequest): Promise<NodeBucketVersions> {
    const wanted = new Set(request.buckets);
    const keyspaces: string[] = [];
    const keys: string[] = [];
    // The key a previous step ended in was decided (and read in full) there.
    let seen: { readonly keyspace: string; readonly key: string } | null = request.after ?? null;
    const next = await this.forEachVersionId(
      (row) => {
        // Ids arrive in key order: a key's versions are consecutive, and its first one decides for all.
        if (seen !== null && seen.key === row.key && seen.keyspace === row.keyspace) return;
        seen = row;
        const position = hashToPosition(placementKey(row.keyspace, row.key));
        if (!wanted.has(bucketOf(position, ANTI_ENTROPY_BUCKETS)) || !this.speaksFor(position)) return;
        keyspaces.push(row.keyspace);
        keys.push(row.key);
      },
      request.after ?? null,
      request.maxVersions,
    );
    const versions: ReplicatedVersion[] = [];
    for (let start = 0; start < keys.length; start += LOAD_KEYS) {
      const rows = await this.db.run<VersionRow>(LOAD_VERSIONS, [keyspaces.slice(start, start + LOAD_KEYS), keys.slice(start, start + LOAD_KEYS)]);
      const nowMs = Date.now();
      for (const row of rows) if (row.expires_at === null || row.expires_at.getTime() > nowMs) versions.push(replicatedVersionOfRow(row));
    }
    return { versions, next };
  }

  /**
   * Visits every unexpired version's id after `after`, a page or two in memory at a time: the next page is
   * read while this one is visited, so that PostgreSQL's share of the scan and this node's overlap. Stops
   * after the page that reaches `maxVersions` (pages are smaller when it is) and returns where to go on;
   * null once every id was visited.
   */
  private async forEachVersionId(
    visit: (row: VersionId) => void,
    after: VersionIdCursor | null = null,
    maxVersions = Number.POSITIVE_INFINITY,
  ): Promise<VersionIdCursor | null> {
    if (!(maxVersions >= 1)) throw new RangeError(`a scan step reads at least one version, not ${maxVersions}`);
    const pageSize = Math.min(VERSION_ID_PAGE, Math.floor(maxVersions));
    const readPage = (from: readonly unknown[]): Promise<VersionId[]> => this.db.run<VersionId>(SCAN_VERSION_IDS, [...from, pageSize]);
    // Below every real id: keyspace names are never empty.
    let next: Promise<VersionId[]> | null = readPage(after === null ? ['', '', '', 0] : [after.keyspace, after.key, after.dotActor, after.dotCounter]);
    let visited = 0;
    while (next !== null) {
      const page: VersionId[] = await next;
      visited += page.length;
      const last = page[page.length - 1];
      const more = page.length === pageSize;
      next = more && visited < maxVersions ? readPage([last.keyspace, last.key, last.dot_actor, last.dot_counter]) : null;
      try {
        for (const row of page) visit(row);
      } catch (error) {
        // The read ahead settles unobserved otherwise.
        next?.catch(() => undefined);
        throw error;
      }
      if (more && next === null) return { keyspace: last.keyspace, key: last.key, dotActor: last.dot_actor, dotCounter: String(last.dot_counter) };
    }
    return null;
  }
}
