/**
 * Most value bytes one anti-entropy exchange should hold in the replicator: both regions' versions of the
 * exchange's buckets, values included, are in memory together while it compares them.
 */
export const EXCHANGE_VALUE_BYTES = 16 * 1_048_576;

/** Differing buckets read together in a run's first exchange, out of ANTI_ENTROPY_BUCKETS. */
export const FIRST_EXCHANGE_WIDTH = 8;

/**
 * How many differing buckets the next exchange reads, from how many value bytes the last one held: twice
 * as many while it held under a quarter of EXCHANGE_VALUE_BYTES, half as many once it held more than all
 * of it. Each exchange costs every node of both regions a scan of its shard's ids whatever its width, so
 * a fixed narrow width made a run over 100 differing buckets of a few versions each 13 scans, not one,
 * while a region that lost most of its data still grows its exchanges only as far as its values allow.
 */
export function nextExchangeWidth(width: number, heldValueBytes: number, maxWidth: number): number {
  if (heldValueBytes > EXCHANGE_VALUE_BYTES) return Math.max(1, Math.floor(width / 2));
  if (heldValueBytes < EXCHANGE_VALUE_BYTES / 4) return Math.min(maxWidth, width * 2);
  return width;
}
