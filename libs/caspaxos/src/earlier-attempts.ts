import { ballotsEqual, compareBallots, type Ballot } from './ballot';
import type { ChangeOutcome } from './change';
import type { CurrentValue } from './current-value';

/**
 * What a value tells about one operation, given the values the operation's attempts wrote: `own` if one
 * of its writes is in the value's lineage (the value is that write or derives from it), `absent` if the
 * lineage is known far enough back to show that none of them is in it, `unknown` otherwise. A register
 * that records the ids of the operations that made it (as geokv's strong values do) can answer; one that
 * records nothing answers `unknown`.
 */
export type Recognise<V> = (value: V | null, writes: readonly V[]) => 'own' | 'absent' | 'unknown';

/** What a retry may do with the value its prepare revealed, given the operation's earlier attempts. */
export type RetryDecision<R> =
  /** None of this operation's writes can have taken effect: apply the change afresh. */
  | { readonly kind: 'apply' }
  /** The revealed value is this operation's own: finish that attempt (re-accept the value) with its answer. */
  | { readonly kind: 'finish'; readonly result: R }
  /** An earlier write may have taken effect and been built upon since: applying again could apply it twice. */
  | { readonly kind: 'unknown' };

/**
 * The attempts of one operation that got as far as sending an accept. A retry must never apply a
 * non-idempotent change twice, and an accept that failed may still have been accepted by a minority and
 * be carried forward later by another proposer. So each retry checks what its prepare revealed (the value
 * accepted under the highest ballot of a majority, which derives from every value ever chosen):
 * - its own write, or a value derived from it (by ballot, or as `recognise` tells): the earlier attempt
 *   is the one that took effect; finish it with that attempt's answer;
 * - a value whose full lineage lacks the operation, or one accepted under a ballot older than the
 *   operation's first write: no earlier write of it was ever chosen, and completing this round (a higher
 *   ballot accepted by a majority) makes sure none ever will be, so applying the change again is safe;
 * - anything else: the earlier write may have been chosen and built upon, so the outcome is unknown.
 * Accepts that only re-proposed the current value (a read, a failed precondition) change nothing and
 * never make a retry unsafe.
 */
export class EarlierAttempts<V, R> {
  private readonly sent: { ballot: Ballot; outcome: ChangeOutcome<V, R> }[] = [];
  private firstWrite: Ballot | null = null;
  private lastWrite: ChangeOutcome<V, R> | null = null;
  private readonly written: V[] = [];

  constructor(private readonly recognise: Recognise<V> = () => 'unknown') {}

  /** Records an accept about to be sent; `wrote` when it changes the value rather than re-proposing it. */
  record(ballot: Ballot, outcome: ChangeOutcome<V, R>, wrote: boolean): void {
    this.sent.push({ ballot, outcome });
    if (wrote) {
      this.firstWrite ??= ballot;
      this.lastWrite = outcome;
      if (outcome.next !== null) this.written.push(outcome.next);
    }
  }

  /** Whether some accept of this operation that changed the value was sent: it may yet take effect. */
  get mayHaveWritten(): boolean {
    return this.firstWrite !== null;
  }

  decide(current: CurrentValue<V>): RetryDecision<R> {
    const own = this.sent.find((attempt) => current.ballot !== null && ballotsEqual(attempt.ballot, current.ballot));
    if (own !== undefined) return { kind: 'finish', result: own.outcome.result };
    if (this.lastWrite === null) return { kind: 'apply' };
    const lineage = this.recognise(current.value, this.written);
    if (lineage === 'own') return { kind: 'finish', result: this.lastWrite.result };
    if (lineage === 'absent' || compareBallots(current.ballot, this.firstWrite) < 0) return { kind: 'apply' };
    return { kind: 'unknown' };
  }
}
