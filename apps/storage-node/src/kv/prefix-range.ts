/**
 * The keys that start with `prefix` are exactly those in [from, before) under byte-wise (C collation)
 * order; `before` is null when no upper bound is needed (the empty prefix, or one made only of U+10FFFF).
 * UTF-8 byte order is code point order, so the bound is the prefix with its last code point incremented.
 */
export function prefixRange(prefix: string): { from: string; before: string | null } {
  const codePoints = Array.from(prefix, (char) => char.codePointAt(0)!);
  while (codePoints.length > 0) {
    const last = codePoints.pop()!;
    if (last === MAX_CODE_POINT) continue;
    // Surrogates cannot appear in a valid string, so the next code point after U+D7FF is U+E000.
    const next = last === LAST_BEFORE_SURROGATES ? FIRST_AFTER_SURROGATES : last + 1;
    return { from: prefix, before: String.fromCodePoint(...codePoints, next) };
  }
  return { from: prefix, before: null };
}

const MAX_CODE_POINT = 0x10ffff;
const LAST_BEFORE_SURROGATES = 0xd7ff;
const FIRST_AFTER_SURROGATES = 0xe000;
