import { majorityOf } from '@geokv/caspaxos';

/**
 * When each region's acceptor last answered this gateway (any answer, yes or no), to tell whether a
 * majority of regions is within reach now. Held ballots are used only then: an accept under one is the
 * operation's first message, and sent from a region cut off from the others it reaches that region's
 * acceptor alone, which may still carry it into a later majority, so the write would have to be answered
 * "outcome unknown" rather than "not applied".
 */
export class RecentAnswers {
  private readonly answeredAtMs: number[];

  constructor(readonly acceptors: number) {
    this.answeredAtMs = new Array<number>(acceptors).fill(Number.NEGATIVE_INFINITY);
  }

  record(acceptor: number, nowMs: number): void {
    this.answeredAtMs[acceptor] = nowMs;
  }

  /** Whether a majority of the acceptors answered at or after `nowMs - withinMs`. Asked per strong operation: no allocation. */
  majorityWithin(nowMs: number, withinMs: number): boolean {
    const since = nowMs - withinMs;
    let recent = 0;
    for (const at of this.answeredAtMs) if (at >= since) recent += 1;
    return recent >= majorityOf(this.acceptors);
  }
}
