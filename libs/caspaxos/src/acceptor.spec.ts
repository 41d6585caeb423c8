import fc from 'fast-check';
import { accept, EMPTY_ACCEPTOR, prepare, type AcceptorState } from './acceptor';
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
});
