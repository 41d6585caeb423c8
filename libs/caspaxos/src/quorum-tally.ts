import { maxBallot, type Ballot } from './ballot';

export type TallyOutcome = 'pending' | 'quorum' | 'rejected' | 'no-quorum';

/** A majority of `acceptors`: any two majorities share an acceptor, which is what Paxos rests on. */
export function majorityOf(acceptors: number): number {
  return Math.floor(acceptors / 2) + 1;
}

/**
 * How many of the other acceptors' states must be merged to rebuild one lost acceptor's: enough to meet every
 * majority that included the lost one (each holds majorityOf(acceptors) - 1 of the others), so that whatever
 * such a majority promised or chose, one of them holds too.
 */
export function survivorsToRebuildFrom(acceptors: number): number {
  // Of the acceptors - 1 others, a majority with the lost one used majorityOf(acceptors) - 1: one more than the rest.
  return acceptors - majorityOf(acceptors) + 1;
}

/**
 * Counts one phase's answers from a fixed set of acceptors and decides as early as the answers allow: a
 * quorum of yeses, or a quorum made impossible. A phase never waits for the slowest acceptor once a
 * majority agreed, which is why one region cut off costs the others nothing.
 */
export class QuorumTally {
  readonly quorum: number;
  private yeses = 0;
  private rejections = 0;
  private silences = 0;
  private highestConflict: Ballot | null = null;

  constructor(readonly acceptors: number) {
    if (!Number.isInteger(acceptors) || acceptors < 1) throw new RangeError(`acceptors must be a positive whole number: ${acceptors}`);
    this.quorum = majorityOf(acceptors);
  }

  yes(): void {
    this.yeses += 1;
  }

  /** The acceptor refused: it has seen `conflict`, a ballot at least as high as the proposer's. */
  no(conflict: Ballot): void {
    this.rejections += 1;
    this.highestConflict = maxBallot(this.highestConflict, conflict);
  }

  /** No answer: the acceptor is down, cut off or too slow. */
  silent(): void {
    this.silences += 1;
  }

  /**
   * `quorum` once a majority said yes; otherwise, once a majority can no longer say yes, `rejected` if any
   * acceptor refused (contention: a higher ballot can win) or `no-quorum` if they were only silent (a
   * retry would meet the same silence).
   */
  outcome(): TallyOutcome {
    if (this.yeses >= this.quorum) return 'quorum';
    const undecided = this.acceptors - this.yeses - this.rejections - this.silences;
    if (this.yeses + undecided >= this.quorum) return 'pending';
    return this.rejections > 0 ? 'rejected' : 'no-quorum';
  }

  /** The highest ballot an acceptor refused with; what the next ballot must exceed. */
  conflict(): Ballot | null {
    return this.highestConflict;
  }
}
