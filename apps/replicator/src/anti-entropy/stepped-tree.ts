import { DIGEST_BYTES, MerkleTree, xorInto } from '@geokv/partitioning';
import { ANTI_ENTROPY_BUCKETS, type BucketDigestsResult, type RegionDigestsRequest, type RegionDigestsStep, type VersionIdCursor } from '@geokv/protocol';

/** A region's Merkle tree over its buckets, and how many keys went into it. */
export interface RegionTree {
  readonly tree: MerkleTree;
  readonly keys: number;
}

/**
 * Most steps one scan takes: a node that never reported an end (a bug) must not keep a run going forever.
 * At 100,000 versions a step, far beyond any shard.
 */
export const MAX_DIGEST_STEPS = 100_000;

/**
 * Builds a region's tree from its digest scan, driving `step` until no node is left scanning: each step's
 * leaves XORed into the tree's, since a bucket's digest is the XOR of its versions' digests, however the
 * versions were split between steps.
 */
export async function scanInSteps(
  step: (request: RegionDigestsRequest) => Promise<RegionDigestsStep>,
  maxSteps = MAX_DIGEST_STEPS,
): Promise<RegionTree> {
  const leaves = emptyLeaves();
  let keys = 0;
  let request: RegionDigestsRequest = {};
  for (let steps = 1; ; steps++) {
    const result = await step(request);
    xorHexInto(leaves, result.leaves);
    keys += result.keys;
    if (Object.keys(result.remaining).length === 0) return { tree: MerkleTree.fromLeaves(leaves), keys };
    if (steps >= maxSteps) throw new Error(`the digest scan did not end after ${steps} steps`);
    request = { remaining: result.remaining };
  }
}

/** One step of each node, as one step of the region: digests XORed, keys summed, the unfinished nodes kept. */
export function mergeDigestSteps(results: readonly (BucketDigestsResult & { readonly node: string })[]): RegionDigestsStep {
  const leaves = emptyLeaves();
  let keys = 0;
  const remaining: Record<string, VersionIdCursor> = {};
  for (const result of results) {
    xorHexInto(leaves, result.digests);
    keys += result.keys;
    // A node of an earlier release answers for its whole shard at once, without `next`.
    if (result.next !== null && result.next !== undefined) remaining[result.node] = result.next;
  }
  return { leaves: leaves.map((leaf) => leaf.toString('hex')), keys, remaining };
}

function emptyLeaves(): Buffer[] {
  return Array.from({ length: ANTI_ENTROPY_BUCKETS }, () => Buffer.alloc(DIGEST_BYTES));
}

function xorHexInto(leaves: Buffer[], digests: readonly string[]): void {
  if (digests.length !== leaves.length) throw new Error(`a digest step has ${digests.length} buckets, not ${leaves.length}`);
  digests.forEach((hex, bucket) => xorInto(leaves[bucket], Buffer.from(hex, 'hex')));
}
