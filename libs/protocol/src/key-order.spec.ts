import fc from 'fast-check';
import { compareAcceptorKeys, compareKeys } from './key-order';

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

describe('compareAcceptorKeys', () => {
  it('orders by keyspace, then by key, each in byte order', () => {
    const ref = fc.record({ keyspace: fc.string({ unit: 'binary', maxLength: 3 }), key: fc.string({ unit: 'binary', maxLength: 3 }) });
    fc.assert(
      fc.property(ref, ref, (a, b) => {
        const expected = Buffer.compare(utf8(a.keyspace), utf8(b.keyspace)) || Buffer.compare(utf8(a.key), utf8(b.key));
        expect(Math.sign(compareAcceptorKeys(a, b))).toBe(Math.sign(expected));
      }),
      { numRuns: 1_000 },
    );
  });
});
