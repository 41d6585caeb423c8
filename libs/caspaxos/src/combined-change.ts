import type { Change } from './change';
import type { ProposalOutcome } from './proposer';

/**
 * Several operations' changes as one change that applies them in order, each to the value the one before
 * it left, and answers with every result. A proposer that has several operations waiting on one key runs
 * them in a single round this way: only the last value is proposed, and each operation takes effect (or
 * not) with the round, at its place in the order, so the batch stays linearizable.
 *
 * When no change alters the value, the combined change returns the very `current` it was given, so the
 * proposer can still skip the accept of an already chosen value (see isUnchanged).
 */
export function combineChanges<V, R>(changes: readonly Change<V, R>[]): Change<V, R[]> {
  return (current) => {
    let value = current;
    const results: R[] = [];
    for (const change of changes) {
      const outcome = change(value);
      value = outcome.next;
      results.push(outcome.result);
    }
    return { next: value, result: results };
  };
}

/**
 * The outcome of a round that ran `count` operations combined (combineChanges), as each operation's own:
 * its result at its place in the order, or the failure they all share.
 */
export function outcomePerOperation<R>(outcome: ProposalOutcome<readonly R[]>, count: number): ProposalOutcome<R>[] {
  return Array.from({ length: count }, (_, index) => (outcome.kind === 'done' ? { kind: 'done', result: outcome.result[index] } : outcome));
}
