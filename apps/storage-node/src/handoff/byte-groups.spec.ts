import fc from 'fast-check';
import { byteGroups } from './byte-groups';

describe('byteGroups', () => {
  it('keeps the items in order, in groups within the budget, an oversized item alone', () => {
    expect(byteGroups([3, 3, 3, 10, 1, 1], (n) => n, 6)).toEqual([[3, 3], [3], [10], [1, 1]]);
    expect(byteGroups([], (n: number) => n, 6)).toEqual([]);
  });

  it('loses no item, and only a group of one may exceed the budget', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 100 })), fc.integer({ min: 1, max: 150 }), (sizes, budget) => {
        const groups = byteGroups(sizes, (n) => n, budget);
        expect(groups.flat()).toEqual(sizes);
        for (const group of groups) {
          expect(group.length).toBeGreaterThan(0);
          if (group.length > 1) expect(group.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(budget);
        }
      }),
    );
  });
});
