import fc from 'fast-check';
import { hashToPosition, RING_SIZE } from './hash';

describe('hashToPosition', () => {
  // Golden values pin placement: if any of these change, every key in a running cluster moves.
  it.each([
    ['', 0xd41d8cd98f00], // RFC 1321 test vector: MD5("") = d41d8cd98f00b204…
    ['a', 0x0cc175b9c0f1], // RFC 1321 test vector: MD5("a") = 0cc175b9c0f1b6a8…
    ['abc', 0x900150983cd2], // RFC 1321 test vector: MD5("abc") = 900150983cd24fb0…
    ['ключ', 0xc3657b66c60a], // hashed as UTF-8, not UTF-16
  ])('places %j at the first 48 bits of its MD5', (value, expected) => {
    expect(hashToPosition(value)).toBe(expected);
  });

  it('always returns an integer position inside the ring', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const position = hashToPosition(value);
        return Number.isSafeInteger(position) && position >= 0 && position < RING_SIZE;
      }),
    );
  });
});
