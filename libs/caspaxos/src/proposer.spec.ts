import type { Accepted, AcceptReply, PrepareReply } from './acceptor';
import { BallotSource, type Ballot } from './ballot';
import type { Change } from './change';
import type { BallotHold, HeldBallot } from './held-ballot';
import { propose, type AcceptorLinks, type ProposerEnvironment } from './proposer';

const b = (counter: number, proposer = 'q'): Ballot => ({ counter, proposer });
const promise = (accepted: Accepted<string> | null): PrepareReply<string> => ({ promised: true, accepted });
/** An acceptor that does not answer in time: the link rejects, and the tally counts it as silence. */
const silence = <T>(): Promise<T> => Promise.reject<T>(new Error('timeout'));

const env: ProposerEnvironment = { nowMs: () => 1_000, random: () => 0, sleep: () => Promise.resolve() };
const OPTIONS = { deadlineMs: 10_000, backoffBaseMs: 1, backoffCapMs: 1 };

/** Compare-and-set from absent to `value`: fails, changing nothing, on any other current value. */
const createIfAbsent =
  (value: string): Change<string, boolean> =>
  (current) =>
    current === null ? { next: value, result: true } : { next: current, result: false };

describe('propose', () => {
  it('after a write that reached only a minority, a retry that changes nothing still accepts, burying that write', async () => {
    // Round 1 sees a newer empty register (acceptor 1) over an older 'x' (acceptor 0) and writes 'y', which
    // only acceptor 1 accepts. Round 2's majority (0 and 2) agrees on the older 'x', so the compare-and-set
    // fails there; answering that without an accept would leave acceptor 1's 'y' to be chosen later by
    // whoever reads a majority with it, after the operation was reported as not applied.
    const older: Accepted<string> = { ballot: b(5), value: 'x' };
    const answers: (() => Promise<PrepareReply<string>>)[][] = [
      [() => Promise.resolve(promise(older)), () => Promise.resolve(promise({ ballot: b(8), value: null })), silence],
      [() => Promise.resolve(promise(older)), silence, () => Promise.resolve(promise(older))],
    ];
    const accepts: { round: number; acceptor: number; value: string | null }[] = [];
    let round = -1;
    const links: AcceptorLinks<string> = {
      count: 3,
      prepare: (acceptor) => {
        if (acceptor === 0) round += 1;
        return answers[round][acceptor]();
      },
      accept: (acceptor, _ballot, value): Promise<AcceptReply> => {
        accepts.push({ round, acceptor, value });
        if (round === 0) return acceptor === 1 ? Promise.resolve({ accepted: true }) : acceptor === 0 ? Promise.resolve({ accepted: false, conflict: b(1_500) }) : silence();
        return Promise.resolve({ accepted: true });
      },
    };

    const outcome = await propose(links, { change: createIfAbsent('y') }, new BallotSource('p'), env, OPTIONS);

    expect(outcome).toEqual({ kind: 'done', result: false });
    expect(accepts.filter((sent) => sent.round === 1).map((sent) => sent.value)).toEqual(['x', 'x', 'x']);
  });

  it('answers a read of a settled value after one round trip', async () => {
    const chosen: Accepted<string> = { ballot: b(5), value: 'x' };
    let acceptsSent = 0;
    const links: AcceptorLinks<string> = {
      count: 3,
      prepare: () => Promise.resolve(promise(chosen)),
      accept: () => {
        acceptsSent += 1;
        return Promise.resolve({ accepted: true });
      },
    };
    const read: Change<string, string | null> = (current) => ({ next: current, result: current });

    expect(await propose(links, { change: read }, new BallotSource('p'), env, OPTIONS)).toEqual({ kind: 'done', result: 'x' });
    expect(acceptsSent).toBe(0);
  });

  describe('with a held ballot', () => {
    /** A hold with `held` in it, recording what the proposer does with it. */
    function holdOf(held: HeldBallot<string> | null) {
      const log = { kept: [] as HeldBallot<string>[], refused: 0, taken: 0 };
      const hold: BallotHold<string> = {
        take: () => {
          log.taken += 1;
          const taken = held;
          held = null;
          return taken;
        },
        keep: (next) => log.kept.push(next),
        refused: () => (log.refused += 1),
      };
      return { hold, log };
    }
    const append =
      (suffix: string): Change<string, string> =>
      (current) => ({ next: `${current ?? ''}${suffix}`, result: `${current ?? ''}${suffix}` });

    it('skips the prepare: one accept of the change to the held value, under the held ballot, which promises the next', async () => {
      const sent: string[] = [];
      const links: AcceptorLinks<string> = {
        count: 3,
        prepare: () => {
          sent.push('prepare');
          return Promise.resolve(promise(null));
        },
        accept: (_acceptor, ballot, value, promiseNext) => {
          sent.push(`accept ${ballot.counter} ${value} next ${promiseNext?.counter}`);
          return Promise.resolve({ accepted: true, promisedNext: true });
        },
      };
      const ballots = new BallotSource('p');
      const { hold, log } = holdOf({ ballot: { counter: 7, proposer: 'p' }, value: 'ab' });
      ballots.next(7);

      expect(await propose(links, { change: append('c') }, ballots, env, OPTIONS, undefined, hold)).toEqual({ kind: 'done', result: 'abc' });
      // The next ballot is the source's next, set aside: the held one was its last.
      expect(sent).toEqual(['accept 7 abc next 8', 'accept 7 abc next 8', 'accept 7 abc next 8']);
      expect(log.kept).toEqual([{ ballot: { counter: 8, proposer: 'p' }, value: 'abc' }]);
    });

    it('when the held ballot is refused, prepares above the refusal at once and keeps the ballot its accept was promised', async () => {
      const pauses: number[] = [];
      const sent: string[] = [];
      const links: AcceptorLinks<string> = {
        count: 3,
        prepare: (_acceptor, ballot) => {
          sent.push(`prepare ${ballot.counter}`);
          return Promise.resolve(promise({ ballot: b(2_000), value: 'xy' }));
        },
        accept: (_acceptor, ballot, value) => {
          sent.push(`accept ${ballot.counter} ${value}`);
          return Promise.resolve(ballot.counter === 7 ? { accepted: false, conflict: b(2_000) } : { accepted: true, promisedNext: true });
        },
      };
      const { hold, log } = holdOf({ ballot: { counter: 7, proposer: 'p' }, value: 'ab' });
      // The refused write's value is not in what the prepare reveals, so the change applies afresh.
      const operation = { change: append('c'), recognise: (value: string | null) => (value === 'abc' ? ('own' as const) : ('absent' as const)) };
      const outcome = await propose(links, operation, new BallotSource('p'), { ...env, sleep: (ms) => (pauses.push(ms), Promise.resolve()) }, OPTIONS, undefined, hold);

      expect(outcome).toEqual({ kind: 'done', result: 'xyc' });
      expect(log.refused).toBe(1);
      expect(pauses).toEqual([]);
      expect(sent.slice(3, 4)).toEqual(['prepare 2001']);
      expect(sent.slice(6)).toEqual(['accept 2001 xyc', 'accept 2001 xyc', 'accept 2001 xyc']);
      expect(log.kept).toEqual([{ ballot: { counter: 2002, proposer: 'p' }, value: 'xyc' }]);
    });

    it('keeps nothing when a yes of the quorum did not promise the next ballot (an acceptor of an earlier release)', async () => {
      let answered = 0;
      const links: AcceptorLinks<string> = {
        count: 3,
        prepare: () => Promise.resolve(promise(null)),
        accept: () => Promise.resolve(answered++ === 0 ? { accepted: true } : { accepted: true, promisedNext: true }),
      };
      const { hold, log } = holdOf(null);

      expect(await propose(links, { change: append('a') }, new BallotSource('p'), env, OPTIONS, undefined, hold)).toEqual({ kind: 'done', result: 'a' });
      expect(log.taken).toBe(1);
      expect(log.kept).toEqual([]);
    });

    it('without a hold, asks no acceptor to promise a next ballot', async () => {
      const promisesAsked: (Ballot | null)[] = [];
      const links: AcceptorLinks<string> = {
        count: 3,
        prepare: () => Promise.resolve(promise(null)),
        accept: (_acceptor, _ballot, _value, promiseNext) => {
          promisesAsked.push(promiseNext);
          return Promise.resolve({ accepted: true });
        },
      };
      await propose(links, { change: append('a') }, new BallotSource('p'), env, OPTIONS);
      expect(promisesAsked).toEqual([null, null, null]);
    });
  });
});
