import { hash } from 'node:crypto';

/** Number of distinct ring positions: positions are integers in [0, RING_SIZE). */
export const RING_SIZE = 2 ** 48;

/**
 * Maps a string to its position on the ring.
 *
 * Guarantees: the result is an integer in [0, RING_SIZE), and it depends only on the UTF-8 bytes of
 * `value`, so every process, Node version and machine places a key at the same position.
 *
 * Why MD5: it is a fixed standard (the same choice as riak_core's chash, which uses SHA-1), its output
 * is uniform, and node:crypto computes it natively. It is NOT used for security: an adversary who can
 * choose keys can aim them at one node, exactly as with any public hash.
 * Why 48 bits: with a few thousand tokens the chance that two tokens share a position is about
 * tokens² / 2^49 (≈ 1e-8 for 2,560 tokens), and 2^48 < Number.MAX_SAFE_INTEGER, so positions are exact
 * JS numbers that compare without BigInt.
 *
 * Do not "optimise" this into a faster non-cryptographic hash or a different truncation: every stored
 * key's placement depends on it, so changing it moves almost every key in a running cluster.
 * Note: strings with unpaired surrogates are encoded with U+FFFD, so such strings may share a
 * position; that only affects placement, never identity.
 */
export function hashToPosition(value: string): number {
  // The one-shot form: every request hashes its key, and a Hash object per call cost ~40% more.
  return hash('md5', value, 'buffer').readUIntBE(0, 6);
}
