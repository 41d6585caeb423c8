import fc from 'fast-check';
import { accept, EMPTY_ACCEPTOR, prepare, type AcceptorState } from './acceptor';
import type { Ballot } from './ballot';
import { currentValueOf } from './current-value';
import { absentState, collectRow, emptyForCollection, isCollectable } from './garbage-collection';
import type { AcceptorLinks } from './proposer';

const b = (counter: number, proposer = 'p'): Ballot => ({ counter, proposer });

/** Acceptors in memory: a row per acceptor (null once dropped) and its floor. */
class Acceptors {
  readonly rows: (AcceptorState<string> | null)[];
  readonly floors: (Ballot | null)[];
  /** Acceptors that do not answer. */
  readonly down = new Set<number>();
  accepts = 0;

  constructor(states: readonly AcceptorState<string>[]) {
    this.rows = [...states];
    this.floors = states.map(() => null);
  }

  stateOf(i: number): AcceptorState<string> {
    return this.rows[i] ?? absentState(this.floors[i]);
  }

  prepare(i: number, ballot: Ballot) {
    const { state, reply } = prepare(this.stateOf(i), ballot);
    this.rows[i] = state;
    return reply;
  }

  accept(i: number, ballot: Ballot, value: string | null) {
    const { state, reply } = accept(this.stateOf(i), ballot, value);
    this.rows[i] = state;
    return reply;
  }

  drop(i: number, ballot: Ballot): void {
    const after = collectRow(this.rows[i], this.floors[i], ballot);
    this.rows[i] = after.row;
    this.floors[i] = after.floor;
  }

  get links(): AcceptorLinks<string> {
    const answer = <T>(i: number, reply: () => T): Promise<T> => (this.down.has(i) ? Promise.reject(new Error('unreachable')) : Promise.resolve(reply()));
    return {
      count: this.rows.length,
      prepare: (i, ballot) => answer(i, () => this.prepare(i, ballot)),
      accept: (i, ballot, value) =>
        answer(i, () => {
          this.accepts += 1;
          return this.accept(i, ballot, value);
        }),
    };
  }

  /** The register as a read through acceptors `quorum` would find it. */
  readThrough(quorum: readonly number[]): string | null {
    return currentValueOf(quorum.map((i) => this.stateOf(i).accepted)).value;
  }
}

const isEmpty = (value: string | null): boolean => value === null;
/** A cut-off above every ballot counter of these tests: any value counts as old. */
const ANY_AGE = 1_000;

/** A register written under b(1) by acceptors 0 and 1 (acceptor 2's accept still on its way), then deleted under b(2). */
function writtenThenDeleted(): Acceptors {
  const acceptors = new Acceptors([EMPTY_ACCEPTOR, EMPTY_ACCEPTOR, EMPTY_ACCEPTOR]);
  for (const i of [0, 1, 2]) acceptors.prepare(i, b(1));
  for (const i of [0, 1]) acceptors.accept(i, b(1), 'v');
  for (const i of [0, 1, 2]) acceptors.prepare(i, b(2));
  for (const i of [0, 1, 2]) acceptors.accept(i, b(2), null);
  return acceptors;
}

