import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { bucketOf, DIGEST_BYTES, hashToPosition, xorInto } from '@geokv/partitioning';
import { ANTI_ENTROPY_BUCKETS, compareKeys, placementKey } from '@geokv/protocol';
import { encodeContext } from '@geokv/vector-clock';
import { BucketDigests, versionDigest, type VersionId } from './bucket-digests';

/** The digests as the node computed them before BucketDigests: every version hashed on its own, keys in a set. */
function referenceDigests(rows: readonly VersionId[], speaksFor: (position: number) => boolean): { digests: string[]; keys: number } {
  const digests = Array.from({ length: ANTI_ENTROPY_BUCKETS }, () => Buffer.alloc(DIGEST_BYTES));
  const keys = new Set<string>();
  for (const row of rows) {
    const placement = placementKey(row.keyspace, row.key);
    const position = hashToPosition(placement);
    if (!speaksFor(position)) continue;
    keys.add(placement);
    const digest = createHash('md5')
      .update(`${row.keyspace}\0${row.key}\0${row.dot_actor}\0${row.dot_counter}\0${encodeContext(row.context)}`)
      .digest();
    xorInto(digests[bucketOf(position, ANTI_ENTROPY_BUCKETS)], digest);
  }
  return { digests: digests.map((digest) => digest.toString('hex')), keys: keys.size };
}

const actorArb = fc.constantFrom('us-east/n1', 'us-east/n2', 'eu-west/n1', 'ap-south/n3');
const rowArb: fc.Arbitrary<VersionId> = fc.record({
  keyspace: fc.constantFrom('default', 'carts', 'a:b'),
  // Few keys, so that most have several versions.
  key: fc.string({ unit: fc.constantFrom('a', 'b', ':', 'é'), minLength: 1, maxLength: 3 }),
  dot_actor: actorArb,
  dot_counter: fc.integer({ min: 1, max: 1_000 }).map(String),
  context: fc.dictionary(actorArb, fc.integer({ min: 1, max: 1_000 })),
});

/** Primary-key order, as the scan returns the rows: a key's versions next to each other. */
function inScanOrder(rows: readonly VersionId[]): VersionId[] {
  return [...rows].sort(
    (a, b) =>
      compareKeys(a.keyspace, b.keyspace) ||
      compareKeys(a.key, b.key) ||
      compareKeys(a.dot_actor, b.dot_actor) ||
      Number(a.dot_counter) - Number(b.dot_counter),
  );
}

describe('BucketDigests', () => {
  it('equals hashing every version and counting keys in a set, for any rows in scan order and any share of keys spoken for', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 60 }), fc.integer({ min: 1, max: 4 }), (rows, share) => {
        const speaksFor = (position: number): boolean => position % share === 0;
        const digests = new BucketDigests(speaksFor);
        const ordered = inScanOrder(rows);
        for (const row of ordered) digests.add(row);
        expect(digests.result()).toEqual(referenceDigests(ordered, speaksFor));
      }),
    );
  });

  it('splits into steps that add up to one pass: digests XOR together, and a key two steps share counts once', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 60 }), fc.nat(), (rows, cut) => {
        const speaksFor = (position: number): boolean => position % 2 === 0;
        const ordered = inScanOrder(rows);
        const split = 1 + (cut % ordered.length);
        const first = new BucketDigests(speaksFor);
        for (const row of ordered.slice(0, split)) first.add(row);
        const second = new BucketDigests(speaksFor, ordered[split - 1]);
        for (const row of ordered.slice(split)) second.add(row);
        const whole = referenceDigests(ordered, speaksFor);
        const [a, b] = [first.result(), second.result()];
        const combined = a.digests.map((hex, bucket) => {
          const digest = Buffer.from(hex, 'hex');
          xorInto(digest, Buffer.from(b.digests[bucket], 'hex'));
          return digest.toString('hex');
        });
        expect({ digests: combined, keys: a.keys + b.keys }).toEqual(whole);
      }),
    );
  });

  it('counts a key once however many versions it has, and the same key in two keyspaces twice', () => {
    const rows = inScanOrder([
      { keyspace: 'default', key: 'k', dot_actor: 'us-east/n1', dot_counter: '1', context: { 'us-east/n1': 1 } },
      { keyspace: 'default', key: 'k', dot_actor: 'us-east/n2', dot_counter: '1', context: { 'us-east/n2': 1 } },
      { keyspace: 'carts', key: 'k', dot_actor: 'us-east/n1', dot_counter: '2', context: { 'us-east/n1': 2 } },
    ]);
    const digests = new BucketDigests(() => true);
    for (const row of rows) digests.add(row);
    expect(digests.result().keys).toBe(2);
  });

  it('digests a version as every region always has, so that regions on different releases still agree', () => {
    // Pinned: a change here makes every bucket differ between regions until all run the same code.
    const row: VersionId = { keyspace: 'default', key: 'k1', dot_actor: 'us-east/n1', dot_counter: '7', context: { 'us-east/n1': 7, 'eu-west/n2': 3 } };
    expect(versionDigest(row).toString('hex')).toBe('ef333186e137bcc41ff21cea05a6cbea');
  });
});
