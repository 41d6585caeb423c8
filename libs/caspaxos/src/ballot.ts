/**
 * A CASPaxos ballot: a counter, made unique across every proposer of every region by the proposer's id.
 * Ballots are totally ordered by (counter, proposer); proposer ids are compared by code unit, which for
 * the ASCII ids geokv issues is the same order as PostgreSQL's `COLLATE "C"` (the acceptor compares them
 * in SQL too, and the two orders must agree).
 */
export interface Ballot {
  /** A whole number below 2^53, so that it survives JSON and a PostgreSQL bigint unchanged. */
  readonly counter: number;
  readonly proposer: string;
}

/** Negative, zero or positive as `a` orders before, equal to or after `b`; null (no ballot) orders first. */
export function compareBallots(a: Ballot | null, b: Ballot | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  if (a.proposer === b.proposer) return 0;
  return a.proposer < b.proposer ? -1 : 1;
}

export function ballotsEqual(a: Ballot | null, b: Ballot | null): boolean {
  return compareBallots(a, b) === 0;
}

/** The higher of two ballots (null counts as lowest). */
export function maxBallot(a: Ballot | null, b: Ballot | null): Ballot | null {
  return compareBallots(a, b) >= 0 ? a : b;
}

/** Proposer ids are short printable ASCII: they are part of every ballot stored and sent. */
export const PROPOSER_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Issues one proposer's ballots. Each is higher than every ballot it issued before and every ballot it has
 * been told about (a rejection names the acceptor's ballot). Counters start from the wall clock in
 * milliseconds, so a freshly started proposer rarely begins below the ballots already stored and pays a
 * rejected round to learn them; the clock only speeds that up, correctness needs uniqueness and
 * monotonicity alone, which (counter, proposer) gives.
 */
export class BallotSource {
  private last = 0;

  constructor(readonly proposer: string) {
    if (!PROPOSER_ID.test(proposer)) throw new RangeError(`proposer id must match ${PROPOSER_ID}: ${JSON.stringify(proposer)}`);
  }

  /** A ballot above `floor` (the highest ballot seen for the key, if any) and above all this source issued. */
  next(nowMs: number, floor: Ballot | null = null): Ballot {
    const counter = Math.max(this.last + 1, Math.floor(nowMs), floor === null ? 0 : floor.counter + 1);
    if (!Number.isSafeInteger(counter)) throw new RangeError(`ballot counter overflow: ${counter}`);
    this.last = counter;
    return { counter, proposer: this.proposer };
  }

  /**
   * A ballot above all this source issued, set aside for an accept to promise (see `accept`'s
   * `promiseNext`): `next` never issues it, so it can only ever be used by the one operation that holds it.
   */
  reserve(): Ballot {
    const counter = this.last + 1;
    if (!Number.isSafeInteger(counter)) throw new RangeError(`ballot counter overflow: ${counter}`);
    this.last = counter;
    return { counter, proposer: this.proposer };
  }
}
