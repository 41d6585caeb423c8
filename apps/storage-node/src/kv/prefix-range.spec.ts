import fc from 'fast-check';
import { prefixRange } from './prefix-range';

/** PostgreSQL's C collation: byte-wise comparison of the UTF-8 encodings. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function inRange(key: string, range: { from: string; before: string | null }): boolean {
  return compareBytes(key, range.from) >= 0 && (range.before === null || compareBytes(key, range.before) < 0);
}

describe('prefixRange', () => {
  const text = fc.string({ unit: fc.constantFrom('a', 'b', '\u{d7ff}', '\u{e000}', '\u{ffff}', '\u{10ffff}', 'é'), maxLength: 4 });

  it('holds exactly the keys that start with the prefix', () => {
    fc.assert(
      fc.property(text, text, (prefix, suffix) => {
        expect(inRange(prefix + suffix, prefixRange(prefix))).toBe(true);
      }),
    );
    fc.assert(
      fc.property(text, text, (prefix, key) => {
        expect(inRange(key, prefixRange(prefix))).toBe(key.startsWith(prefix));
      }),
      { numRuns: 2_000 },
    );
  });

  it('holds the same for arbitrary Unicode', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 6 }), (prefix, key) => {
        expect(inRange(key, prefixRange(prefix))).toBe(key.startsWith(prefix));
      }),
    );
  });

  it('has no upper bound for the empty prefix or one made only of the last code point', () => {
    expect(prefixRange('')).toEqual({ from: '', before: null });
    expect(prefixRange('\u{10ffff}\u{10ffff}')).toEqual({ from: '\u{10ffff}\u{10ffff}', before: null });
    expect(prefixRange('ab')).toEqual({ from: 'ab', before: 'ac' });
    expect(prefixRange('a\u{d7ff}')).toEqual({ from: 'a\u{d7ff}', before: 'a\u{e000}' });
  });
});
