import { THREE_REPLICAS } from './bench-keyspaces';
import type { JoinResult } from './join-bench';
import { formatJoinReport } from './join-report';

function result(overrides: Partial<JoinResult> = {}): JoinResult {
  return {
    keyspace: THREE_REPLICAS,
    nodeId: 'n4',
    load: { ok: 100_000, failed: 0, seconds: 40, firstError: undefined },
    joinMs: 12_500,
    progress: { partitionsMoving: 1_536, keysMoved: 70_000, bytesMoved: 12 * 1024 * 1024, lastSeenMs: 12_300 },
    keysHeld: 75_000,
    ownership: 0.251,
    sample: { checked: 2_000, wrong: 0, firstProblem: undefined },
    ...overrides,
  };
}

describe('join report', () => {
  it('prints the load, the join time, the last progress seen, the keys the node ends up holding and the sample', () => {
    const text = formatJoinReport(result());
    expect(text).toContain('keyspace bench-n3 (N=3, R=2, W=2)');
    expect(text).toContain('loaded 100000 of 100000 keys (100-byte values, 64 in flight) in 40.0 s: 2500 keys/s, 0 failed');
    expect(text).toContain('n4 joined in 12.50 s');
    expect(text).toContain('partitions moving 1536; last seen running at 12.30 s: 70000 keys moved so far, 12.0 MB (12582912 bytes)');
    // The ratio is of the keys the node holds at the end, not of the last progress seen.
    expect(text).toContain('n4 holds 75000 keys after the join, each moved to it (6000 keys/s over the join); keys moved / keys loaded: 0.75');
    expect(text).toContain('n4 owns 25.1% of the hash space');
    expect(text).toContain('read back 2000 random keys after the join: 0 missing or wrong');
    expect(text).not.toContain('WARNING');
  });

  it('says when no progress was seen, and flags failures', () => {
    const text = formatJoinReport(
      result({
        load: { ok: 99_990, failed: 10, seconds: 40, firstError: '503 {"code":"INSUFFICIENT_REPLICAS"}' },
        progress: { partitionsMoving: 0, keysMoved: 0, bytesMoved: 0, lastSeenMs: null },
        sample: { checked: 2_000, wrong: 1, firstProblem: 'bench-7: 404 not found' },
      }),
    );
    expect(text).toContain('never showed the rebalance running');
    expect(text).toContain('keys moved / keys loaded: 0.75');
    expect(text).toContain('first failed load: 503 {"code":"INSUFFICIENT_REPLICAS"}');
    expect(text).toContain('first wrong read: bench-7: 404 not found');
    expect(text).toContain('WARNING: 10 failed loads and 1 bad reads in the join part.');
  });
});
