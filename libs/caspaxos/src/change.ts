/**
 * What an operation does to the register, CASPaxos-style: a pure function from the current value (null:
 * empty) to the next value and the operation's answer. Reads, writes, deletes and compare-and-set are all
 * changes; a change that keeps the value returns the very `current` it was given (same reference), which
 * lets the proposer skip the accept phase when the current value is already chosen.
 */
export type Change<V, R> = (current: V | null) => ChangeOutcome<V, R>;

export interface ChangeOutcome<V, R> {
  readonly next: V | null;
  readonly result: R;
}

/** Whether a change left the register as it was (see Change). */
export function isUnchanged<V, R>(current: V | null, outcome: ChangeOutcome<V, R>): boolean {
  return outcome.next === current;
}
