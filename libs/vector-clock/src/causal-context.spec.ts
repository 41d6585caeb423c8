import fc from 'fast-check';
import { decodeContext, encodeContext, MAX_CONTEXT_ENTRIES, MAX_TOKEN_CHARS } from './causal-context';
import { ContextTooLargeError, MalformedContextError } from './errors';
import type { VectorClock } from './vector-clock';

const tokenOf = (bytes: number[]) => Buffer.from(bytes).toString('base64url');
const utf8 = (s: string) => [...Buffer.from(s, 'utf8')];

// fast-check's strings include "__proto__" among the names it tries on purpose; the token refuses that
// actor (see the test of it below), so the round trip is over every other one.
const actor = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }).filter((name) => name !== '__proto__'),
  fc.constantFrom('', 'constructor', '\uFEFFa', 'a'),
);
const clock: fc.Arbitrary<VectorClock> = fc.dictionary(
  actor,
  fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
  { maxKeys: 8 },
);

function expectMalformed(token: string): void {
  expect(() => decodeContext(token)).toThrow(MalformedContextError);
}

describe('causal context token', () => {
  it('has a fixed, documented layout', () => {
    expect(encodeContext({})).toBe('AQA'); // version 1, zero entries
    // version 1, 2 entries, "a" → 1, "b" → 300 (varint ac 02)
    expect(encodeContext({ b: 300, a: 1 })).toBe('AQIBYQEBYqwC');
    expect(decodeContext('AQIBYQEBYqwC')).toEqual({ a: 1, b: 300 });
  });

  it('is canonical: equal clocks give the same token whatever their key order', () => {
    expect(encodeContext({ x: 2, y: 1, '10': 3 })).toBe(encodeContext({ '10': 3, y: 1, x: 2 }));
    expect(encodeContext({ a: 1, b: 0 })).toBe(encodeContext({ a: 1 }));
  });

  it('round-trips arbitrary clocks', () => {
    fc.assert(fc.property(clock, (c) => expect(decodeContext(encodeContext(c))).toEqual({ ...c })));
  });

  it('keeps a leading byte-order mark as part of the actor instead of merging it into another actor', () => {
    const token = tokenOf([1, 2, 1, ...utf8('a'), 1, 4, ...utf8('\uFEFFa'), 2]);
    expect(decodeContext(token)).toEqual({ a: 1, '\uFEFFa': 2 });
    expect(encodeContext(decodeContext(token))).toBe(token);
  });

  it(`accepts exactly ${MAX_CONTEXT_ENTRIES} entries`, () => {
    // Two-byte actors keep the token under the length limit too.
    const actors = Array.from({ length: MAX_CONTEXT_ENTRIES }, (_, i) => String.fromCharCode(0x100 + i));
    const big = Object.fromEntries(actors.map((a) => [a, 1]));
    expect(decodeContext(encodeContext(big))).toEqual(big);
  });

  it.each<[string, string]>([
    ['the empty string', ''],
    ['padding', 'AQA='],
    ['standard-base64 characters', tokenOf([1, 1, 1, 0xfb, 1]).replace(/-/g, '+').replace(/_/g, '/')],
    ['characters outside the alphabet', 'AQ*A'],
    ['whitespace', 'AQ A'],
    ['non-zero unused low bits', 'AQB'],
    ['a lone base64 character', 'A'],
    [`a token over ${MAX_TOKEN_CHARS} characters`, 'A'.repeat(MAX_TOKEN_CHARS + 1)],
    ['an unknown version byte', tokenOf([2, 0])],
    ['a zero version byte', tokenOf([0, 0])],
    ['a missing entry count', tokenOf([1])],
    ['a truncated count varint', tokenOf([1, 0x80])],
    ['a padded count varint', tokenOf([1, 0x80, 0x00])],
    [`more than ${MAX_CONTEXT_ENTRIES} entries`, tokenOf([1, 0xe9, 0x07])], // 1001
    ['fewer entries than announced', tokenOf([1, 2, 1, 0x61, 1])],
    ['a truncated actor', tokenOf([1, 1, 5, 0x61, 1])],
    ['a missing counter', tokenOf([1, 1, 1, 0x61])],
    ['a truncated counter varint', tokenOf([1, 1, 1, 0x61, 0x80])],
    ['a counter of 0', tokenOf([1, 1, 1, 0x61, 0])],
    ['a counter of 2^53', tokenOf([1, 1, 1, 0x61, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10])],
    ['a huge actor length', tokenOf([1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f])],
    ['a duplicate actor', tokenOf([1, 2, 1, 0x61, 1, 1, 0x61, 2])],
    ['unsorted actors', tokenOf([1, 2, 1, 0x62, 1, 1, 0x61, 1])],
    ['trailing bytes', tokenOf([1, 0, 0])],
    ['invalid UTF-8', tokenOf([1, 1, 1, 0xff, 1])],
    ['overlong UTF-8', tokenOf([1, 1, 2, 0xc0, 0xaf, 1])],
    ['a UTF-8-encoded surrogate', tokenOf([1, 1, 3, 0xed, 0xa0, 0x80, 1])],
  ])('rejects %s', (_, token) => {
    expectMalformed(token);
  });

  it('refuses the actor __proto__ both ways: the transport could not carry it as a map key', () => {
    expectMalformed(tokenOf([1, 1, 9, ...utf8('__proto__'), 1]));
    expect(() => encodeContext(Object.fromEntries([['__proto__', 1]]))).toThrow(RangeError);
  });

  it('refuses to encode a clock whose token decodeContext would reject', () => {
    const tooMany = Object.fromEntries(Array.from({ length: MAX_CONTEXT_ENTRIES + 1 }, (_, i) => [`n${i}`, 1]));
    expect(() => encodeContext(tooMany)).toThrow(ContextTooLargeError);
    expect(() => encodeContext({ ['x'.repeat(MAX_TOKEN_CHARS)]: 1 })).toThrow(ContextTooLargeError);
    expect(() => encodeContext({ a: -1 })).toThrow(RangeError);
    expect(() => encodeContext({ a: 1.5 })).toThrow(RangeError);
    expect(() => encodeContext({ '\uD800': 1 })).toThrow(RangeError);
  });

  describe('fuzzing', () => {
    /** Decoding either yields a valid clock whose canonical token is the input, or a MalformedContextError. */
    function decodesCanonicallyOrRejects(token: string): void {
      let decoded: VectorClock;
      try {
        decoded = decodeContext(token);
      } catch (error) {
        expect(error).toBeInstanceOf(MalformedContextError);
        return;
      }
      expect(Object.values(decoded).every((n) => Number.isSafeInteger(n) && n > 0)).toBe(true);
      expect(encodeContext(decoded)).toBe(token);
    }

    it('handles arbitrary strings', () => {
      const base64urlChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ ');
      fc.assert(
        fc.property(
          fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: base64urlChar, maxLength: 64 })),
          decodesCanonicallyOrRejects,
        ),
        { numRuns: 1_000 },
      );
    });

    it('handles arbitrary byte strings and mutations of valid tokens', () => {
      const edit = fc.tuple(fc.nat(), fc.nat(255), fc.constantFrom('set', 'insert', 'delete'));
      const mutated = fc
        .tuple(clock, fc.array(edit, { maxLength: 3 }))
        .map(([c, edits]) => {
          const bytes = [...Buffer.from(encodeContext(c), 'base64url')];
          for (const [at, byte, edit] of edits) {
            const i = at % (bytes.length + 1);
            if (edit === 'set') bytes[Math.min(i, bytes.length - 1)] = byte;
            else if (edit === 'insert') bytes.splice(i, 0, byte);
            else bytes.splice(i, 1);
          }
          return bytes;
        });
      const bytes = fc.oneof(mutated, fc.array(fc.nat(255), { maxLength: 40 }).map((b) => [1, ...b]));
      fc.assert(fc.property(bytes, (b) => decodesCanonicallyOrRejects(tokenOf(b))), { numRuns: 1_000 });
    });
  });
});
