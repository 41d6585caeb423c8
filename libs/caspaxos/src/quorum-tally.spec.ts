import { majorityOf, QuorumTally } from './quorum-tally';

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
