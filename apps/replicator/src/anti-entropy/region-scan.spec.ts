import fc from 'fast-check';
import { DIGEST_BYTES, MerkleTree, xorInto } from '@geokv/partitioning';
import { ANTI_ENTROPY_BUCKETS, type NodesRemaining, type RegionBucketVersionsStep, type ReplicatedVersion, type VersionIdCursor } from '@geokv/protocol';
import { collectVersionsInSteps, driveSteps, mergeDigestSteps, remainingOf, scanTreeInSteps } from './region-scan';

/** A node's versions as (bucket, digest) pairs, in scan order. */
type NodeVersions = readonly { readonly bucket: number; readonly digest: Buffer }[];

const versionArb = fc.record({
  bucket: fc.integer({ min: 0, max: ANTI_ENTROPY_BUCKETS - 1 }),
  digest: fc.uint8Array({ minLength: DIGEST_BYTES, maxLength: DIGEST_BYTES }).map((bytes) => Buffer.from(bytes)),
});

const cursorAt = (index: number): VersionIdCursor => ({ keyspace: 'default', key: `k${index}`, dotActor: 'us-east/n1', dotCounter: '1' });
const indexOf = (cursor: VersionIdCursor): number => Number(cursor.key.slice(1));

/** A node's side of a step, as the storage node answers it: up to `perStep` versions after the cursor. */
function nodeStep(versions: NodeVersions, perStep: number, after?: VersionIdCursor) {
  const from = after === undefined ? 0 : indexOf(after) + 1;
  const digests = Array.from({ length: ANTI_ENTROPY_BUCKETS }, () => Buffer.alloc(DIGEST_BYTES));
  const slice = versions.slice(from, from + perStep);
  for (const version of slice) xorInto(digests[version.bucket], version.digest);
  const end = from + slice.length;
  return { digests: digests.map((digest) => digest.toString('hex')), keys: slice.length, next: end < versions.length ? cursorAt(end - 1) : null };
}

function wholeTree(nodes: readonly NodeVersions[]): MerkleTree {
  const leaves = Array.from({ length: ANTI_ENTROPY_BUCKETS }, () => Buffer.alloc(DIGEST_BYTES));
  for (const version of nodes.flat()) xorInto(leaves[version.bucket], version.digest);
  return MerkleTree.fromLeaves(leaves);
}

const version = (key: string): ReplicatedVersion => ({ keyspace: 'default', key }) as ReplicatedVersion;

describe('a region scanned in steps', () => {
  it('builds the same tree and key count as one pass over every node, however the nodes split their scans', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(versionArb, { maxLength: 12 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 5 }), async (nodes, perStep) => {
        const asked: (NodesRemaining | undefined)[] = [];
        const region = await scanTreeInSteps(async (remaining) => {
          asked.push(remaining);
          const steps =
            remaining === undefined
              ? nodes.map((versions, i) => ({ node: `n${i}`, ...nodeStep(versions, perStep) }))
              : Object.entries(remaining).map(([node, after]) => ({ node, ...nodeStep(nodes[Number(node.slice(1))], perStep, after) }));
          return mergeDigestSteps(steps);
        });
        expect(region.tree.toHex()).toEqual(wholeTree(nodes).toHex());
        expect(region.keys).toBe(nodes.flat().length);
        // As many steps as the longest node's scan needs, the first from every node's start.
        expect(asked).toHaveLength(Math.max(1, ...nodes.map((versions) => Math.ceil(versions.length / perStep))));
        expect(asked[0]).toBeUndefined();
      }),
    );
  });

  it("collects every step's versions, and their keyspaces' strategies, until no node has more", async () => {
    const steps: RegionBucketVersionsStep[] = [
      { versions: [version('a'), version('b')], strategies: { default: 'lww' }, remaining: { n1: cursorAt(1), n2: cursorAt(7) } },
      { versions: [version('c')], strategies: { carts: 'siblings' }, remaining: { n2: cursorAt(9) } },
      { versions: [], strategies: {}, remaining: {} },
    ];
    const asked: (NodesRemaining | undefined)[] = [];
    const result = await collectVersionsInSteps(async (remaining) => {
      asked.push(remaining);
      return steps[asked.length - 1];
    });
    expect(result.versions.map((v) => v.key)).toEqual(['a', 'b', 'c']);
    expect(result.strategies).toEqual({ default: 'lww', carts: 'siblings' });
    expect(asked).toEqual([undefined, { n1: cursorAt(1), n2: cursorAt(7) }, { n2: cursorAt(9) }]);
  });

  it('takes an answer of an earlier release, without `next` or `remaining`, as the whole scan', async () => {
    expect(remainingOf([{ node: 'n1' }, { node: 'n2', next: null }, { node: 'n3', next: cursorAt(3) }])).toEqual({ n3: cursorAt(3) });
    let steps = 0;
    const result = await collectVersionsInSteps(async () => {
      steps += 1;
      return { versions: [version('a')], strategies: {} };
    });
    expect([steps, result.versions.length]).toEqual([1, 1]);
  });

  it('gives up on a scan that never ends', async () => {
    await expect(driveSteps(async () => ({ remaining: { n1: cursorAt(0) } }), () => undefined, 5)).rejects.toThrow('the scan did not end after 5 steps');
  });

  it('refuses a step over another number of buckets', async () => {
    await expect(scanTreeInSteps(async () => ({ leaves: ['00'], keys: 0, remaining: {} }))).rejects.toThrow('a digest step has 1 buckets, not 1024');
  });
});
