import { compareBallots, maxBallot, type Ballot } from './ballot';

/** What one acceptor stores for one key. */
export interface AcceptorState<V> {
  /** The highest ballot it promised (in a prepare) or accepted; null when it has seen none. */
  readonly promised: Ballot | null;
  /** The last value it accepted and under which ballot; null when it never accepted one. */
  readonly accepted: Accepted<V> | null;
}

export interface Accepted<V> {
  readonly ballot: Ballot;
  /** null: the register is empty (never written, or deleted). */
  readonly value: V | null;
}

export const EMPTY_ACCEPTOR: AcceptorState<never> = { promised: null, accepted: null };

export type PrepareReply<V> =
  | { readonly promised: true; readonly accepted: Accepted<V> | null }
  /** `conflict` is the acceptor's higher ballot, so the proposer's next one can go above it. */
  | { readonly promised: false; readonly conflict: Ballot };

/**
 * `promisedNext`: the acceptor also promised the accept's `promiseNext` ballot (see `accept`). Absent from an
 * acceptor of an earlier release, which ignores the request: its yes holds no promise for the next ballot.
 */
export type AcceptReply = { readonly accepted: true; readonly promisedNext?: boolean } | { readonly accepted: false; readonly conflict: Ballot };

/** The highest ballot an acceptor has taken part in: what a new ballot must exceed. */
function highestSeen<V>(state: AcceptorState<V>): Ballot | null {
  return compareBallots(state.promised, state.accepted?.ballot ?? null) >= 0 ? state.promised : state.accepted!.ballot;
}

/**
 * Phase 1. Promises `ballot` (never to accept a lower one) if it is above every ballot seen, and reports
 * what was accepted last. An equal ballot is refused too: a proposer never reuses one, so an equal ballot
 * is a replayed message, and answering it twice could hand the proposer a promise it already spent.
 *
 * The storage node implements exactly this rule as a guarded `INSERT … ON CONFLICT … WHERE` (see
 * acceptor-statements.ts in the storage node); a retried or reordered message can therefore never move an
 * acceptor's state backwards.
 */
export function prepare<V>(state: AcceptorState<V>, ballot: Ballot): { state: AcceptorState<V>; reply: PrepareReply<V> } {
  const seen = highestSeen(state);
  if (compareBallots(ballot, seen) <= 0) return { state, reply: { promised: false, conflict: seen! } };
  return { state: { promised: ballot, accepted: state.accepted }, reply: { promised: true, accepted: state.accepted } };
}

/**
 * Phase 2. Accepts `value` under `ballot` unless the acceptor has promised a higher ballot or already
 * accepted this one or a higher one. Accepting a ballot equal to the promise is the normal case (the
 * proposer's own prepare); accepting one above it without a prepare is what a one-round-trip proposer does.
 *
 * With `promiseNext` (a ballot above `ballot`, reserved by the same proposer), an acceptance also promises
 * that ballot, as if its prepare had arrived just after the accept: CASPaxos's one-round-trip optimisation.
 * A majority that accepted `value` this way has, in effect, answered the next ballot's prepare with
 * `value`, so the proposer's next operation on the key may go straight to its accept (see HeldBallot).
 */
export function accept<V>(
  state: AcceptorState<V>,
  ballot: Ballot,
  value: V | null,
  promiseNext: Ballot | null = null,
): { state: AcceptorState<V>; reply: AcceptReply } {
  const promisedHigher = compareBallots(state.promised, ballot) > 0;
  const acceptedAlready = state.accepted !== null && compareBallots(state.accepted.ballot, ballot) >= 0;
  if (promisedHigher || acceptedAlready) return { state, reply: { accepted: false, conflict: highestSeen(state)! } };
  const promisesNext = promiseNext !== null && compareBallots(promiseNext, ballot) > 0;
  const reply: AcceptReply = promisesNext ? { accepted: true, promisedNext: true } : { accepted: true };
  return { state: { promised: promisesNext ? promiseNext : ballot, accepted: { ballot, value } }, reply };
}

/**
 * The state of an acceptor that has taken part in everything either input took part in: the higher
 * promise and the later acceptance. When a rebalance moves a key's acceptor to another node, the new node
 * merges the old one's final state into whatever it holds: a copy left from an earlier spell as the key's
 * acceptor can only be older, so the merge is the old node's state, and a handover sent twice changes
 * nothing. Commutative, associative and idempotent.
 */
export function mergeAcceptorStates<V>(a: AcceptorState<V>, b: AcceptorState<V>): AcceptorState<V> {
  const accepted = compareBallots(a.accepted?.ballot ?? null, b.accepted?.ballot ?? null) >= 0 ? a.accepted : b.accepted;
  return { promised: maxBallot(a.promised, b.promised), accepted };
}
