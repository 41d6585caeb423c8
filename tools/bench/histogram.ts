/** Cumulative bucket counts of one Prometheus histogram, by upper bound (`le`), summed over every series. */
export type CumulativeBuckets = Map<number, number>;

/** Reads `<name>_bucket{…,le="…"} count` lines from a Prometheus text exposition, summing series. */
export function parseHistogramBuckets(exposition: string, name: string, into: CumulativeBuckets = new Map()): CumulativeBuckets {
  const prefix = `${name}_bucket{`;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    const count = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (le === undefined || !Number.isFinite(count)) continue;
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    into.set(bound, (into.get(bound) ?? 0) + count);
  }
  return into;
}

/** after − before, bucket by bucket: what was observed between two scrapes. */
export function bucketDelta(after: CumulativeBuckets, before: CumulativeBuckets): CumulativeBuckets {
  return new Map([...after].map(([bound, count]) => [bound, count - (before.get(bound) ?? 0)]));
}

/**
 * The q-quantile (0 < q ≤ 1) of a histogram, interpolated linearly inside the bucket that holds it, as
 * Prometheus's histogram_quantile does; null when nothing was observed. A quantile in the +Inf bucket is
 * reported as the highest finite bound.
 */
export function quantileOf(buckets: CumulativeBuckets, q: number): number | null {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Number.POSITIVE_INFINITY) ?? buckets.get(bounds[bounds.length - 1]) ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bound of bounds) {
    const count = buckets.get(bound)!;
    if (count >= rank) {
      if (bound === Number.POSITIVE_INFINITY) return lowerBound;
      return lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / Math.max(count - lowerCount, 1e-9);
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound;
}

/** How many observations the histogram holds. */
export function countOf(buckets: CumulativeBuckets): number {
  return buckets.get(Number.POSITIVE_INFINITY) ?? 0;
}
