import type { Accepted, AcceptReply, PrepareReply } from './acceptor';
import { BallotSource, type Ballot } from './ballot';
import type { Change } from './change';
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
});
