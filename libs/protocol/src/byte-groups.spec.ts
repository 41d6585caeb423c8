import fc from 'fast-check';
import { byteGroups } from './byte-groups';

describe('byteGroups', () => {
  it('keeps the items in order, in groups within the budget, an oversized item alone', () => {
    expect(byteGroups([3, 3, 3, 10, 1, 1], (n) => n, 6)).toEqual([[3, 3], [3], [10], [1, 1]]);
    expect(byteGroups([], (n: number) => n, 6)).toEqual([]);
    expect(byteGroups([1, 1, 1, 1, 1], (n) => n, 100, 2)).toEqual([[1, 1], [1, 1], [1]]);
  });

  it('loses no item, keeps every group within the count, and only a group of one may exceed the bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 100 })), fc.integer({ min: 1, max: 150 }), fc.integer({ min: 1, max: 10 }), (sizes, budget, maxItems) => {
        const groups = byteGroups(sizes, (n) => n, budget, maxItems);
        expect(groups.flat()).toEqual(sizes);
        for (const group of groups) {
          expect(group.length).toBeGreaterThan(0);
          expect(group.length).toBeLessThanOrEqual(maxItems);
          if (group.length > 1) expect(group.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(budget);
        }
      }),
    );
  });
});
