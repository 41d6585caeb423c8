import fc from 'fast-check';
import { InvalidTimestampError } from './errors';
import { compareHlc, HybridLogicalClock, type HlcTimestamp } from './hlc';

const ts = (wallMs: number, logical: number): HlcTimestamp => ({ wallMs, logical });

describe('hybrid logical clock', () => {
  it('orders timestamps by wall time, then by logical counter', () => {
    expect(compareHlc(ts(1, 9), ts(2, 0))).toBe(-1);
    expect(compareHlc(ts(2, 1), ts(2, 0))).toBe(1);
    expect(compareHlc(ts(2, 1), ts(2, 1))).toBe(0);
  });

  it('follows physical time when it advances and counts logically when it does not', () => {
    const clock = new HybridLogicalClock();
    expect(clock.tick(100)).toEqual(ts(100, 0));
    expect(clock.tick(100)).toEqual(ts(100, 1));
    expect(clock.tick(90)).toEqual(ts(100, 2)); // physical clock stepped back
    expect(clock.tick(101)).toEqual(ts(101, 0));
    expect(clock.current()).toEqual(ts(101, 0));
  });

  it('applies the receive rules of Kulkarni et al.', () => {
    const clock = new HybridLogicalClock({ initial: ts(100, 4) });
    expect(clock.observe(ts(200, 7), 150)).toEqual(ts(200, 8)); // remote ahead: adopt its time
    expect(clock.observe(ts(200, 3), 150)).toEqual(ts(200, 9)); // same wall time: max logical + 1
    expect(clock.observe(ts(50, 99), 150)).toEqual(ts(200, 10)); // remote behind: local counter + 1
    expect(clock.observe(ts(250, 5), 300)).toEqual(ts(300, 0)); // physical time ahead of both: reset
  });

  it('resumes after a restart from a persisted timestamp', () => {
    const clock = new HybridLogicalClock({ initial: ts(500, 3) });
    expect(clock.tick(10)).toEqual(ts(500, 4));
  });

  it('rejects a remote timestamp further ahead than maxOffsetMs, leaving its state unchanged', () => {
    const clock = new HybridLogicalClock({ maxOffsetMs: 500 });
    expect(clock.observe(ts(1_500, 0), 1_000)).toEqual(ts(1_500, 1));
    expect(() => clock.observe(ts(2_501, 0), 2_000)).toThrow(InvalidTimestampError);
    expect(clock.current()).toEqual(ts(1_500, 1));
  });

  it.each([ts(-1, 0), ts(1.5, 0), ts(Number.NaN, 0), ts(1, -1), ts(1, Number.POSITIVE_INFINITY)])(
    'rejects the malformed remote timestamp %p',
    (remote) => {
      expect(() => new HybridLogicalClock().observe(remote, 0)).toThrow(InvalidTimestampError);
    },
  );

  it.each([-1, 0.5, Number.NaN])('rejects physical time %p', (nowMs) => {
    expect(() => new HybridLogicalClock().tick(nowMs)).toThrow(RangeError);
  });

  it('refuses to wrap its logical counter instead of repeating a timestamp', () => {
    const clock = new HybridLogicalClock({ initial: ts(5, Number.MAX_SAFE_INTEGER) });
    expect(() => clock.tick(0)).toThrow(RangeError);
  });

  describe('properties', () => {
    const now = fc.integer({ min: 0, max: 1_000_000 });
    const remote = fc.record({ wallMs: now, logical: fc.nat(20) });
    const event = fc.oneof(
      fc.record({ kind: fc.constant('tick' as const), now }),
      fc.record({ kind: fc.constant('observe' as const), now, remote }),
    );

    it('tick is strictly increasing for any sequence of physical times, including decreasing ones', () => {
      fc.assert(
        fc.property(fc.array(now, { minLength: 1, maxLength: 50 }), (nows) => {
          const clock = new HybridLogicalClock();
          let previous = clock.current();
          for (const n of nows) {
            const next = clock.tick(n);
            expect(compareHlc(next, previous)).toBe(1);
            previous = next;
          }
        }),
      );
    });

    it('every result exceeds the previous one and the observed remote, and never runs ahead of the inputs', () => {
      fc.assert(
        fc.property(fc.array(event, { minLength: 1, maxLength: 50 }), (events) => {
          const clock = new HybridLogicalClock();
          let previous = clock.current();
          let latestInput = 0;
          for (const e of events) {
            const next = e.kind === 'tick' ? clock.tick(e.now) : clock.observe(e.remote, e.now);
            expect(compareHlc(next, previous)).toBe(1);
            if (e.kind === 'observe') expect(compareHlc(next, e.remote)).toBe(1);
            // The wall component is always a time some input carried: HLC stays within skew of real time.
            latestInput = Math.max(latestInput, e.now, e.kind === 'observe' ? e.remote.wallMs : 0);
            expect(next.wallMs).toBeLessThanOrEqual(latestInput);
            previous = next;
          }
        }),
      );
    });
  });
});
