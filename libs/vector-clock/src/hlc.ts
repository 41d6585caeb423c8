import { InvalidTimestampError } from './errors';

/**
 * A hybrid logical clock timestamp (Kulkarni et al. 2014): the largest physical time seen, in ms, plus a
 * logical counter that orders events sharing that wall time. Ordered lexicographically by (wallMs,
 * logical), it respects causality and stays within the clock skew of real time, which makes it a sound
 * last-writer-wins timestamp.
 */
export type HlcTimestamp = {
  readonly wallMs: number;
  readonly logical: number;
};

export interface HybridLogicalClockOptions {
  /** State to resume from, e.g. the last timestamp persisted before a restart. Default {0, 0}. */
  readonly initial?: HlcTimestamp;
  /**
   * Reject remote timestamps whose wall time is more than this far ahead of our physical clock.
   * Without a bound, one node with a clock set to the year 3000 drags every clock it talks to into the
   * future for good (every later write then wins LWW). Default: no bound.
   */
  readonly maxOffsetMs?: number;
}

/** Total order: negative when a < b, 0 when equal, positive when a > b. */
export function compareHlc(a: HlcTimestamp, b: HlcTimestamp): -1 | 0 | 1 {
  if (a.wallMs !== b.wallMs) return a.wallMs < b.wallMs ? -1 : 1;
  if (a.logical !== b.logical) return a.logical < b.logical ? -1 : 1;
  return 0;
}

/**
 * A pure HLC: it never reads the system clock; callers pass the physical time into every method, so
 * tests can drive it with any sequence of times. State changes only through tick and observe.
 */
export class HybridLogicalClock {
  private last: HlcTimestamp;
  private readonly maxOffsetMs: number;

  /** @throws InvalidTimestampError for an invalid initial timestamp; RangeError for a negative maxOffsetMs. */
  constructor(options: HybridLogicalClockOptions = {}) {
    const initial = options.initial ?? { wallMs: 0, logical: 0 };
    assertValidTimestamp(initial);
    this.last = Object.freeze({ wallMs: initial.wallMs, logical: initial.logical });
    this.maxOffsetMs = options.maxOffsetMs ?? Number.POSITIVE_INFINITY;
    if (!(this.maxOffsetMs >= 0)) throw new RangeError(`maxOffsetMs must be ≥ 0, got ${options.maxOffsetMs}`);
  }

  /** The latest timestamp issued or observed; persist it to resume monotonically after a restart. */
  current(): HlcTimestamp {
    return this.last;
  }

  /**
   * Timestamps a local event (a send or a write). Guarantees: the result is strictly greater than every
   * timestamp this clock has returned or observed, even when nowMs goes backwards.
   * @throws RangeError when nowMs is not a non-negative safe integer.
   */
  tick(nowMs: number): HlcTimestamp {
    assertValidNow(nowMs);
    const wallMs = Math.max(this.last.wallMs, nowMs);
    const logical = wallMs === this.last.wallMs ? this.last.logical + 1 : 0;
    return this.advance(wallMs, logical);
  }

  /**
   * Timestamps the receipt of a message stamped `remote`. Guarantees: the result is strictly greater
   * than `remote` and than every timestamp this clock has returned or observed.
   * @throws InvalidTimestampError when remote is not a valid timestamp or is too far ahead (maxOffsetMs).
   * @throws RangeError when nowMs is not a non-negative safe integer.
   */
  observe(remote: HlcTimestamp, nowMs: number): HlcTimestamp {
    assertValidNow(nowMs);
    assertValidTimestamp(remote);
    if (remote.wallMs - nowMs > this.maxOffsetMs) {
      throw new InvalidTimestampError(`${remote.wallMs - nowMs} ms ahead of local time (max ${this.maxOffsetMs})`);
    }
    const wallMs = Math.max(this.last.wallMs, remote.wallMs, nowMs);
    const local = wallMs === this.last.wallMs;
    const fromRemote = wallMs === remote.wallMs;
    let logical = 0;
    if (local && fromRemote) logical = Math.max(this.last.logical, remote.logical) + 1;
    else if (local) logical = this.last.logical + 1;
    else if (fromRemote) logical = remote.logical + 1;
    return this.advance(wallMs, logical);
  }

  private advance(wallMs: number, logical: number): HlcTimestamp {
    // Past 2^53 the increment would round to the same value and break strict monotonicity. Unreachable
    // by counting events; only a corrupt remote near the limit could get here, so refuse it loudly.
    if (!Number.isSafeInteger(logical)) throw new RangeError('HLC logical counter exhausted');
    this.last = Object.freeze({ wallMs, logical });
    return this.last;
  }
}

function assertValidNow(nowMs: number): void {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0) {
    throw new RangeError(`physical time must be a non-negative integer of ms, got ${nowMs}`);
  }
}

function assertValidTimestamp(ts: HlcTimestamp): void {
  const valid = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if (!valid(ts.wallMs) || !valid(ts.logical)) {
    throw new InvalidTimestampError(`wallMs and logical must be non-negative integers, got ${JSON.stringify(ts)}`);
  }
}
