import { SINGLE_REPLICA, THREE_REPLICAS } from './bench-keyspaces';
import { latencyPercentiles, PhaseResult } from './phase-result';
import { formatCpuPerRequest, formatReport } from './report';

function phase(name: string, okPerSecond: number, failures: Partial<PhaseResult> = {}): PhaseResult {
  return { name, okPerSecond, p50Ms: 1, p99Ms: 2, non2xx: 0, errors: 0, timeouts: 0, wrongBodies: 0, notes: '', ...failures };
}

describe('bench report', () => {
  const round = {
    single: { keyspace: SINGLE_REPLICA, put: phase('geokv PUT N=1', 6_000, { non2xx: 3, notes: '503×3' }), get: phase('geokv GET N=1', 10_000) },
    replicated: { keyspace: THREE_REPLICAS, put: phase('geokv PUT N=3', 4_200, { p99Ms: 7.5 }), get: phase('geokv GET N=3', 9_000) },
    pgUpsert: phase('raw PostgreSQL upsert', 10_000, { non2xx: undefined }),
    bareFastify: phase('bare Fastify GET /', 50_000),
  };
  const peakRss = new Map([['us-east/gateway', 300 * 1024 * 1024], ['us-east/n1', 120 * 1024 * 1024], ['us-east/n2', undefined]]);
  const report = { rounds: [round], peakRss };

  it('judges every ratio and each app RSS against its target, and flags failures', () => {
    const text = formatReport(report);

    expect(text).toMatch(/geokv PUT N=1 \/ raw PostgreSQL upsert\s+0\.60x\s+\(target >= 0\.5x\)\s+met\s+\(rounds 0\.60\)/);
    expect(text).toMatch(/geokv GET N=1 \/ bare Fastify GET \/\s+0\.20x\s+\(target >= 0\.3x\)\s+MISSED/);
    expect(text).toMatch(/geokv PUT N=3 \/ geokv PUT N=1\s+0\.70x\s+\(target >= 0\.6x\)\s+met/);
    expect(text).toMatch(/us-east\/gateway\s+300 MB\s+MISSED/);
    expect(text).toMatch(/us-east\/n1\s+120 MB\s+met/);
    expect(text).toMatch(/us-east\/n2\s+\? MB\s+not measured/);
    expect(text).toContain('geokv PUT N=1: round 1: 503×3');
    expect(text).toContain('WARNING: 3 failed requests/queries');
  });

  it('prints one replica and three side by side', () => {
    const text = formatReport(report);
    expect(text).toContain('replicas: bench-n1 (N=1) vs bench-n3 (N=3, R=2, W=2), same region and run');
    expect(text).toMatch(/op\s+N=1 ok\/s\s+N=1 p99 ms\s+N=3 ok\/s\s+N=3 p99 ms\s+N=3 \/ N=1/);
    expect(text).toMatch(/PUT\s+6000\s+2\.00\s+4200\s+7\.50\s+0\.70x/);
    expect(text).toMatch(/GET\s+10000\s+2\.00\s+9000\s+2\.00\s+0\.90x/);
  });

  it('misses the replication target below 0.6x', () => {
    const slow = { rounds: [{ ...round, replicated: { ...round.replicated, put: phase('geokv PUT N=3', 3_000) } }], peakRss };
    expect(formatReport(slow)).toMatch(/geokv PUT N=3 \/ geokv PUT N=1\s+0\.50x\s+\(target >= 0\.6x\)\s+MISSED/);
  });

  it('over several rounds, judges each ratio by the median of the rounds\' and lists every round', () => {
    // Round 2's baseline ran on a fast spell: the mean of the rounds would miss (5,000 / 12,000 = 0.42x).
    const rounds = [
      { ...round, single: { ...round.single, put: phase('geokv PUT N=1', 5_000) }, pgUpsert: phase('raw PostgreSQL upsert', 9_000) },
      { ...round, single: { ...round.single, put: phase('geokv PUT N=1', 4_000) }, pgUpsert: phase('raw PostgreSQL upsert', 20_000) },
      { ...round, single: { ...round.single, put: phase('geokv PUT N=1', 6_000) }, pgUpsert: phase('raw PostgreSQL upsert', 7_000) },
    ];
    const text = formatReport({ rounds, peakRss });

    expect(text).toMatch(/geokv PUT N=1 \/ raw PostgreSQL upsert\s+0\.56x\s+\(target >= 0\.5x\)\s+met\s+\(rounds 0\.56 0\.20 0\.86\)/);
    expect(text).toMatch(/geokv PUT N=1\s+5000\s+5000 4000 6000\s/);
    expect(text).toMatch(/raw PostgreSQL upsert\s+12000\s+9000 20000 7000\s/);
    expect(text).toContain('3 round(s)');
  });

  it('tabulates CPU per request by process and metered phase, with their sum', () => {
    const lines = formatCpuPerRequest([
      phase('geokv PUT N=1', 5_000, { cpuMicrosPerOk: new Map([['gateway', 140.4], ['storage nodes', 260], ['load generator', 50]]) }),
      phase('raw PostgreSQL upsert', 15_000),
      phase('bare Fastify GET /', 78_000, { cpuMicrosPerOk: new Map([['bare Fastify', 13], ['load generator', 12]]) }),
    ]);
    const text = lines.join('\n');

    expect(text).toMatch(/process\s+geokv PUT N=1\s+bare Fastify GET \//);
    expect(text).not.toContain('raw PostgreSQL upsert');
    expect(text).toMatch(/gateway\s+140\s+-/);
    expect(text).toMatch(/load generator\s+50\s+12/);
    expect(text).toMatch(/bare Fastify\s+-\s+13/);
    expect(text).toMatch(/all of these\s+450\s+25/);
    expect(formatCpuPerRequest([phase('raw PostgreSQL upsert', 15_000)])).toEqual([]);
  });

  it('takes nearest-rank percentiles', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(latencyPercentiles(latencies)).toEqual({ p50Ms: 50, p99Ms: 99 });
    expect(latencyPercentiles([])).toEqual({ p50Ms: 0, p99Ms: 0 });
  });
});
