/**
 * The WGL memo: the search configurations already explored (and so known to lead nowhere). The caller
 * encodes a configuration's exact part (register state and placed determinate operations) as a short
 * canonical sequence of integers with a 64-bit hash of it (two 32-bit words), plus the set of
 * indeterminate operations it has used as a bitset. A stored configuration covers a new one when the
 * exact parts are equal and it used a subset of those indeterminate operations: it had every option the
 * new one has, and more. Lookups compare the full sequence after the hash matches, so a hash collision
 * can never make two different configurations look alike.
 *
 * Built from typed arrays (open addressing, linear probing) rather than a Map of objects: a hard search
 * stores millions of configurations, and this keeps each at a few dozen bytes with no GC pressure.
 */

/** Outcome of `StateCache.add`. */
export const CacheOutcome = {
  /** No stored configuration covered the new one, which is now stored. */
  Added: 0,
  /** A stored configuration covers the new one. */
  Covered: 1,
  /** Nothing covered the new one, but the cache is at its limits; nothing was stored. */
  Full: 2,
} as const;
export type CacheOutcome = (typeof CacheOutcome)[keyof typeof CacheOutcome];

export interface StateCacheLimits {
  /** Most configurations stored. */
  readonly maxEntries: number;
  /** Most sequence words stored over all configurations. */
  readonly maxWords: number;
}

const INITIAL_SLOTS = 1 << 10;

export class StateCache {
  /** Number of configurations stored. */
  size = 0;
  private slots: Int32Array = new Int32Array(INITIAL_SLOTS); // entry index + 1; 0 = empty
  private mask = INITIAL_SLOTS - 1;
  private hashA: Int32Array = new Int32Array(INITIAL_SLOTS >> 1);
  private hashB: Int32Array = new Int32Array(INITIAL_SLOTS >> 1);
  private start: Int32Array = new Int32Array(INITIAL_SLOTS >> 1);
  private length: Int32Array = new Int32Array(INITIAL_SLOTS >> 1);
  private words: Int32Array = new Int32Array(INITIAL_SLOTS * 4);
  private wordCount = 0;
  /** Entry e's used-set occupies usedSets[e * usedWidth, (e + 1) * usedWidth). */
  private usedSets: Int32Array;

  /** `usedWidth`: words in every used-set bitset (0 when the history has no indeterminate operations). */
  constructor(
    private readonly limits: StateCacheLimits,
    private readonly usedWidth: number,
  ) {
    this.usedSets = new Int32Array((INITIAL_SLOTS >> 1) * usedWidth);
  }

  /**
   * Stores configuration (`key[0 .. keyLength)`, `used`) with hash (hashA, hashB) of the key unless a
   * stored one covers it. Guarantees: returns Covered iff some configuration added before has an equal
   * key sequence (equal hashes alone never suffice) and a used set ⊆ `used`; otherwise Added iff it is
   * now stored, or Full iff storing it would exceed the limits. Equal keys must come with equal hashes.
   */
  add(hashA: number, hashB: number, key: Int32Array, keyLength: number, used: Int32Array): CacheOutcome {
    let slot = hashA & this.mask;
    for (let stored = this.slots[slot]; stored !== 0; stored = this.slots[slot]) {
      const entry = stored - 1;
      if (this.hashA[entry] === hashA && this.hashB[entry] === hashB && this.sameKey(entry, key, keyLength) && this.usedSubset(entry, used)) {
        return CacheOutcome.Covered;
      }
      slot = (slot + 1) & this.mask;
    }
    if (this.size >= this.limits.maxEntries || this.wordCount + keyLength > this.limits.maxWords) return CacheOutcome.Full;
    const entry = this.size++;
    if (entry === this.hashA.length) this.growEntries();
    if (this.wordCount + keyLength > this.words.length) this.growWords(this.wordCount + keyLength);
    this.hashA[entry] = hashA;
    this.hashB[entry] = hashB;
    this.start[entry] = this.wordCount;
    this.length[entry] = keyLength;
    this.words.set(key.subarray(0, keyLength), this.wordCount);
    this.wordCount += keyLength;
    this.usedSets.set(used.subarray(0, this.usedWidth), entry * this.usedWidth);
    this.slots[slot] = entry + 1;
    // Keep the load factor ≤ 1/2 so probe chains stay short.
    if (2 * this.size > this.mask) this.growSlots();
    return CacheOutcome.Added;
  }

  private sameKey(entry: number, key: Int32Array, keyLength: number): boolean {
    if (this.length[entry] !== keyLength) return false;
    const base = this.start[entry];
    for (let i = 0; i < keyLength; i++) if (this.words[base + i] !== key[i]) return false;
    return true;
  }

  private usedSubset(entry: number, used: Int32Array): boolean {
    const base = entry * this.usedWidth;
    for (let i = 0; i < this.usedWidth; i++) if ((this.usedSets[base + i] & ~used[i]) !== 0) return false;
    return true;
  }

  private growEntries(): void {
    const grow = (old: Int32Array): Int32Array => {
      const next = new Int32Array(old.length * 2);
      next.set(old);
      return next;
    };
    this.hashA = grow(this.hashA);
    this.hashB = grow(this.hashB);
    this.start = grow(this.start);
    this.length = grow(this.length);
    this.usedSets = grow(this.usedSets);
  }

  private growWords(needed: number): void {
    let size = this.words.length * 2;
    while (size < needed) size *= 2;
    const next = new Int32Array(Math.min(size, Math.max(needed, this.limits.maxWords)));
    next.set(this.words.subarray(0, this.wordCount));
    this.words = next;
  }

  private growSlots(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.size; entry++) {
      let slot = this.hashA[entry] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
