import { latencyPercentiles, PhaseResult } from './phase-result';
import { formatReport } from './report';

function phase(name: string, okPerSecond: number, failures: Partial<PhaseResult> = {}): PhaseResult {
  return { name, okPerSecond, p50Ms: 1, p99Ms: 2, non2xx: 0, errors: 0, timeouts: 0, wrongBodies: 0, notes: '', ...failures };
}

describe('bench report', () => {
  it('judges both ratios and each app RSS against its target, and flags failures', () => {
    const text = formatReport({
      put: phase('geokv PUT', 6_000, { non2xx: 3, notes: '503×3' }),
      get: phase('geokv GET', 10_000),
      pgUpsert: phase('raw PostgreSQL upsert', 10_000, { non2xx: undefined }),
      bareFastify: phase('bare Fastify GET /', 50_000),
      peakRss: new Map([['us-east/gateway', 300 * 1024 * 1024], ['us-east/n1', 120 * 1024 * 1024], ['us-east/n2', undefined]]),
    });

    expect(text).toMatch(/geokv PUT \/ raw PostgreSQL upsert\s+0\.60x\s+\(target >= 0\.5x\)\s+met/);
    expect(text).toMatch(/geokv GET \/ bare Fastify\s+0\.20x\s+\(target >= 0\.3x\)\s+MISSED/);
    expect(text).toMatch(/us-east\/gateway\s+300 MB\s+MISSED/);
    expect(text).toMatch(/us-east\/n1\s+120 MB\s+met/);
    expect(text).toMatch(/us-east\/n2\s+\? MB\s+not measured/);
    expect(text).toContain('geokv PUT: 503×3');
    expect(text).toContain('WARNING: 3 failed requests/queries');
  });

  it('takes nearest-rank percentiles', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(latencyPercentiles(latencies)).toEqual({ p50Ms: 50, p99Ms: 99 });
    expect(latencyPercentiles([])).toEqual({ p50Ms: 0, p99Ms: 0 });
  });
});
