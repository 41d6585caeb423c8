import { bucketOf, hashToPosition, xorInto } from '@geokv/partitioning';
import { ANTI_ENTROPY_BUCKETS, placementKey, type VersionIdCursor } from '@geokv/protocol';
import { startLoneStorageNode, type LoneStorageNode } from '../support/lone-storage-node';
import { query } from '../support/shard-db';
import { explainWithLogs } from '../support/test-region';

/**
 * A storage node's side of anti-entropy over a shard larger than one page of its scan (10,000 ids): the
 * digests count every key, and a repair's read of some buckets returns exactly their unexpired versions,
 * values included, having read in full only those (it used to read the whole shard, values and all, for
 * every 8 buckets a repair asked for).
 */
describe('anti-entropy reads of a storage node (PostgreSQL + Redis transport)', () => {
  const KEYS = 25_000;
  let lone: LoneStorageNode;

  beforeAll(async () => {
    lone = await startLoneStorageNode({ suite: 'anti-entropy-scan-it' });
    // Every key one version; every 100th key a second, concurrent one (siblings); every 10th also an
    // expired version under a key of its own, which no read may return.
    const insert = (keys: string, actor: string, value: string, expiresAt: string) =>
      query(
        lone.shardUrl,
        `INSERT INTO versions (keyspace, key, dot_actor, dot_counter, context, hlc_wall_ms, hlc_logical, origin_region, tombstone, value, content_type, expires_at)
         SELECT 'default', k, $1, 1, jsonb_build_object($1::text, 1), 1, 0, 'us-east', false, convert_to(${value}, 'UTF8'), 'text/plain', ${expiresAt}
           FROM (${keys}) AS keys(k)`,
        [`us-east/${actor}`],
      );
    await insert(`SELECT 'k' || g FROM generate_series(1, ${KEYS}) g`, 'n1', `'value of ' || k`, 'NULL');
    await insert(`SELECT 'k' || g FROM generate_series(100, ${KEYS}, 100) g`, 'n2', `'sibling of ' || k`, 'NULL');
    await insert(`SELECT 'gone' || g FROM generate_series(10, ${KEYS}, 10) g`, 'n1', `'expired ' || k`, `now() - interval '1 minute'`);
  }, 120_000);

  afterAll(async () => {
    await lone?.stop();
  }, 60_000);

  const bucketOfKey = (key: string): number => bucketOf(hashToPosition(placementKey('default', key)), ANTI_ENTROPY_BUCKETS);

  it('counts every unexpired key in its digests, across pages', async () => {
    await explainWithLogs([lone.membership, lone.node], async () => {
      const digests = await lone.rpc.bucketDigests(lone.nodeId);
      expect(digests.keys).toBe(KEYS);
      expect(digests.digests).toHaveLength(ANTI_ENTROPY_BUCKETS);
    });
  }, 60_000);

  it('scans in steps of whole pages that add up to one pass, each saying where the next goes on', async () => {
    await explainWithLogs([lone.membership, lone.node], async () => {
      const whole = await lone.rpc.bucketDigests(lone.nodeId);
      expect(whole.next).toBeNull();
      const leaves = whole.digests.map(() => Buffer.alloc(16));
      let keys = 0;
      const stepSizes: number[] = [];
      let after: VersionIdCursor | undefined;
      do {
        // 15,000 rounds up to two pages of the scan (10,000 ids each).
        const step = await lone.rpc.bucketDigests(lone.nodeId, { maxVersions: 15_000, ...(after === undefined ? {} : { after }) });
        step.digests.forEach((hex, bucket) => xorInto(leaves[bucket], Buffer.from(hex, 'hex')));
        keys += step.keys;
        stepSizes.push(step.keys);
        after = step.next ?? undefined;
      } while (after !== undefined);
      expect(leaves.map((leaf) => leaf.toString('hex'))).toEqual(whole.digests);
      expect(keys).toBe(KEYS);
      // 25,250 unexpired versions: two pages, then what is left.
      expect(stepSizes.length).toBe(2);
    });
  }, 60_000);

  it("returns exactly the buckets' unexpired versions, siblings and values included", async () => {
    const keys = Array.from({ length: KEYS }, (_, i) => `k${i + 1}`);
    const buckets = [...new Set(keys.map(bucketOfKey))].slice(0, 8);
    const wanted = new Set(buckets);
    const expected = keys.filter((key) => wanted.has(bucketOfKey(key)));
    const siblings = expected.filter((key) => Number(key.slice(1)) % 100 === 0);

    const { versions } = await explainWithLogs([lone.membership, lone.node], () =>
      lone.rpc.bucketVersions(lone.nodeId, { requestId: 'it-bucket-versions', buckets }),
    );

    expect(versions.length).toBe(expected.length + siblings.length);
    expect([...new Set(versions.map((version) => version.key))].sort()).toEqual([...expected].sort());
    for (const version of versions) {
      const expectedValue = version.dotActor === 'us-east/n2' ? `sibling of ${version.key}` : `value of ${version.key}`;
      expect(Buffer.from(version.value ?? []).toString('utf8')).toBe(expectedValue);
    }
    expect(versions.filter((version) => version.dotActor === 'us-east/n2').map((version) => version.key).sort()).toEqual([...siblings].sort());
  }, 60_000);
});
