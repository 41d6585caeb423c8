import fc from 'fast-check';
import { compareKeys } from '@geokv/protocol';
import { livePage, planListingPage, type NodeListing } from './listing-page';

/** Every key on the three nodes a, b, c; its read replicas are given per key. */
const everyNode = (): readonly string[] => ['a', 'b', 'c'];

describe('planListingPage', () => {
  it('lists a key every read replica holds live, once, in byte order', () => {
    const listings: NodeListing[] = [
      { node: 'a', keys: ['k1', 'k2'] },
      { node: 'b', keys: ['k1', 'k2'] },
      { node: 'c', keys: ['k1', 'k2'] },
    ];
    expect(planListingPage(listings, 10, everyNode)).toEqual({
      candidates: [
        { key: 'k1', agreed: true },
        { key: 'k2', agreed: true },
      ],
      cut: null,
    });
  });

  it('marks for a read a key that a replica no longer lists (a delete that has not reached it all)', () => {
    const listings: NodeListing[] = [
      { node: 'a', keys: ['deleted', 'kept'] },
      { node: 'b', keys: ['kept'] },
      { node: 'c', keys: ['kept'] },
    ];
    expect(planListingPage(listings, 10, everyNode).candidates).toEqual([
      { key: 'deleted', agreed: false },
      { key: 'kept', agreed: true },
    ]);
  });

  it('marks for a read a key that only a node outside its read replicas lists', () => {
    const plan = planListingPage([{ node: 'stand-in', keys: ['hinted'] }], 10, () => ['a', 'b']);
    expect(plan.candidates).toEqual([{ key: 'hinted', agreed: false }]);
    expect(planListingPage([{ node: 'a', keys: ['k'] }], 10, () => []).candidates).toEqual([{ key: 'k', agreed: false }]);
  });

  it('ends the page at the smallest last key of the full node pages, which may hold more after it', () => {
    const listings: NodeListing[] = [
      { node: 'a', keys: ['a1', 'a2', 'a3'] },
      { node: 'b', keys: ['a0', 'b1', 'b2'] },
      { node: 'c', keys: ['a15'] },
    ];
    const plan = planListingPage(listings, 3, (key) => [key.startsWith('a') && key !== 'a0' ? 'a' : 'b']);
    expect(plan.cut).toBe('a3');
    expect(plan.candidates.map((candidate) => candidate.key)).toEqual(['a0', 'a1', 'a15', 'a2', 'a3']);
  });

  it('orders keys by their UTF-8 bytes, as PostgreSQL and the cursor do', () => {
    const keys = ['é', 'z', 'Z', '😀', '日本', 'a/b', 'a-b'];
    const plan = planListingPage([{ node: 'a', keys }], 100, () => ['a']);
    expect(plan.candidates.map((candidate) => candidate.key)).toEqual(['Z', 'a-b', 'a/b', 'z', 'é', '日本', '😀']);
  });

  it('never misses a key below the cut, and pages through every key exactly once', () => {
    // Random keys placed on random nodes; each node answers its first `limit` keys after the cursor.
    const arbitrary = fc.record({
      placed: fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.subarray(['a', 'b', 'c'], { minLength: 1 })), {
        selector: ([key]) => key,
        maxLength: 60,
      }),
      limit: fc.integer({ min: 1, max: 12 }),
    });
    fc.assert(
      fc.property(arbitrary, ({ placed, limit }) => {
        const nodesOf = new Map(placed);
        const all = [...nodesOf.keys()].sort(compareKeys);
        const seen: string[] = [];
        let after: string | null = null;
        for (let page = 0; page <= all.length + 1; page++) {
          const listings = ['a', 'b', 'c'].map((node) => ({
            node,
            keys: all.filter((key) => nodesOf.get(key)!.includes(node) && (after === null || compareKeys(key, after) > 0)).slice(0, limit),
          }));
          const plan = planListingPage(listings, limit, (key) => nodesOf.get(key)!);
          expect(plan.candidates.every((candidate) => candidate.agreed)).toBe(true);
          seen.push(...plan.candidates.map((candidate) => candidate.key));
          if (plan.cut === null) break;
          after = plan.cut;
        }
        expect(seen).toEqual(all);
      }),
    );
  });
});

describe('livePage', () => {
  const cursorOf = (key: string): string => Buffer.from(key, 'utf8').toString('base64url');
  const plan = { candidates: ['a', 'b', 'c', 'd', 'e'].map((key) => ({ key, agreed: key === 'a' || key === 'd' })), cut: 'e' };

  it('lists agreed keys without a read and the others only if the read finds them, until the page is full', async () => {
    const reads: string[] = [];
    const page = await livePage(plan, 3, async (key) => {
      reads.push(key);
      return key !== 'b';
    });
    expect(page).toEqual({ keys: ['a', 'c', 'd'], cursor: cursorOf('d') });
    expect(reads).toEqual(['b', 'c']);
  });

  it('ends a page that is not full at the cut, or with no cursor when nothing is left', async () => {
    expect(await livePage(plan, 10, async () => false)).toEqual({ keys: ['a', 'd'], cursor: cursorOf('e') });
    expect(await livePage({ candidates: plan.candidates, cut: null }, 10, async () => true)).toEqual({ keys: ['a', 'b', 'c', 'd', 'e'], cursor: null });
  });
});
