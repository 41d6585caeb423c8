import type { AcceptorKey } from './acceptor-messages';

/**
 * Byte order of the UTF-8 encodings: the order of PostgreSQL's `C` collation, which keys are stored in,
 * and of a listing's cursor. UTF-8 keeps code point order, so no encoding is needed: UTF-16 code units
 * differ from code point order only where a surrogate (half of a code point above U+FFFF) meets a unit
 * from U+E000 to U+FFFF, which the first differing pair is shifted for. (Keys are well-formed: a path
 * with a lone surrogate does not decode.)
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x >= 0xd800 && y >= 0xd800 ? inCodePointOrder(x) - inCodePointOrder(y) : x - y;
  }
  return a.length - b.length;
}

/** Surrogates (U+D800–DFFF) after U+E000–FFFF, as the code points they start are. */
function inCodePointOrder(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** (keyspace, key) pairs in the order of the acceptor table's primary key (both columns in byte order). */
export function compareAcceptorKeys(a: AcceptorKey, b: AcceptorKey): number {
  return compareKeys(a.keyspace, b.keyspace) || compareKeys(a.key, b.key);
}
