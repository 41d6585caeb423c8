import fc from 'fast-check';
import {
  clockFrom,
  compare,
  counterOf,
  descends,
  EMPTY_CLOCK,
  increment,
  merge,
  type VectorClock,
} from './vector-clock';

// A small actor pool makes overlapping clocks (and so every causal order) common. "__proto__" and
// "constructor" check that actor ids are data, never prototype lookups.
const actor = fc.constantFrom('a', 'b', 'c', 'd', '__proto__', 'constructor');
const clock: fc.Arbitrary<VectorClock> = fc.dictionary(actor, fc.integer({ min: 1, max: 4 }), { maxKeys: 6 });

describe('vector clock', () => {
  it('reads absent actors as 0, including names of Object.prototype members', () => {
    expect(counterOf({ a: 2 }, 'a')).toBe(2);
    expect(counterOf({ a: 2 }, 'b')).toBe(0);
    expect(counterOf({}, 'constructor')).toBe(0);
    expect(counterOf({}, 'toString')).toBe(0);
  });

  it('increments one actor and returns a new frozen clock', () => {
    const before = { a: 1 };
    const after = increment(before, 'b');
    expect(after).toEqual({ a: 1, b: 1 });
    expect(increment(after, 'a')).toEqual({ a: 2, b: 1 });
    expect(before).toEqual({ a: 1 });
    expect(Object.isFrozen(after)).toBe(true);
  });

  it('stores "__proto__" as an ordinary actor', () => {
    const c = increment(EMPTY_CLOCK, '__proto__');
    expect(Object.keys(c)).toEqual(['__proto__']);
    expect(counterOf(c, '__proto__')).toBe(1);
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
  });

  it('never stores zero entries', () => {
    expect(clockFrom([['a', 0], ['b', 2]])).toEqual({ b: 2 });
    expect(Object.keys(merge({ a: 0 }, { b: 1 }))).toEqual(['b']);
    expect(compare({ a: 0 }, {})).toBe('equal');
  });

  it.each<[VectorClock, VectorClock, string]>([
    [{}, {}, 'equal'],
    [{ a: 1 }, { a: 1 }, 'equal'],
    [{ a: 1 }, { a: 2 }, 'before'],
    [{ a: 1 }, { a: 1, b: 1 }, 'before'],
    [{ a: 2, b: 1 }, { a: 1 }, 'after'],
    [{ a: 2 }, { a: 1, b: 1 }, 'concurrent'],
    [{ a: 1 }, { b: 1 }, 'concurrent'],
  ])('compare(%j, %j) is %s', (a, b, expected) => {
    expect(compare(a, b)).toBe(expected);
  });

  it('merges pointwise', () => {
    expect(merge({ a: 3, b: 1 }, { b: 2, c: 1 })).toEqual({ a: 3, b: 2, c: 1 });
  });

  describe('properties', () => {
    it('merge is commutative, associative and idempotent', () => {
      fc.assert(
        fc.property(clock, clock, clock, (a, b, c) => {
          expect(merge(a, b)).toEqual(merge(b, a));
          expect(merge(merge(a, b), c)).toEqual(merge(a, merge(b, c)));
          expect(merge(a, a)).toEqual(a);
        }),
      );
    });

    it('merge is the least upper bound: it descends both inputs and is descended by any common successor', () => {
      fc.assert(
        fc.property(clock, clock, clock, (a, b, c) => {
          const m = merge(a, b);
          expect(descends(m, a) && descends(m, b)).toBe(true);
          if (descends(c, a) && descends(c, b)) expect(descends(c, m)).toBe(true);
        }),
      );
    });

    it('compare agrees with descends in every case', () => {
      fc.assert(
        fc.property(clock, clock, (a, b) => {
          const ab = descends(a, b);
          const ba = descends(b, a);
          const expected = ab && ba ? 'equal' : ab ? 'after' : ba ? 'before' : 'concurrent';
          expect(compare(a, b)).toBe(expected);
        }),
      );
    });

    it('compare is antisymmetric: swapping the arguments mirrors the answer', () => {
      const mirror = { before: 'after', after: 'before', equal: 'equal', concurrent: 'concurrent' } as const;
      fc.assert(fc.property(clock, clock, (a, b) => compare(b, a) === mirror[compare(a, b)]));
    });

    it('increment is strictly after its input and changes only that actor, by one', () => {
      fc.assert(
        fc.property(clock, actor, (c, who) => {
          const next = increment(c, who);
          expect(compare(next, c)).toBe('after');
          expect(counterOf(next, who)).toBe(counterOf(c, who) + 1);
          expect(merge(next, c)).toEqual(next);
          expect(Object.keys(next).filter((x) => x !== who && counterOf(next, x) !== counterOf(c, x))).toEqual([]);
        }),
      );
    });

    it('never mutates its inputs and returns frozen clocks', () => {
      fc.assert(
        fc.property(clock, clock, actor, (a, b, who) => {
          const [aCopy, bCopy] = [{ ...a }, { ...b }];
          const results = [merge(a, b), increment(a, who)];
          compare(a, b);
          descends(a, b);
          expect(a).toEqual(aCopy);
          expect(b).toEqual(bCopy);
          expect(results.every(Object.isFrozen)).toBe(true);
        }),
      );
    });
  });
});
