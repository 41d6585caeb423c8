import fc from 'fast-check';
import { CacheOutcome, StateCache } from './state-cache';

const LIMITS = { maxEntries: 1 << 20, maxWords: 1 << 22 };
const seq = (...words: number[]) => Int32Array.from(words);
const usedSet = (...words: number[]) => Int32Array.from(words);

describe('StateCache', () => {
  it('reports a sequence added before as covered, and a new one as added', () => {
    const cache = new StateCache(LIMITS, 0);
    expect(cache.add(1, 2, seq(5, 6, 7), 3, usedSet())).toBe(CacheOutcome.Added);
    expect(cache.add(1, 2, seq(5, 6, 7), 3, usedSet())).toBe(CacheOutcome.Covered);
    expect(cache.size).toBe(1);
  });

  it('never confuses different sequences that share a hash', () => {
    const cache = new StateCache(LIMITS, 0);
    expect(cache.add(42, 42, seq(1, 2), 2, usedSet())).toBe(CacheOutcome.Added);
    expect(cache.add(42, 42, seq(1, 3), 2, usedSet())).toBe(CacheOutcome.Added);
    expect(cache.add(42, 42, seq(1, 2, 0), 3, usedSet())).toBe(CacheOutcome.Added);
    expect(cache.add(42, 42, seq(1, 3), 2, usedSet())).toBe(CacheOutcome.Covered);
  });

  it('uses only the first keyLength words of the key buffer', () => {
    const cache = new StateCache(LIMITS, 0);
    cache.add(7, 7, seq(1, 2, 99), 2, usedSet());
    expect(cache.add(7, 7, seq(1, 2, 100), 2, usedSet())).toBe(CacheOutcome.Covered);
  });

  it('covers a configuration when a stored one used a subset of its indeterminate operations', () => {
    const cache = new StateCache(LIMITS, 2);
    expect(cache.add(3, 4, seq(9), 1, usedSet(0b0101, 1))).toBe(CacheOutcome.Added);
    expect(cache.add(3, 4, seq(9), 1, usedSet(0b0111, 1))).toBe(CacheOutcome.Covered); // a superset used
    expect(cache.add(3, 4, seq(9), 1, usedSet(0b0100, 1))).toBe(CacheOutcome.Added); // fewer used: more options
    expect(cache.add(3, 4, seq(9), 1, usedSet(0b0101, 0))).toBe(CacheOutcome.Added); // incomparable
  });

  it('refuses to grow past its limits', () => {
    const cache = new StateCache({ maxEntries: 2, maxWords: 100 }, 0);
    cache.add(1, 1, seq(1), 1, usedSet());
    cache.add(2, 2, seq(2), 1, usedSet());
    expect(cache.add(3, 3, seq(3), 1, usedSet())).toBe(CacheOutcome.Full);
    expect(cache.add(1, 1, seq(1), 1, usedSet())).toBe(CacheOutcome.Covered);
    const small = new StateCache({ maxEntries: 100, maxWords: 3 }, 0);
    expect(small.add(1, 1, seq(1, 2, 3, 4), 4, usedSet())).toBe(CacheOutcome.Full);
  });

  it('behaves like a reference set of (key, used) under many inserts and weak hashes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }), fc.integer({ min: 0, max: 3 })), { maxLength: 3000 }),
        (items) => {
          const cache = new StateCache(LIMITS, 1);
          const stored: { key: string; used: number }[] = [];
          for (const [words, used] of items) {
            const key = words.join(',');
            // A weak hash forces long probe chains and collisions.
            const hash = words.length;
            const covered = stored.some((s) => s.key === key && (s.used & ~used) === 0);
            const outcome = cache.add(hash, 0, Int32Array.from(words), words.length, usedSet(used));
            expect(outcome).toBe(covered ? CacheOutcome.Covered : CacheOutcome.Added);
            if (!covered) stored.push({ key, used });
          }
          expect(cache.size).toBe(stored.length);
        },
      ),
      { numRuns: 30 },
    );
  });
});
