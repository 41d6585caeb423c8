import { ballotsEqual, compareBallots, type Ballot } from './ballot';
import type { Accepted } from './acceptor';

export interface CurrentValue<V> {
  /** The value accepted under the highest ballot among the promises; null when none was accepted. */
  readonly value: V | null;
  readonly ballot: Ballot | null;
  /**
   * Every promise reported the same accepted ballot: that value is already accepted by a majority, so it
   * is chosen, and an operation that leaves it unchanged may answer without an accept phase.
   *
   * Why this keeps reads linearizable: any value chosen before the read began was accepted by a majority,
   * which shares an acceptor with this one; accepted ballots only grow, so that acceptor would report it
   * or something newer, and all agreeing means nothing newer than `value` was chosen when the read began,
   * while `value` itself is chosen by the time the promises arrive. Do not relax this to "most promises
   * agree": a value accepted by a minority may still lose.
   */
  readonly settled: boolean;
}

/**
 * The register's current value as a majority of promises reveals it (CASPaxos: the value accepted under
 * the highest ballot). `promises` are the `accepted` fields of a quorum of promises.
 */
export function currentValueOf<V>(promises: readonly (Accepted<V> | null)[]): CurrentValue<V> {
  if (promises.length === 0) throw new RangeError('currentValueOf needs at least one promise');
  let newest: Accepted<V> | null = null;
  for (const accepted of promises) {
    if (accepted !== null && compareBallots(accepted.ballot, newest?.ballot ?? null) > 0) newest = accepted;
  }
  const ballot = newest?.ballot ?? null;
  const settled = promises.every((accepted) => ballotsEqual(accepted?.ballot ?? null, ballot));
  return { value: newest?.value ?? null, ballot, settled };
}
