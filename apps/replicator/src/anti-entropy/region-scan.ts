import { DIGEST_BYTES, MerkleTree, xorInto } from '@geokv/partitioning';
import {
  ANTI_ENTROPY_BUCKETS,
  type BucketDigestsResult,
  type BucketVersionsResult,
  type NodesRemaining,
  type RegionDigestsStep,
  type ReplicatedVersion,
  type ConflictResolution,
  type VersionIdCursor,
} from '@geokv/protocol';

/**
 * Anti-entropy reads a region in steps: each step asks every node still scanning for its next slice of
 * versions, and names, for each node that has more, where it goes on. A step stays the same size however
 * large the shards grow, and so keeps within its deadline; a peer region's scan is driven the same way, one
 * message per step.
 */

/** A region's Merkle tree over its buckets, and how many keys went into it. */
export interface RegionTree {
  readonly tree: MerkleTree;
  readonly keys: number;
}

/**
 * Most steps one scan takes: a node that never reported an end (a bug) must not keep a run going forever.
 * At 100,000 versions a step, far beyond any shard.
 */
export const MAX_SCAN_STEPS = 100_000;

/**
 * Drives `step` from the first (`remaining` absent) until no node is left scanning, handing each step's
 * answer to `take`.
 */
export async function driveSteps<S extends { readonly remaining?: NodesRemaining }>(
  step: (remaining: NodesRemaining | undefined) => Promise<S>,
  take: (result: S) => void,
  maxSteps = MAX_SCAN_STEPS,
): Promise<void> {
  let remaining: NodesRemaining | undefined;
  for (let steps = 1; ; steps++) {
    const result = await step(remaining);
    take(result);
    // A region of an earlier release answers in one step, without `remaining`.
    if (result.remaining === undefined || Object.keys(result.remaining).length === 0) return;
    if (steps >= maxSteps) throw new Error(`the scan did not end after ${steps} steps`);
    remaining = result.remaining;
  }
}

/** Builds a region's tree from its digest scan: a bucket's digest is the XOR of its versions', however the steps split them. */
export async function scanTreeInSteps(step: (remaining: NodesRemaining | undefined) => Promise<RegionDigestsStep>, maxSteps?: number): Promise<RegionTree> {
  const leaves = emptyLeaves();
  let keys = 0;
  await driveSteps(
    step,
    (result) => {
      xorHexInto(leaves, result.leaves);
      keys += result.keys;
    },
    maxSteps,
  );
  return { tree: MerkleTree.fromLeaves(leaves), keys };
}

/** Every version a region's steps found, with the strategies of their keyspaces. */
export async function collectVersionsInSteps(step: (remaining: NodesRemaining | undefined) => Promise<BucketVersionsResult & { readonly remaining?: NodesRemaining }>): Promise<BucketVersionsResult> {
  const versions: ReplicatedVersion[] = [];
  const strategies: Record<string, ConflictResolution> = {};
  await driveSteps(step, (result) => {
    versions.push(...result.versions);
    Object.assign(strategies, result.strategies);
  });
  return { versions, strategies };
}

/** One step of each node, as one step of the region: digests XORed, keys summed, the unfinished nodes kept. */
export function mergeDigestSteps(results: readonly (BucketDigestsResult & { readonly node: string })[]): RegionDigestsStep {
  const leaves = emptyLeaves();
  let keys = 0;
  for (const result of results) {
    xorHexInto(leaves, result.digests);
    keys += result.keys;
  }
  return { leaves: leaves.map((leaf) => leaf.toString('hex')), keys, remaining: remainingOf(results) };
}

/** The nodes of a step that have more to scan. */
export function remainingOf(results: readonly { readonly node: string; readonly next?: VersionIdCursor | null }[]): NodesRemaining {
  const remaining: Record<string, VersionIdCursor> = {};
  for (const result of results) {
    // A node of an earlier release answers for its whole shard at once, without `next`.
    if (result.next !== null && result.next !== undefined) remaining[result.node] = result.next;
  }
  return remaining;
}

function emptyLeaves(): Buffer[] {
  return Array.from({ length: ANTI_ENTROPY_BUCKETS }, () => Buffer.alloc(DIGEST_BYTES));
}

function xorHexInto(leaves: Buffer[], digests: readonly string[]): void {
  if (digests.length !== leaves.length) throw new Error(`a digest step has ${digests.length} buckets, not ${leaves.length}`);
  digests.forEach((hex, bucket) => xorInto(leaves[bucket], Buffer.from(hex, 'hex')));
}
