import fc from 'fast-check';
import { BallotSource, compareBallots, type Ballot } from './ballot';

const ballot = fc.record({ counter: fc.nat(), proposer: fc.stringMatching(/^[a-z0-9:-]{1,8}$/) });

describe('ballots', () => {
  it('order totally: antisymmetric, transitive, and equal only when identical', () => {
    fc.assert(
      fc.property(ballot, ballot, ballot, (a, b, c) => {
        expect(Math.sign(compareBallots(a, b))).toBe(-Math.sign(compareBallots(b, a)));
        if (compareBallots(a, b) <= 0 && compareBallots(b, c) <= 0) expect(compareBallots(a, c)).toBeLessThanOrEqual(0);
        expect(compareBallots(a, b) === 0).toBe(a.counter === b.counter && a.proposer === b.proposer);
      }),
    );
  });

  it('put "no ballot" below every ballot', () => {
    fc.assert(fc.property(ballot, (a) => compareBallots(null, a) < 0 && compareBallots(a, null) > 0 && compareBallots(null, null) === 0));
  });

  it('are issued above everything the source issued and above the floor it is given, even if the clock goes back', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 1e12 }), fc.option(ballot, { nil: null })), { minLength: 1, maxLength: 50 }), (steps) => {
        const source = new BallotSource('us-east:g1');
        let previous: Ballot | null = null;
        for (const [now, floor] of steps) {
          const next = source.next(now, floor);
          expect(compareBallots(next, previous)).toBeGreaterThan(0);
          expect(compareBallots(next, floor)).toBeGreaterThan(0);
          previous = next;
        }
      }),
    );
  });

  it('refuses a proposer id that could not be stored and compared safely', () => {
    expect(() => new BallotSource('')).toThrow(RangeError);
    expect(() => new BallotSource('région')).toThrow(RangeError);
  });
});
