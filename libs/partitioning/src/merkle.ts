import { createHash } from 'node:crypto';
import { RING_SIZE } from './hash';

/** Bytes in a digest (MD5). */
export const DIGEST_BYTES = 16;

/**
 * The hash space cut into `bucketCount` equal ranges (a power of two). Ranges follow ring positions, not
 * nodes, so every region cuts the key space the same way whatever its ring looks like.
 */
export function bucketOf(position: number, bucketCount: number): number {
  return Math.floor((position / RING_SIZE) * bucketCount);
}

/** XORs `digest` into `into`: an order-independent sum, so per-node leaf digests combine into a region's. */
export function xorInto(into: Buffer, digest: Buffer): void {
  for (let i = 0; i < DIGEST_BYTES; i++) into[i] ^= digest[i];
}

/**
 * A Merkle tree over the buckets' digests. Level 0 is the root; the last level holds the leaves. Two
 * regions whose subtrees have equal digests hold the same versions in every bucket below, so comparing
 * two trees from the root down finds the differing buckets while looking at only their ancestors.
 */
export class MerkleTree {
  private constructor(readonly levels: readonly (readonly Buffer[])[]) {}

  /** `leaves.length` must be a power of two. */
  static fromLeaves(leaves: readonly Buffer[]): MerkleTree {
    if (leaves.length === 0 || (leaves.length & (leaves.length - 1)) !== 0) {
      throw new Error(`a Merkle tree needs a power-of-two number of leaves, got ${leaves.length}`);
    }
    const levels: Buffer[][] = [[...leaves]];
    while (levels[0].length > 1) {
      const below = levels[0];
      const above: Buffer[] = [];
      for (let i = 0; i < below.length; i += 2) above.push(createHash('md5').update(below[i]).update(below[i + 1]).digest());
      levels.unshift(above);
    }
    return new MerkleTree(levels);
  }

  /** As hex strings, level by level: what travels between regions. */
  static fromHex(levels: readonly (readonly string[])[]): MerkleTree {
    return new MerkleTree(levels.map((level) => level.map((hex) => Buffer.from(hex, 'hex'))));
  }

  toHex(): string[][] {
    return this.levels.map((level) => level.map((digest) => digest.toString('hex')));
  }

  get root(): Buffer {
    return this.levels[0][0];
  }

  get leafCount(): number {
    return this.levels[this.levels.length - 1].length;
  }

  /** The leaves (bucket numbers) whose digests differ, found by descending only into differing subtrees. */
  differingLeaves(other: MerkleTree): number[] {
    if (other.levels.length !== this.levels.length) throw new Error('the trees have different numbers of leaves');
    let frontier = [0];
    for (let depth = 0; depth < this.levels.length; depth++) {
      const differing = frontier.filter((index) => !this.levels[depth][index].equals(other.levels[depth][index]));
      if (depth === this.levels.length - 1) return differing;
      frontier = differing.flatMap((index) => [2 * index, 2 * index + 1]);
    }
    return [];
  }
}
