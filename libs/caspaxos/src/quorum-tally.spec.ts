import fc from 'fast-check';
import { majorityOf, QuorumTally, survivorsToRebuildFrom } from './quorum-tally';

const b = (counter: number) => ({ counter, proposer: 'p' });

describe('QuorumTally', () => {
  it('needs a strict majority', () => {
    expect([1, 2, 3, 4, 5].map(majorityOf)).toEqual([1, 2, 2, 3, 3]);
  });

  it('decides on a majority of yeses without waiting for the rest', () => {
    const tally = new QuorumTally(3);
    tally.yes();
    expect(tally.outcome()).toBe('pending');
    tally.yes();
    expect(tally.outcome()).toBe('quorum');
  });

  it('is rejected once a majority is impossible and someone refused, naming the highest conflict', () => {
    const tally = new QuorumTally(3);
    tally.no(b(4));
    expect(tally.outcome()).toBe('pending');
    tally.silent();
    expect(tally.outcome()).toBe('rejected');
    tally.no(b(9));
    expect(tally.conflict()).toEqual(b(9));
  });

  it('is no-quorum when a majority is silent and nobody refused', () => {
    const tally = new QuorumTally(3);
    tally.yes();
    tally.silent();
    expect(tally.outcome()).toBe('pending');
    tally.silent();
    expect(tally.outcome()).toBe('no-quorum');
  });
});

describe('survivorsToRebuildFrom', () => {
  it('is every other acceptor of three, three of the four others of five', () => {
    expect([2, 3, 4, 5, 7].map(survivorsToRebuildFrom)).toEqual([1, 2, 2, 3, 4]);
  });

  it('meets every majority that included the lost acceptor, and one fewer would miss one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 9 }), (acceptors) => {
        const others = acceptors - 1;
        const needed = survivorsToRebuildFrom(acceptors);
        // The survivors a majority with the lost acceptor used, at most; the ones read, at least: they must overlap.
        const inMajority = majorityOf(acceptors) - 1;
        expect(needed + inMajority).toBeGreaterThan(others);
        expect(needed - 1 + inMajority).toBeLessThanOrEqual(others);
      }),
    );
  });
});
