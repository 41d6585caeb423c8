import { maxBallot, type Ballot, type BallotSource } from './ballot';
import type { Accepted, AcceptReply, PrepareReply } from './acceptor';
import { backoffMs } from './backoff';
import { isUnchanged, type Change, type ChangeOutcome } from './change';
import { EarlierAttempts, type Recognise } from './earlier-attempts';
import { currentValueOf, type CurrentValue } from './current-value';
import type { BallotHold } from './held-ballot';
import { QuorumTally, type TallyOutcome } from './quorum-tally';

/**
 * The proposer's way to the acceptors. A promise that rejects (timeout, unreachable) counts as silence;
 * the links own the per-message deadline. Nothing here does I/O itself, so the proposer runs the same
 * against in-memory acceptors in a simulation as against regions over Redis.
 */
export interface AcceptorLinks<V> {
  readonly count: number;
  prepare(acceptor: number, ballot: Ballot): Promise<PrepareReply<V>>;
  /** `promiseNext`: a ballot the acceptor should also promise on accepting (see `accept` in acceptor.ts). */
  accept(acceptor: number, ballot: Ballot, value: V | null, promiseNext: Ballot | null): Promise<AcceptReply>;
}

export interface ProposerEnvironment {
  nowMs(): number;
  /** A uniform draw from [0, 1), for the backoff's jitter. */
  random(): number;
  sleep(ms: number): Promise<void>;
}

export interface ProposerOptions {
  /** Past this, a proposal that keeps being outbid gives up (`contended`). */
  readonly deadlineMs: number;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
}

/** What the caller may want to count: every phase with its outcome and duration, and every retry. */
export interface ProposerObserver {
  phase(phase: 'prepare' | 'accept', outcome: TallyOutcome, ms: number): void;
  retry(): void;
}

/** One operation: its change function, and how to recognise a value it wrote (for safe retries). */
export interface Operation<V, R> {
  readonly change: Change<V, R>;
  /** Whether a value derives from this operation's write; absent: its writes are recognised by ballot only. */
  readonly recognise?: Recognise<V>;
}

export type ProposalOutcome<R> =
  | { readonly kind: 'done'; readonly result: R }
  | {
      readonly kind: 'failed';
      /** `no-quorum`: a majority of acceptors was unreachable; `contended`: outbid until the deadline. */
      readonly reason: 'no-quorum' | 'contended';
      /**
       * False when no accept message was ever sent for this operation: then it can never take effect.
       * True means it may still take effect later (a minority may hold it, and a later proposer finishes
       * what it finds), so the caller must report the outcome as unknown, never as "not applied".
       */
      readonly mayHaveApplied: boolean;
    };

const NO_OBSERVER: ProposerObserver = { phase: () => undefined, retry: () => undefined };

/**
 * Runs one CASPaxos operation to completion: prepare a ballot on a majority, apply `change` to the value
 * the promises reveal, have a majority accept the result. A rejected round is retried with a higher
 * ballot after a jittered pause; silence from a majority fails at once (`no-quorum`) rather than waiting
 * out the deadline, so a region cut off from the others answers quickly.
 *
 * With a `hold` for the key, every accept also asks the acceptors to promise a ballot reserved for the
 * next operation, and a majority that does leaves it in the hold; an operation that finds one there skips
 * the prepare and applies `change` to the held value under the held ballot: one round trip instead of two
 * for a proposer that keeps using a key nobody else touches (see HeldBallot). When another proposer has
 * used the key since, that accept is refused, and the operation goes on with a prepare at once.
 *
 * Guarantee: if the outcome is `done`, `change` took effect exactly once, on the register's latest value,
 * at a moment between the call and the answer (linearizability), whatever other proposers did meanwhile.
 * A retry after a failed accept never applies the change a second time (see EarlierAttempts); when it
 * cannot tell whether the first one took effect, the outcome is a failure with `mayHaveApplied`.
 */
