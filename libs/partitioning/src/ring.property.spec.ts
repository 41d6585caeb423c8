import fc from 'fast-check';
import { Ring } from './ring';

const KEY_COUNT = 100_000;

/**
 * The 100k-key bounds below are statistical, not invariants: with 256 vnodes a node's share has a
 * relative standard deviation of ~1/16, and 100k keys add ~1% of sampling noise. Measured over
 * thousands of random node sets, "max/mean ≤ 1.25" and "a join moves ≤ 1.2 × 1/11" each fail for
 * roughly one set in a few hundred to a few thousand. A pinned seed keeps CI deterministic while
 * fast-check still varies node names and keys; remove `seed` locally to explore other cases.
 */
const STATISTICAL = { numRuns: 3, seed: 20_240_601 } as const;

/** Deterministic, seed-driven keys: cheaper than 100k fast-check values, and just as uniform after MD5. */
function keys(seed: number, count = KEY_COUNT): string[] {
  return Array.from({ length: count }, (_, i) => `key:${seed}:${i}`);
}

const nodeIds = (count: number) =>
  fc.uniqueArray(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), {
    minLength: count,
    maxLength: count,
  });

const ringOf = (ids: readonly string[], vnodesPerNode?: number) =>
  new Ring(ids.map((id) => ({ id })), { vnodesPerNode });

describe('Ring properties', () => {
  it('balances 100k keys over 10 nodes within 1.25 × the mean load', () => {
    fc.assert(
      fc.property(nodeIds(10), fc.nat(), (ids, seed) => {
        const ring = ringOf(ids);
        const load = new Map<string, number>();
        for (const key of keys(seed)) {
          const owner = ring.ownerOf(key);
          load.set(owner, (load.get(owner) ?? 0) + 1);
        }
        expect(Math.max(...load.values()) / (KEY_COUNT / 10)).toBeLessThanOrEqual(1.25);
      }),
      STATISTICAL,
    );
  });

  it('on a join, moves at most 1.2 × 1/11 of the keys, all of them to the new node', () => {
    fc.assert(
      fc.property(nodeIds(11), fc.nat(), (ids, seed) => {
        const before = ringOf(ids.slice(0, 10));
        const after = ringOf(ids);
        const joiner = ids[10];
        // Tally instead of asserting per key: 100k expect() calls would dominate the run time.
        const movedTo = new Map<string, number>();
        for (const key of keys(seed)) {
          const owner = after.ownerOf(key);
          if (owner !== before.ownerOf(key)) movedTo.set(owner, (movedTo.get(owner) ?? 0) + 1);
        }
        expect([...movedTo.keys()]).toEqual([joiner]);
        expect(movedTo.get(joiner)).toBeLessThanOrEqual((1.2 * KEY_COUNT) / 11);
      }),
      STATISTICAL,
    );
  });

  it('on a leave, moves exactly the keys of the node that left', () => {
    fc.assert(
      fc.property(nodeIds(10), fc.nat(9), fc.nat(), (ids, leaverIndex, seed) => {
        const before = ringOf(ids);
        const leaver = ids[leaverIndex];
        const after = ringOf(ids.filter((id) => id !== leaver));
        let movedFromOthers = 0;
        let leaverKeys = 0;
        for (const key of keys(seed)) {
          const owner = before.ownerOf(key);
          if (owner === leaver) leaverKeys++;
          else if (after.ownerOf(key) !== owner) movedFromOthers++;
        }
        expect(leaverKeys).toBeGreaterThan(0);
        expect(movedFromOthers).toBe(0);
      }),
      STATISTICAL,
    );
  });

  it('builds the same ring whatever the order of its members', () => {
    fc.assert(
      fc.property(
        nodeIds(8).chain((ids) => fc.tuple(fc.constant(ids), fc.shuffledSubarray(ids, { minLength: 8, maxLength: 8 }))),
        fc.nat(),
        ([ids, shuffled], seed) => {
          const a = ringOf(ids);
          const b = ringOf(shuffled);
          expect(b.members()).toEqual(a.members());
          expect(b.ownership()).toEqual(a.ownership());
          const disagreements = keys(seed, 5_000).filter((key) => a.ownerOf(key) !== b.ownerOf(key));
          expect(disagreements).toEqual([]);
        },
      ),
      { numRuns: 10 },
    );
  });

  it('returns preference lists of min(n, size) distinct nodes, led by the owner', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }).chain(nodeIds),
        fc.integer({ min: 1, max: 16 }),
        fc.nat(10),
        fc.string({ unit: 'binary' }),
        (ids, vnodesPerNode, n, key) => {
          const ring = ringOf(ids, vnodesPerNode);
          const list = ring.preferenceList(key, n);
          expect(list).toHaveLength(Math.min(n, ids.length));
          expect(new Set(list).size).toBe(list.length);
          if (n > 0) expect(list[0]).toBe(ring.ownerOf(key));
          for (const node of list) expect(ids).toContain(node);
        },
      ),
      { numRuns: 150 },
    );
  });
});
