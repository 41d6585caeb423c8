import { ballotsEqual, maxBallot, type Ballot } from './ballot';
import type { AcceptorState } from './acceptor';
import { currentValueOf } from './current-value';
import type { AcceptorLinks } from './proposer';

/*
 * Garbage collection of empty registers. An acceptor cannot simply drop a deleted key's row: a message
 * still in flight (a prepare or accept under an older ballot) would then meet no promise and be taken, and
 * an old value could come back. Nor may one acceptor drop its row while another still holds an older
 * value: a later quorum of the two would report that value as the newest. So, as the CASPaxos paper
 * suggests, a collector first makes *every* acceptor hold the same empty value under one fresh ballot
 * (a round that needs all acceptors, not a majority), and only then asks each to drop its row if it is
 * still exactly that. Each acceptor keeps a **floor**, the highest ballot of any row it dropped, and treats
 * a key it has no row for as promised to its floor: anything older is refused, as the row would have.
 *
 * Why that is safe: once every acceptor has accepted (b, empty), every acceptor's accepted ballot is at
 * least b for good (rows only move forward, and a dropped row leaves a floor of at least b), so no
 * message under an older ballot is ever taken again, and any ballot above b was prepared after its
 * acceptors had accepted b, so its value derives from the empty register or something newer. A dropped
 * row reports nothing accepted, which reads as the same empty register. A row that moved on before its
 * drop (a new write) is kept, since only (b, b, empty) is dropped. What a dropped row cannot tell is that a
 * write was emptied from it, which a retrying writer needs to know: hence the age rule of emptyForCollection.
 *
 * The floor is one ballot per acceptor, not per key, so a key that acceptor never saw is refused below
 * it too: that costs a proposer a retry with a higher ballot, never safety. Whoever moves an acceptor's
 * rows elsewhere (a rebalance's handover, a rebuild) must raise the new holder's floor to the old one's.
 */

/** How an acceptor that holds no row for a key answers: nothing accepted, everything up to its floor refused. */
export function absentState<V>(floor: Ballot | null): AcceptorState<V> {
  return { promised: floor, accepted: null };
}

/** Whether a row is exactly what collection round `ballot` left, and nothing has touched it since. */
export function isCollectable<V>(state: AcceptorState<V>, ballot: Ballot): boolean {
  return ballotsEqual(state.promised, ballot) && state.accepted !== null && ballotsEqual(state.accepted.ballot, ballot) && state.accepted.value === null;
}

/** One acceptor's row and floor after it is asked to drop the row collection round `ballot` emptied. */
export function collectRow<V>(row: AcceptorState<V> | null, floor: Ballot | null, ballot: Ballot): { row: AcceptorState<V> | null; floor: Ballot | null } {
  if (row === null || !isCollectable(row, ballot)) return { row, floor };
  return { row: null, floor: maxBallot(floor, ballot) };
}

export type CollectionOutcome =
  /** Every acceptor accepted the empty register under `ballot`: each may now drop its row (collectRow). */
  | { readonly kind: 'emptied'; readonly ballot: Ballot }
  /** Kept for now: an acceptor did not answer, or the register holds a value that is not garbage, or not old. */
  | { readonly kind: 'kept'; readonly reason: 'unreachable' | 'live' }
  /** Kept for now: an acceptor had seen `conflict`, a ballot at least as high; a later round must go above it. */
  | { readonly kind: 'kept'; readonly reason: 'refused'; readonly conflict: Ballot };

/**
 * The first half of collecting one key: a round of `ballot` that must be promised and accepted by every
 * acceptor, which looks at the register's newest value (`isGarbage`: a tombstone, an expired value, none)
 * and accepts the empty register in its place. Nothing is dropped here; after `emptied` the caller asks
 * every acceptor to drop its row (collectRow), and an acceptor that misses that request keeps a row that a
 * later round collects. A failed round leaves higher promises behind, which is all any failed round does.
 *
 * The newest value must also be old: accepted under a ballot whose counter is below `acceptedBefore`
 * (counters start from their proposer's clock in milliseconds, so this is "written before"). A value
 * written by an operation that may still be retrying is never collected: that operation's retry decides
 * from what its prepare reveals whether its earlier write took effect (EarlierAttempts), and a register
 * emptied and dropped meanwhile would reveal nothing, so a conditional delete that had taken effect could
 * be judged not to have and reported as failed. Operations retry for seconds; the cut-off lies a grace
 * period (an hour by default) in the past.
 */
export async function emptyForCollection<V>(
  links: AcceptorLinks<V>,
  ballot: Ballot,
  isGarbage: (value: V | null) => boolean,
  acceptedBefore: number,
): Promise<CollectionOutcome> {
  const acceptors = Array.from({ length: links.count }, (_, acceptor) => acceptor);
  const prepared = await Promise.allSettled(acceptors.map((acceptor) => links.prepare(acceptor, ballot)));
  const promises = [];
  for (const answer of prepared) {
    if (answer.status === 'rejected') return { kind: 'kept', reason: 'unreachable' };
    if (!answer.value.promised) return { kind: 'kept', reason: 'refused', conflict: answer.value.conflict };
    promises.push(answer.value.accepted);
  }
  const newest = currentValueOf(promises);
  if (!isGarbage(newest.value) || (newest.ballot !== null && newest.ballot.counter >= acceptedBefore)) return { kind: 'kept', reason: 'live' };
  const accepted = await Promise.allSettled(acceptors.map((acceptor) => links.accept(acceptor, ballot, null, null)));
  for (const answer of accepted) {
    if (answer.status === 'rejected') return { kind: 'kept', reason: 'unreachable' };
    if (!answer.value.accepted) return { kind: 'kept', reason: 'refused', conflict: answer.value.conflict };
  }
  return { kind: 'emptied', ballot };
}
