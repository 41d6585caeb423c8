import { bucketOf, hashToPosition, xorInto } from '@geokv/partitioning';
import { ANTI_ENTROPY_BUCKETS, placementKey, type ReplicatedVersion, type VersionIdCursor } from '@geokv/protocol';
import { startLoneStorageNode, type LoneStorageNode } from '../support/lone-storage-node';
import { query } from '../support/shard-db';
import { explainWithLogs } from '../support/test-region';

/**
 * A storage node's side of anti-entropy over a shard of many pages of its scan (2,000 ids each): the
 * digests count every key, a repair's read of some buckets returns exactly their unexpired versions, values
 * included, having read in full only those (it used to read the whole shard, values and all, for every 8
 * buckets a repair asked for), and both can be read in steps that add up to one pass, also for a key whose
 * versions two steps share.
 */
describe('anti-entropy reads of a storage node (PostgreSQL + Redis transport)', () => {
  const KEYS = 25_000;
  /** One key with more versions than a step of 10,000 reads: some step boundary always falls inside it. */
  const WIDE_KEY = 'wide';
  const WIDE_VERSIONS = 15_000;
  /** Unexpired versions in all: every key's, the siblings of every 100th, and the wide key's. */
  const VERSIONS = KEYS + KEYS / 100 + WIDE_VERSIONS;
  let lone: LoneStorageNode;

  beforeAll(async () => {
    lone = await startLoneStorageNode({ suite: 'anti-entropy-scan-it' });
    // Every key one version; every 100th key a second, concurrent one (siblings); every 10th also an
    // expired version under a key of its own, which no read may return.
    const insert = (keys: string, actor: string, value: string, expiresAt: string) =>
      query(
        lone.shardUrl,
        `INSERT INTO versions (keyspace, key, dot_actor, dot_counter, context, hlc_wall_ms, hlc_logical, origin_region, tombstone, value, content_type, expires_at)
         SELECT 'default', k, ${actor}, 1, jsonb_build_object(${actor}, 1), 1, 0, 'us-east', false, convert_to(${value}, 'UTF8'), 'text/plain', ${expiresAt}
           FROM (${keys}) AS keys(k, g)`,
      );
    await insert(`SELECT 'k' || g, g FROM generate_series(1, ${KEYS}) g`, `'us-east/n1'`, `'value of ' || k`, 'NULL');
    await insert(`SELECT 'k' || g, g FROM generate_series(100, ${KEYS}, 100) g`, `'us-east/n2'`, `'sibling of ' || k`, 'NULL');
    await insert(`SELECT 'gone' || g, g FROM generate_series(10, ${KEYS}, 10) g`, `'us-east/n1'`, `'expired ' || k`, `now() - interval '1 minute'`);
    // Concurrent versions of one key from many actors (as many siblings could never be written through the API).
    await insert(`SELECT '${WIDE_KEY}', g FROM generate_series(1, ${WIDE_VERSIONS}) g`, `'far/a' || g`, `'wide ' || g`, 'NULL');
  }, 120_000);

  afterAll(async () => {
    await lone?.stop();
  }, 60_000);

  const bucketOfKey = (key: string): number => bucketOf(hashToPosition(placementKey('default', key)), ANTI_ENTROPY_BUCKETS);
  const idOf = (version: ReplicatedVersion): string => `${version.key}/${version.dotActor}`;

  it('counts every unexpired key in its digests, across pages', async () => {
    await explainWithLogs([lone.membership, lone.node], async () => {
      const digests = await lone.rpc.bucketDigests(lone.nodeId);
      expect(digests.keys).toBe(KEYS + 1);
      expect(digests.digests).toHaveLength(ANTI_ENTROPY_BUCKETS);
      expect(digests.next).toBeNull();
    });
  }, 60_000);

  it('digests in steps of whole pages that add up to one pass, each saying where the next goes on', async () => {
    await explainWithLogs([lone.membership, lone.node], async () => {
      const whole = await lone.rpc.bucketDigests(lone.nodeId);
      const leaves = whole.digests.map(() => Buffer.alloc(16));
      let keys = 0;
      let steps = 0;
      let after: VersionIdCursor | undefined;
      do {
        // Whole pages of the scan, which divide 20,000.
        const step = await lone.rpc.bucketDigests(lone.nodeId, { maxVersions: 20_000, ...(after === undefined ? {} : { after }) });
        step.digests.forEach((hex, bucket) => xorInto(leaves[bucket], Buffer.from(hex, 'hex')));
        keys += step.keys;
        steps += 1;
        after = step.next ?? undefined;
      } while (after !== undefined);
      expect(leaves.map((leaf) => leaf.toString('hex'))).toEqual(whole.digests);
      expect(keys).toBe(KEYS + 1);
      expect(steps).toBe(Math.ceil(VERSIONS / 20_000));
      // A step smaller than a page reads no more than it was asked for.
      const small = await lone.rpc.bucketDigests(lone.nodeId, { maxVersions: 5 });
      expect(small.keys).toBeGreaterThanOrEqual(1);
      expect(small.keys).toBeLessThanOrEqual(5);
      expect(small.next).not.toBeNull();
    });
  }, 60_000);

  it("returns exactly the buckets' unexpired versions, siblings and values included", async () => {
    const keys = Array.from({ length: KEYS }, (_, i) => `k${i + 1}`);
    const buckets = [...new Set([bucketOfKey(WIDE_KEY), ...keys.map(bucketOfKey)])].slice(0, 8);
    const wanted = new Set(buckets);
    const expected = keys.filter((key) => wanted.has(bucketOfKey(key)));
    const siblings = expected.filter((key) => Number(key.slice(1)) % 100 === 0);

    const { versions, next } = await explainWithLogs([lone.membership, lone.node], () =>
      lone.rpc.bucketVersions(lone.nodeId, { requestId: 'it-bucket-versions', buckets }),
    );

    expect(next).toBeNull();
    expect(versions.length).toBe(expected.length + siblings.length + WIDE_VERSIONS);
    expect([...new Set(versions.map((version) => version.key))].sort()).toEqual([...expected, WIDE_KEY].sort());
    for (const version of versions) {
      const expectedValue =
        version.key === WIDE_KEY ? `wide ${version.dotActor.slice('far/a'.length)}` : version.dotActor === 'us-east/n2' ? `sibling of ${version.key}` : `value of ${version.key}`;
      expect(Buffer.from(version.value ?? []).toString('utf8')).toBe(expectedValue);
    }
    expect(versions.filter((version) => version.dotActor === 'us-east/n2').map((version) => version.key).sort()).toEqual([...siblings].sort());
  }, 60_000);

  it("reads the buckets' versions in steps that add up to one read, a key two steps share read once", async () => {
    const buckets = [bucketOfKey(WIDE_KEY), bucketOfKey('k1'), bucketOfKey('k100')];
    await explainWithLogs([lone.membership, lone.node], async () => {
      const whole = await lone.rpc.bucketVersions(lone.nodeId, { requestId: 'it-bucket-versions-whole', buckets });
      const stepped: ReplicatedVersion[] = [];
      const cursors: VersionIdCursor[] = [];
      let after: VersionIdCursor | undefined;
      do {
        const step = await lone.rpc.bucketVersions(lone.nodeId, { requestId: 'it-bucket-versions-step', buckets, maxVersions: 10_000, ...(after === undefined ? {} : { after }) });
        stepped.push(...step.versions);
        if (step.next !== null) cursors.push(step.next);
        after = step.next ?? undefined;
      } while (after !== undefined);
      // The wide key's 15,000 versions span at least one step boundary.
      expect(cursors.some((cursor) => cursor.key === WIDE_KEY)).toBe(true);
      expect(stepped.map(idOf).sort()).toEqual(whole.versions.map(idOf).sort());
      expect(new Set(stepped.map(idOf)).size).toBe(stepped.length);
    });
  }, 60_000);
});
