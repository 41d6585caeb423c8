import fc from 'fast-check';
import { DIGEST_BYTES, MerkleTree, xorInto } from '@geokv/partitioning';
import { ANTI_ENTROPY_BUCKETS, type RegionDigestsRequest, type VersionIdCursor } from '@geokv/protocol';
import { mergeDigestSteps, scanInSteps } from './stepped-tree';

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

describe('scanInSteps', () => {
  it('builds the same tree and key count as one pass over every node, however the nodes split their scans', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(versionArb, { maxLength: 12 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 5 }), async (nodes, perStep) => {
        const requests: RegionDigestsRequest[] = [];
        const region = await scanInSteps(async (request) => {
          requests.push(request);
          const steps =
            request.remaining === undefined
              ? nodes.map((versions, i) => ({ node: `n${i}`, ...nodeStep(versions, perStep) }))
              : Object.entries(request.remaining).map(([node, after]) => ({ node, ...nodeStep(nodes[Number(node.slice(1))], perStep, after) }));
          return mergeDigestSteps(steps);
        });
        expect(region.tree.toHex()).toEqual(wholeTree(nodes).toHex());
        expect(region.keys).toBe(nodes.flat().length);
        // As many steps as the longest node's scan needs, the first without cursors.
        expect(requests).toHaveLength(Math.max(1, ...nodes.map((versions) => Math.ceil(versions.length / perStep))));
        expect(requests[0]).toEqual({});
      }),
    );
  });

  it("takes a node of an earlier release, which answers for its whole shard without saying where to go on, as done", () => {
    const { next: _next, ...whole } = nodeStep([], 1);
    expect(mergeDigestSteps([{ node: 'n1', ...(whole as typeof whole & { next: null }) }]).remaining).toEqual({});
  });

  it('gives up on a scan that never ends', async () => {
    const endless = mergeDigestSteps([{ node: 'n1', ...nodeStep([], 1), next: cursorAt(0) }]);
    await expect(scanInSteps(async () => endless, 5)).rejects.toThrow('the digest scan did not end after 5 steps');
  });

  it('refuses a step over another number of buckets', async () => {
    await expect(scanInSteps(async () => ({ leaves: ['00'], keys: 0, remaining: {} }))).rejects.toThrow('a digest step has 1 buckets, not 1024');
  });
});
