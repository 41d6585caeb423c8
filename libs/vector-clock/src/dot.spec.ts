import fc from 'fast-check';
import { clockCoversDot, dotEquals, dotToString } from './dot';

describe('dot', () => {
  it('is equal only to a dot with the same actor and counter', () => {
    expect(dotEquals({ actor: 'a', counter: 1 }, { actor: 'a', counter: 1 })).toBe(true);
    expect(dotEquals({ actor: 'a', counter: 1 }, { actor: 'a', counter: 2 })).toBe(false);
    expect(dotEquals({ actor: 'a', counter: 1 }, { actor: 'b', counter: 1 })).toBe(false);
  });

  it('is covered by a clock that has seen at least that many events of its actor', () => {
    expect(clockCoversDot({ a: 3 }, { actor: 'a', counter: 3 })).toBe(true);
    expect(clockCoversDot({ a: 3 }, { actor: 'a', counter: 4 })).toBe(false);
    expect(clockCoversDot({ a: 3 }, { actor: 'b', counter: 1 })).toBe(false);
    expect(clockCoversDot({}, { actor: 'constructor', counter: 1 })).toBe(false);
  });

  it('has a compact id that stays unambiguous when the actor contains the separator', () => {
    expect(dotToString({ actor: 'node-a', counter: 17 })).toBe('node-a:17');
    const dot = fc.record({
      actor: fc.string({ unit: fc.constantFrom('a', ':', '1'), maxLength: 4 }),
      counter: fc.integer({ min: 1, max: 12 }),
    });
    fc.assert(fc.property(dot, dot, (x, y) => (dotToString(x) === dotToString(y)) === dotEquals(x, y)));
  });
});