export async function propose<V, R>(
  links: AcceptorLinks<V>,
  operation: Operation<V, R>,
  ballots: BallotSource,
  env: ProposerEnvironment,
  options: ProposerOptions,
  observer: ProposerObserver = NO_OBSERVER,
  hold: BallotHold<V> | null = null,
): Promise<ProposalOutcome<R>> {
  const deadline = env.nowMs() + options.deadlineMs;
  let floor: Ballot | null = null;
  const earlier = new EarlierAttempts<V, R>(operation.recognise);
  const failure = (reason: 'no-quorum' | 'contended'): ProposalOutcome<R> => ({ kind: 'failed', reason, mayHaveApplied: earlier.mayHaveWritten });
  const held = hold?.take() ?? null;
  for (let attempt = 0; ; attempt += 1) {
    const usesHeld = attempt === 0 && held !== null;
    const ballot = usesHeld ? held.ballot : ballots.next(env.nowMs(), floor);
    // A held value is known current only once a majority accepts under the held ballot: never settled.
    const revealed: Revealed<V> = usesHeld ? { current: { value: held.value, ballot: null, settled: false } } : await prepareRound(links, ballot, env, observer);
    let failed: PhaseResult<unknown>;
    if (revealed.current === undefined) failed = revealed.failed;
    else {
      const current = revealed.current;
      const decision = earlier.decide(current);
      if (decision.kind === 'unknown') return failure('contended');
      const changed: ChangeOutcome<V, R> = decision.kind === 'finish' ? { next: current.value, result: decision.result } : operation.change(current.value);
      // Already chosen and left as it is: nothing to accept (see CurrentValue.settled). Not so once an earlier
      // attempt sent a write: a minority may hold it, and only this round's accept buries it for good.
      if (current.settled && isUnchanged(current.value, changed) && !earlier.mayHaveWritten) return { kind: 'done', result: changed.result };
      earlier.record(ballot, changed, !isUnchanged(current.value, changed));
      const promiseNext = hold === null ? null : ballots.reserve();
      const accepted = await runPhase(links.count, (acceptor) => links.accept(acceptor, ballot, changed.next, promiseNext), asAcceptance, env, (outcome, ms) =>
        observer.phase('accept', outcome, ms),
      );
      if (accepted.outcome === 'quorum') {
        if (promiseNext !== null && accepted.yeses.every((promisedNext) => promisedNext)) hold!.keep({ ballot: promiseNext, value: changed.next });
        return { kind: 'done', result: changed.result };
      }
      failed = accepted;
    }
    if (failed.outcome === 'no-quorum') return failure('no-quorum');
    floor = maxBallot(floor, failed.conflict);
    if (usesHeld) {
      // Outbid since the ballot was promised: another proposer used the key, which is no sign of contention.
      hold!.refused();
      continue;
    }
    const pause = backoffMs(attempt, env.random(), options.backoffBaseMs, options.backoffCapMs);
    if (env.nowMs() + pause >= deadline) return failure('contended');
    observer.retry();
    await env.sleep(pause);
  }
}

/** What a round's first step revealed: the register's current value, or the phase that failed to reveal it. */
type Revealed<V> = { readonly current: CurrentValue<V>; readonly failed?: undefined } | { readonly current?: undefined; readonly failed: PhaseResult<unknown> };

/** Phase 1 under `ballot`: the current value a majority's promises reveal. */
async function prepareRound<V>(links: AcceptorLinks<V>, ballot: Ballot, env: ProposerEnvironment, observer: ProposerObserver): Promise<Revealed<V>> {
  const prepared = await runPhase(links.count, (acceptor) => links.prepare(acceptor, ballot), asPromise, env, (outcome, ms) => observer.phase('prepare', outcome, ms));
  return prepared.outcome === 'quorum' ? { current: currentValueOf(prepared.yeses) } : { failed: prepared };
}

type Verdict<T> = { readonly yes: true; readonly data: T } | { readonly yes: false; readonly conflict: Ballot };

const asPromise = <V>(reply: PrepareReply<V>): Verdict<Accepted<V> | null> =>
  reply.promised ? { yes: true, data: reply.accepted } : { yes: false, conflict: reply.conflict };

/** A yes's data: whether the acceptor also promised the next ballot. */
const asAcceptance = (reply: AcceptReply): Verdict<boolean> => (reply.accepted ? { yes: true, data: reply.promisedNext === true } : { yes: false, conflict: reply.conflict });

interface PhaseResult<T> {
  readonly outcome: Exclude<TallyOutcome, 'pending'>;
  /** The data of the first quorum of yeses, in arrival order. */
  readonly yeses: readonly T[];
  readonly conflict: Ballot | null;
}

/** Sends one phase to every acceptor and settles as soon as the tally decides; late answers are ignored. */
function runPhase<Reply, T>(
  count: number,
  send: (acceptor: number) => Promise<Reply>,
  verdictOf: (reply: Reply) => Verdict<T>,
  env: ProposerEnvironment,
  report: (outcome: TallyOutcome, ms: number) => void,
): Promise<PhaseResult<T>> {
  const started = env.nowMs();
  const tally = new QuorumTally(count);
  const yeses: T[] = [];
  return new Promise((resolve) => {
    let settled = false;
    const settle = (): void => {
      const outcome = tally.outcome();
      if (settled || outcome === 'pending') return;
      settled = true;
      report(outcome, env.nowMs() - started);
      resolve({ outcome, yeses: yeses.slice(0, tally.quorum), conflict: tally.conflict() });
    };
    for (let acceptor = 0; acceptor < count; acceptor += 1) {
      send(acceptor).then(
        (reply) => {
          const verdict = verdictOf(reply);
          if (verdict.yes) {
            yeses.push(verdict.data);
            tally.yes();
          } else tally.no(verdict.conflict);
          settle();
        },
        () => {
          tally.silent();
          settle();
        },
      );
    }
  });
}
