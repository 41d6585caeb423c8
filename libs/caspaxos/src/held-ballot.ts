import type { Ballot } from './ballot';

/**
 * A ballot that a majority of acceptors promised this proposer in the same step as accepting `value`
 * (CASPaxos's one-round-trip optimisation; see `accept`'s `promiseNext`). Those promises are a prepare's
 * answers given in advance, and they all report `value`: until some other proposer's prepare outbids the
 * ballot, `value` is the register's current value and an accept under the ballot needs no prepare. If one
 * has outbid it, the accept is refused by every acceptor of that prepare's majority, so it cannot reach a
 * majority of its own, and the proposer falls back to a prepare.
 *
 * A held ballot must carry one value only: two operations accepting different values under the same ballot
 * would break Paxos. So a proposer hands it to one operation at a time (`take` removes it).
 */
export interface HeldBallot<V> {
  readonly ballot: Ballot;
  readonly value: V | null;
}

/** Where a proposer keeps the ballot it holds for one key between operations. */
export interface BallotHold<V> {
  /** The held ballot, removed so that no other operation can use it; null when none is held. */
  take(): HeldBallot<V> | null;
  /** A majority promised `held.ballot` when accepting `held.value`: the next operation may use it. */
  keep(held: HeldBallot<V>): void;
  /** The ballot taken was refused: another proposer has used the key since. */
  refused(): void;
}
