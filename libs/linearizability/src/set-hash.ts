/**
 * Zobrist hashing of a set of operations: each operation gets two fixed random 32-bit words, and a set's
 * hash is the XOR of its members' words, so adding or removing a member updates it in O(1). The 64 bits
 * only pick a cache bucket; the cache compares the exact set on a match, so a collision costs time and
 * never changes a verdict.
 */
export class SetHash {
  /** The current set's hash, low and high words. */
  a = 0;
  b = 0;
  private readonly wordsA: Int32Array;
  private readonly wordsB: Int32Array;

  /** Guarantees: the same `size` always yields the same words (fixed seed), so runs are reproducible. */
  constructor(size: number) {
    this.wordsA = new Int32Array(size);
    this.wordsB = new Int32Array(size);
    let seed = 0x2545f491;
    for (let i = 0; i < size; i++) {
      seed = (seed + 0x9e3779b9) | 0;
      this.wordsA[i] = splitmix32(seed);
      seed = (seed + 0x9e3779b9) | 0;
      this.wordsB[i] = splitmix32(seed);
    }
  }

  /** Adds `member` if absent or removes it if present (XOR): the caller tracks which. */
  toggle(member: number): void {
    this.a ^= this.wordsA[member];
    this.b ^= this.wordsB[member];
  }

  /** Low word of the hash the set would have with `member` toggled, without changing it. */
  toggledA(member: number): number {
    return this.a ^ this.wordsA[member];
  }

  /** High word of the hash the set would have with `member` toggled, without changing it. */
  toggledB(member: number): number {
    return this.b ^ this.wordsB[member];
  }
}

/** A 32-bit finaliser (the splitmix32 / murmur3 mixer): spreads every input bit over the output. */
export function splitmix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) | 0;
}