describe('garbage collection of empty registers', () => {
  it('empties the register on every acceptor, after which each drops its row and keeps the ballot as its floor', async () => {
    const acceptors = writtenThenDeleted();
    expect(await emptyForCollection(acceptors.links, b(3, 'gc'), isEmpty, ANY_AGE)).toEqual({ kind: 'emptied', ballot: b(3, 'gc') });
    for (const i of [0, 1, 2]) {
      expect(isCollectable(acceptors.stateOf(i), b(3, 'gc'))).toBe(true);
      acceptors.drop(i, b(3, 'gc'));
    }
    expect(acceptors.rows).toEqual([null, null, null]);
    expect(acceptors.floors).toEqual([b(3, 'gc'), b(3, 'gc'), b(3, 'gc')]);
    expect(acceptors.readThrough([0, 1])).toBeNull();
  });

  it('refuses a message older than a dropped row, so a write that arrives late cannot bring its value back', async () => {
    const acceptors = writtenThenDeleted();
    await emptyForCollection(acceptors.links, b(3, 'gc'), isEmpty, ANY_AGE);
    for (const i of [0, 1, 2]) acceptors.drop(i, b(3, 'gc'));

    // The write's accept to acceptor 2, delayed all along, arrives now.
    expect(acceptors.accept(2, b(1), 'v')).toEqual({ accepted: false, conflict: b(3, 'gc') });
    expect(acceptors.prepare(2, b(2, 'late'))).toEqual({ promised: false, conflict: b(3, 'gc') });
    expect(acceptors.readThrough([1, 2])).toBeNull();
    // Without the floor the dropped row would have taken it, and a read through 1 and 2 would find 'v' again.
    expect(accept(EMPTY_ACCEPTOR, b(1), 'v').reply).toEqual({ accepted: true });
  });

  it('answers a newer ballot on a dropped row as on a key never written', async () => {
    const acceptors = writtenThenDeleted();
    await emptyForCollection(acceptors.links, b(3, 'gc'), isEmpty, ANY_AGE);
    acceptors.drop(0, b(3, 'gc'));
    expect(acceptors.prepare(0, b(4))).toEqual({ promised: true, accepted: null });
    expect(acceptors.accept(0, b(4), 'w')).toEqual({ accepted: true });
  });

  it('keeps the register while an acceptor does not answer: one left out could still hold an older value', async () => {
    const acceptors = new Acceptors([EMPTY_ACCEPTOR, EMPTY_ACCEPTOR, EMPTY_ACCEPTOR]);
    for (const i of [0, 1, 2]) acceptors.accept(i, b(1), 'v');
    for (const i of [0, 1]) acceptors.accept(i, b(2), null);
    acceptors.down.add(2);

    expect(await emptyForCollection(acceptors.links, b(3, 'gc'), isEmpty, ANY_AGE)).toEqual({ kind: 'kept', reason: 'unreachable' });
    expect(acceptors.accepts).toBe(0);
    // Had acceptors 0 and 1 dropped their rows, a read through 0 and 2 would have found 'v' again.
    expect(acceptors.readThrough([0, 2])).toBeNull();
  });

  it('keeps a register whose newest value anywhere is live, and sends no accept', async () => {
    const acceptors = new Acceptors([EMPTY_ACCEPTOR, EMPTY_ACCEPTOR, EMPTY_ACCEPTOR]);
    for (const i of [0, 1, 2]) acceptors.accept(i, b(1), null);
    acceptors.accept(2, b(2), 'v');
    expect(await emptyForCollection(acceptors.links, b(3, 'gc'), isEmpty, ANY_AGE)).toEqual({ kind: 'kept', reason: 'live' });
    expect(acceptors.accepts).toBe(0);
  });

  it('keeps a register whose newest value was accepted at or after the cut-off, however empty: its writer may still be retrying', async () => {
    const acceptors = writtenThenDeleted();
    expect(await emptyForCollection(acceptors.links, b(3, 'gc'), isEmpty, 2)).toEqual({ kind: 'kept', reason: 'live' });
    expect(acceptors.accepts).toBe(0);
    expect(await emptyForCollection(acceptors.links, b(4, 'gc'), isEmpty, 3)).toEqual({ kind: 'emptied', ballot: b(4, 'gc') });
  });

  it('keeps the register when an acceptor has seen a higher ballot, naming it', async () => {
    const acceptors = new Acceptors([EMPTY_ACCEPTOR, EMPTY_ACCEPTOR, EMPTY_ACCEPTOR]);
    acceptors.prepare(1, b(9, 'q'));
    expect(await emptyForCollection(acceptors.links, b(3, 'gc'), isEmpty, ANY_AGE)).toEqual({ kind: 'kept', reason: 'refused', conflict: b(9, 'q') });
  });

  it('drops a row only if it is still exactly what the round left', () => {
    const emptied: AcceptorState<string> = { promised: b(3, 'gc'), accepted: { ballot: b(3, 'gc'), value: null } };
    expect(collectRow(emptied, b(1), b(3, 'gc'))).toEqual({ row: null, floor: b(3, 'gc') });
    // A floor never goes down.
    expect(collectRow(emptied, b(7), b(3, 'gc'))).toEqual({ row: null, floor: b(7) });
    const promisedSince = prepare(emptied, b(4)).state;
    expect(collectRow(promisedSince, b(1), b(3, 'gc'))).toEqual({ row: promisedSince, floor: b(1) });
    const writtenSince = accept(emptied, b(4), 'w').state;
    expect(collectRow(writtenSince, null, b(3, 'gc'))).toEqual({ row: writtenSince, floor: null });
    expect(collectRow(null, b(1), b(3, 'gc'))).toEqual({ row: null, floor: b(1) });
    // Another round's empty register is that round's to drop.
    expect(collectRow(emptied, null, b(2, 'gc'))).toEqual({ row: emptied, floor: null });
  });

  it('answers any message below the floor on a dropped row exactly as the row would have', () => {
    const ballot = fc.record({ counter: fc.nat(20), proposer: fc.constantFrom('a', 'b', 'gc') });
    fc.assert(
      fc.property(ballot, ballot, fc.boolean(), (round, message, isPrepare) => {
        fc.pre(message.counter < round.counter || (message.counter === round.counter && message.proposer < round.proposer));
        const row: AcceptorState<string> = { promised: round, accepted: { ballot: round, value: null } };
        const dropped = absentState<string>(collectRow(row, null, round).floor);
        const answer = (state: AcceptorState<string>) => (isPrepare ? prepare(state, message).reply : accept(state, message, 'x').reply);
        expect(answer(dropped)).toEqual(answer(row));
      }),
    );
    // At the floor itself, ballots being unique, only the round's own accept can arrive: it makes the same empty row again.
    const round = b(3, 'gc');
    expect(accept(absentState<string>(round), round, null)).toEqual({ state: { promised: round, accepted: { ballot: round, value: null } }, reply: { accepted: true } });
  });
});
