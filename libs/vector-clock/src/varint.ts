import { MalformedContextError } from './errors';

/**
 * Unsigned LEB128 varints for the causal-context codec: 7 bits per byte, low bits first, high bit set
 * on every byte but the last. Values are limited to Number.MAX_SAFE_INTEGER, which needs at most
 * 8 bytes. Arithmetic is done with * and +, not bit operators, which would truncate to 32 bits.
 */
const MAX_VARINT_BYTES = 8;

/** Appends the canonical (shortest) encoding of `value` to `out`. */
export function appendVarint(out: number[], value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`varint value must be a non-negative safe integer, got ${value}`);
  }
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
}

/**
 * Reads one varint starting at `offset`. Guarantees: returns a safe integer and the offset just past
 * it, having read at most 8 bytes; otherwise throws MalformedContextError (truncated, over-long or
 * non-canonical input), so a hostile token can neither overflow nor make the decoder loop.
 */
export function readVarint(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (offset + i >= bytes.length) throw new MalformedContextError('truncated varint');
    const byte = bytes[offset + i];
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (value > Number.MAX_SAFE_INTEGER) throw new MalformedContextError('varint exceeds 2^53 - 1');
    if (byte < 0x80) {
      // A final 0x00 after other bytes adds nothing: a padded encoding. Rejecting it keeps one token per clock.
      if (byte === 0 && i > 0) throw new MalformedContextError('non-canonical varint');
      return { value, next: offset + i + 1 };
    }
  }
  throw new MalformedContextError('varint longer than 8 bytes');
}
