import fc from 'fast-check';
import { compareKeys } from './key-order';

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('compareKeys', () => {
  it('orders keys as their UTF-8 bytes compare, across every plane', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 6 }), (a, b) => {
        expect(Math.sign(compareKeys(a, b))).toBe(Math.sign(Buffer.compare(utf8(a), utf8(b))));
      }),
      { numRuns: 2_000 },
    );
    // Where UTF-16 order is wrong: U+FFFD is one unit, U+1F600 two surrogates that compare below it.
    expect(compareKeys('\u{1F600}', '\uFFFD')).toBeGreaterThan(0);
    expect(compareKeys('a', 'ab')).toBeLessThan(0);
    expect(compareKeys('ab', 'ab')).toBe(0);
  });
});
