import type { PhaseResult } from './phase-result';
import { combineRounds, medianOf, pairedRatio } from './rounds';

function round(okPerSecond: number, fields: Partial<PhaseResult> = {}): PhaseResult {
  return { name: 'geokv PUT N=1', okPerSecond, p50Ms: 1, p99Ms: 2, non2xx: 0, errors: 0, timeouts: 0, wrongBodies: 0, notes: '', ...fields };
}

describe('bench rounds', () => {
  it('combines rounds: mean throughput, median p50, worst p99, every failure summed', () => {
    const combined = combineRounds([
      round(1_000, { p50Ms: 3, p99Ms: 9, non2xx: 2, notes: '503×2' }),
      round(2_000, { p50Ms: 1, p99Ms: 4, errors: 1, wrongBodies: 1 }),
      round(3_000, { p50Ms: 2, p99Ms: 30, timeouts: 4 }),
    ]);

    expect(combined).toMatchObject({ name: 'geokv PUT N=1', okPerSecond: 2_000, p50Ms: 2, p99Ms: 30, non2xx: 2, errors: 1, timeouts: 4, wrongBodies: 1 });
    expect(combined.notes).toBe('round 1: 503×2');
  });

  it('keeps non-2xx undefined where no round had HTTP, and refuses no rounds', () => {
    expect(combineRounds([round(5, { non2xx: undefined }), round(6, { non2xx: undefined })]).non2xx).toBeUndefined();
    expect(() => combineRounds([])).toThrow('at least one round');
  });

  it('weights each round\'s CPU per request by its requests, and drops CPU unless every round was metered', () => {
    const metered = combineRounds([
      round(1_000, { cpuMicrosPerOk: new Map([['gateway', 300], ['storage nodes', 100]]) }),
      round(3_000, { cpuMicrosPerOk: new Map([['gateway', 100]]) }),
    ]);
    expect(metered.cpuMicrosPerOk).toEqual(new Map([['gateway', 150], ['storage nodes', 25]]));
    expect(combineRounds([round(1_000, { cpuMicrosPerOk: new Map([['gateway', 1]]) }), round(1_000)]).cpuMicrosPerOk).toBeUndefined();
  });

  it('judges by the median of each round\'s ratio to the baseline measured beside it', () => {
    // The means would say 1,500 / 3,000 = 0.5, carried by the first round alone.
    const ratio = pairedRatio([round(1_000), round(1_500), round(2_000)], [round(5_000), round(2_000), round(2_000)]);
    expect(ratio.perRound).toEqual([0.2, 0.75, 1]);
    expect(ratio.median).toBe(0.75);
    expect(pairedRatio([round(10)], [round(0)]).median).toBe(0);
    expect(() => pairedRatio([round(1)], [])).toThrow('same number of rounds');
  });

  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(medianOf([3, 1, 2])).toBe(2);
    expect(medianOf([4, 1, 3, 2])).toBe(2.5);
    expect(medianOf([])).toBe(0);
  });
});
