import fc from 'fast-check';
import { MalformedContextError } from './errors';
import { appendVarint, readVarint } from './varint';

const encode = (value: number) => {
  const out: number[] = [];
  appendVarint(out, value);
  return Uint8Array.from(out);
};

describe('varint', () => {
  it.each([
    [0, [0x00]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [300, [0xac, 0x02]],
    [Number.MAX_SAFE_INTEGER, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]],
  ])('encodes %p as LEB128 %j', (value, bytes) => {
    expect([...encode(value)]).toEqual(bytes);
    expect(readVarint(Uint8Array.from(bytes), 0)).toEqual({ value, next: bytes.length });
  });

  it('round-trips every safe integer, reading exactly the bytes it wrote', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.nat(3), (value, prefix) => {
        const bytes = Uint8Array.from([...new Array<number>(prefix).fill(0x42), ...encode(value)]);
        expect(readVarint(bytes, prefix)).toEqual({ value, next: bytes.length });
      }),
    );
  });

  it.each([-1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN])('refuses to encode %p', (value) => {
    expect(() => appendVarint([], value)).toThrow(RangeError);
  });

  it.each([
    ['empty input', []],
    ['a truncated varint', [0x80]],
    ['2^53', [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]],
    ['a value over 2^56', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ['a padded (non-canonical) encoding', [0x81, 0x00]],
    ['nine continuation bytes', [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80]],
  ])('rejects %s', (_, bytes) => {
    expect(() => readVarint(Uint8Array.from(bytes), 0)).toThrow(MalformedContextError);
  });
});
