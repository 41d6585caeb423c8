import { STRONG, THREE_REPLICAS } from './bench-keyspaces';
import type { PhaseResult } from './phase-result';
import type { StrongBenchResult, StrongRound } from './strong-bench';
import { excess, formatStrongReport } from './strong-report';

function phase(name: string, okPerSecond: number, p50Ms: number, p99Ms: number, failures: Partial<PhaseResult> = {}): PhaseResult {
  return { name, okPerSecond, p50Ms, p99Ms, non2xx: 0, errors: 0, timeouts: 0, wrongBodies: 0, notes: '', ...failures };
}

/** One round's phases: [eventual PUT, eventual GET], [strong PUT, strong GET, one-key PUT] under load, then at light load (PUT, GET, own-key PUT). */
function round(delayMs: number, eventual: PhaseResult[], strong: PhaseResult[], light: PhaseResult[]): StrongRound {
  return {
    delayMs,
    linkRtts: [
      { from: 'us-east', to: 'eu-west', ms: 2 * delayMs + 0.8 },
      { from: 'us-east', to: 'ap-south', ms: 2 * delayMs + 1.1 },
    ],
    eventual: { keyspace: { ...THREE_REPLICAS, label: 'eventual N=3' }, put: eventual[0], get: eventual[1] },
    strong: { keyspace: STRONG, put: strong[0], get: strong[1] },
    strongLight: { keyspace: STRONG, put: light[0], get: light[1] },
    strongOwnKeys: light[2],
    strongOneKey: strong[2],
  };
}

const result: StrongBenchResult = {
  region: 'us-east',
  regions: ['us-east', 'eu-west', 'ap-south'],
  storageNodesPerRegion: 3,
  connections: 50,
  lightConnections: 4,
  seconds: 8,
  healthy: round(
    0,
    [phase('eventual N=3 PUT', 4_000, 8, 30), phase('eventual N=3 GET', 8_000, 3, 12)],
    [phase('strong PUT', 2_000, 12, 40), phase('strong GET', 4_000, 6, 20), phase('strong PUT, one key for all connections', 1_500, 30, 60)],
    [phase('strong PUT, light load', 500, 5, 9), phase('strong GET, light load', 900, 3, 6), phase('strong PUT, own key per connection, light load', 700, 4, 8)],
  ),
  delayed: round(
    50,
    [phase('eventual N=3 PUT', 3_900, 8.5, 31), phase('eventual N=3 GET', 7_900, 3.1, 12)],
    [phase('strong PUT', 200, 250, 400, { non2xx: 2, notes: '503 CONTENDED×2' }), phase('strong GET', 450, 110, 160), phase('strong PUT, one key for all connections', 300, 160, 230)],
    [phase('strong PUT, light load', 19, 206.4, 230), phase('strong GET, light load', 38, 104, 130), phase('strong PUT, own key per connection, light load', 37, 105.5, 140)],
  ),
};

describe('strong report', () => {
  const text = formatStrongReport(result);

  it('lists every phase with its link delay, connections and failures', () => {
    expect(text).toContain('load on us-east\'s gateway, 8 s per phase after 2 s warm-up');
    expect(text).toContain('eventual: bench-n3 (N=3, R=2, W=2), acknowledged in us-east; strong: bench-strong (strong)');
    expect(text).toMatch(/strong PUT\s+0 ms\s+50\s+2000\s+12\.00\s+40\.00\s+0\s+0\s+0\s+0/);
    expect(text).toMatch(/strong PUT\s+50 ms\s+50\s+200\s+250\.00\s+400\.00\s+2\s+0\s+0\s+0/);
    expect(text).toMatch(/strong GET, light load\s+50 ms\s+4\s+38\s+104\.00\s+130\.00/);
    expect(text).toMatch(/eventual N=3 GET\s+50 ms\s+50\s+7900\s+3\.10/);
    expect(text).toContain('strong PUT, 50 ms: 503 CONTENDED×2');
    expect(text).toContain('WARNING: 2 failed requests or wrong bodies');
  });

  it('compares strong with eventual under load in each round', () => {
    expect(text).toContain('0 ms:    PUT 0.50x (p50 12.0 vs 8.0 ms)   GET 0.50x (p50 6.0 vs 3.0 ms)');
    expect(text).toContain('50 ms:   PUT 0.05x (p50 250.0 vs 8.5 ms)');
  });

  it('holds the delayed light-load strong latencies against the round trips they need', () => {
    expect(text).toContain('RTT 100 ms (measured, median Redis PING through the proxy: us-east→eu-west 100.8 ms, us-east→ap-south 101.1 ms)');
    expect(text).toContain('strong PUT, 4 connections: latency p50 206.4 ms vs 2×RTT = 200 ms (+6.4 ms, +3%); p99 230.0 ms (+30.0 ms, +15%)');
    expect(text).toContain('without delay p50 5.0 ms: the delay added 201.4 ms (2×RTT = 200 ms)');
    expect(text).toContain(
      'strong PUT, each connection to a key of its own (held ballots), 4 connections: latency p50 105.5 ms vs 1×RTT = 100 ms (+5.5 ms, +6%); p99 140.0 ms; without delay p50 4.0 ms',
    );
    expect(text).toMatch(/strong PUT, own key per connection, light load\s+50 ms\s+4\s+37\s+105\.50/);
    expect(text).toContain('strong GET, 4 connections: latency p50 104.0 ms vs 1×RTT = 100 ms (+4.0 ms, +4%), 2×RTT = 200 ms (-96.0 ms, -48%); p99 130.0 ms');
    expect(text).toContain('without delay p50 3.0 ms: the delay added 101.0 ms (1×RTT = 100 ms)');
    expect(text).toContain('under load (50 connections): strong PUT p50 250.0 ms (+50.0 ms, +25% over 2×RTT; 12.0 ms without delay)');
    expect(text).toContain('eventual PUT p50 8.5 ms (8.0 ms without delay), GET p50 3.1 ms (3.0 ms): both are answered in us-east');
    expect(text).toContain('a closed loop of 50 connections at the loaded strong PUT\'s p50 makes about 200 PUT/s; measured 200');
    expect(text).toContain(
      'strong PUT, all 50 connections on one key (they share rounds): 300 ok/s, p50 160.0 ms (a round already running, then its own: up to 2×RTT = 200 ms); without delay 1500 ok/s, p50 30.0 ms',
    );
    expect(text).toMatch(/strong PUT, one key for all connections\s+50 ms\s+50\s+300\s+160\.00/);
  });

  it('says nothing alarming when nothing failed', () => {
    const clean = { ...result, delayed: { ...result.delayed, strong: { ...result.delayed.strong, put: phase('strong PUT', 200, 250, 400) } } };
    expect(formatStrongReport(clean)).not.toContain('WARNING');
  });

  it('signs the excess and gives it as a share of the expectation', () => {
    expect(excess(203.25, 200)).toBe('+3.3 ms, +2%');
    expect(excess(95, 100)).toBe('-5.0 ms, -5%');
    expect(excess(3, 0)).toBe('+3.0 ms');
  });
});
