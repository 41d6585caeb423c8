import { bucketDelta, countOf, parseHistogramBuckets, quantileOf } from './histogram';

const EXPOSITION = `# HELP geokv_replication_delay_seconds x
# TYPE geokv_replication_delay_seconds histogram
geokv_replication_delay_seconds_bucket{le="0.01",origin="us-east",app="storage-node"} 10
geokv_replication_delay_seconds_bucket{le="0.1",origin="us-east",app="storage-node"} 90
geokv_replication_delay_seconds_bucket{le="+Inf",origin="us-east",app="storage-node"} 100
geokv_replication_delay_seconds_bucket{le="0.01",origin="eu-west",app="storage-node"} 0
geokv_replication_delay_seconds_bucket{le="0.1",origin="eu-west",app="storage-node"} 0
geokv_replication_delay_seconds_bucket{le="+Inf",origin="eu-west",app="storage-node"} 0
geokv_replication_delay_seconds_sum{origin="us-east"} 4
geokv_other_bucket{le="0.1"} 999`;

describe('histogram helpers', () => {
  it('sums the buckets of every series of one histogram', () => {
    const buckets = parseHistogramBuckets(EXPOSITION, 'geokv_replication_delay_seconds');
    expect([...buckets]).toEqual([
      [0.01, 10],
      [0.1, 90],
      [Number.POSITIVE_INFINITY, 100],
    ]);
    expect(countOf(buckets)).toBe(100);
  });

  it('interpolates quantiles inside their bucket, as histogram_quantile does', () => {
    const buckets = parseHistogramBuckets(EXPOSITION, 'geokv_replication_delay_seconds');
    expect(quantileOf(buckets, 0.1)).toBeCloseTo(0.01);
    expect(quantileOf(buckets, 0.5)).toBeCloseTo(0.01 + 0.09 * (40 / 80));
    expect(quantileOf(buckets, 0.99)).toBe(0.1);
    expect(quantileOf(new Map(), 0.5)).toBeNull();
  });

  it('subtracts an earlier scrape', () => {
    const before = new Map([[0.01, 5], [0.1, 5], [Number.POSITIVE_INFINITY, 5]]);
    const after = parseHistogramBuckets(EXPOSITION, 'geokv_replication_delay_seconds');
    expect([...bucketDelta(after, before)]).toEqual([
      [0.01, 5],
      [0.1, 85],
      [Number.POSITIVE_INFINITY, 95],
    ]);
  });
});
