import fc from 'fast-check';
import { accept, EMPTY_ACCEPTOR, mergeAcceptorStates, prepare, type AcceptorState } from './acceptor';
import { compareBallots, type Ballot } from './ballot';

const b = (counter: number, proposer = 'p'): Ballot => ({ counter, proposer });

type Message = { kind: 'prepare'; ballot: Ballot } | { kind: 'accept'; ballot: Ballot; value: string };
const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ kind: fc.constant('prepare' as const), ballot: fc.record({ counter: fc.nat(20), proposer: fc.constantFrom('a', 'b', 'c') }) }),
  fc.record({ kind: fc.constant('accept' as const), ballot: fc.record({ counter: fc.nat(20), proposer: fc.constantFrom('a', 'b', 'c') }), value: fc.string() }),
);

function deliver(state: AcceptorState<string>, m: Message): AcceptorState<string> {
  return m.kind === 'prepare' ? prepare(state, m.ballot).state : accept(state, m.ballot, m.value).state;
}

describe('acceptor', () => {
  it('promises a higher ballot and reports what it accepted', () => {
    const { state, reply } = prepare(accept(EMPTY_ACCEPTOR, b(1), 'x').state, b(2));
    expect(reply).toEqual({ promised: true, accepted: { ballot: b(1), value: 'x' } });
    expect(state.promised).toEqual(b(2));
  });

  it('refuses a prepare at or below what it has seen, naming its own ballot', () => {
    const promised = prepare(EMPTY_ACCEPTOR, b(5)).state;
    expect(prepare(promised, b(5)).reply).toEqual({ promised: false, conflict: b(5) });
    expect(prepare(promised, b(4, 'z')).reply).toEqual({ promised: false, conflict: b(5) });
  });

  it('accepts its promised ballot or a higher one, and refuses a lower one or a replay', () => {
    const promised = prepare(EMPTY_ACCEPTOR, b(5)).state;
    expect(accept(promised, b(4), 'x').reply).toEqual({ accepted: false, conflict: b(5) });
    const accepted = accept(promised, b(5), 'x');
    expect(accepted.reply).toEqual({ accepted: true });
    expect(accept(accepted.state, b(5), 'y').reply).toEqual({ accepted: false, conflict: b(5) });
    expect(accept(accepted.state, b(6), 'y').state.accepted).toEqual({ ballot: b(6), value: 'y' });
  });

  it('on accepting, also promises a next ballot above the accepted one, and ignores one that is not above it', () => {
    const promised = prepare(EMPTY_ACCEPTOR, b(5)).state;
    const withNext = accept(promised, b(5), 'x', b(6));
    expect(withNext.reply).toEqual({ accepted: true, promisedNext: true });
    expect(withNext.state).toEqual({ promised: b(6), accepted: { ballot: b(5), value: 'x' } });
    // A ballot between the two is refused now; the promised one is accepted without a prepare.
    expect(prepare(withNext.state, b(5, 'z')).reply).toEqual({ promised: false, conflict: b(6) });
    expect(accept(withNext.state, b(6), 'y').reply).toEqual({ accepted: true });
    expect(accept(promised, b(5), 'x', b(5)).reply).toEqual({ accepted: true });
    expect(accept(promised, b(5), 'x', b(4, 'z')).state.promised).toEqual(b(5));
  });

  it('never moves backwards, whatever messages arrive in whatever order or how often', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 40 }), (messages) => {
        let state: AcceptorState<string> = EMPTY_ACCEPTOR;
        for (const m of messages) {
          const next = deliver(state, m);
          expect(compareBallots(next.promised, state.promised)).toBeGreaterThanOrEqual(0);
          expect(compareBallots(next.accepted?.ballot ?? null, state.accepted?.ballot ?? null)).toBeGreaterThanOrEqual(0);
          // Replaying the same message changes nothing more.
          expect(deliver(next, m)).toEqual(next);
          state = next;
        }
      }),
    );
  });

  describe('merging states (a handover to a new acceptor node)', () => {
    // A proposer sends one value per ballot, so the value is a function of the ballot here too.
    const valued = (m: Message): Message => (m.kind === 'accept' ? { ...m, value: `${m.ballot.counter}/${m.ballot.proposer}` } : m);
    const history = fc.array(message.map(valued), { maxLength: 30 });
    const stateAfter = (messages: readonly Message[]): AcceptorState<string> => messages.reduce(deliver, EMPTY_ACCEPTOR as AcceptorState<string>);

    it('gives the later state when an earlier state of the same acceptor meets it, in either order', () => {
      fc.assert(
        fc.property(history, fc.nat(), (messages, cut) => {
          const earlier = stateAfter(messages.slice(0, cut % (messages.length + 1)));
          const later = stateAfter(messages);
          expect(mergeAcceptorStates(earlier, later)).toEqual(later);
          expect(mergeAcceptorStates(later, earlier)).toEqual(later);
        }),
      );
    });

    it('is commutative, associative and idempotent, and keeps the promise at or above the acceptance', () => {
      fc.assert(
        fc.property(history, history, history, (x, y, z) => {
          const [a, b, c] = [stateAfter(x), stateAfter(y), stateAfter(z)];
          const merged = mergeAcceptorStates(a, b);
          expect(merged).toEqual(mergeAcceptorStates(b, a));
          expect(mergeAcceptorStates(merged, c)).toEqual(mergeAcceptorStates(a, mergeAcceptorStates(b, c)));
          expect(mergeAcceptorStates(merged, merged)).toEqual(merged);
          expect(compareBallots(merged.promised, merged.accepted?.ballot ?? null)).toBeGreaterThanOrEqual(0);
        }),
      );
    });

    it('refuses afterwards whatever either input would have refused', () => {
      const moved = mergeAcceptorStates(accept(prepare(EMPTY_ACCEPTOR, b(3)).state, b(3), 'x').state, prepare(EMPTY_ACCEPTOR, b(7)).state);
      expect(prepare(moved, b(6)).reply).toEqual({ promised: false, conflict: b(7) });
      expect(prepare(moved, b(8)).reply).toEqual({ promised: true, accepted: { ballot: b(3), value: 'x' } });
    });
  });
});
