import { currentValueOf } from './current-value';

const b = (counter: number, proposer = 'p') => ({ counter, proposer });

describe('currentValueOf', () => {
  it('takes the value accepted under the highest ballot', () => {
    expect(currentValueOf([{ ballot: b(1), value: 'old' }, { ballot: b(3), value: 'new' }, null])).toEqual({ value: 'new', ballot: b(3), settled: false });
  });

  it('is empty when nothing was accepted, and that is settled', () => {
    expect(currentValueOf<string>([null, null])).toEqual({ value: null, ballot: null, settled: true });
  });

  it('is settled only when every promise reports the same ballot', () => {
    expect(currentValueOf([{ ballot: b(2), value: 'x' }, { ballot: b(2), value: 'x' }]).settled).toBe(true);
    expect(currentValueOf([{ ballot: b(2), value: 'x' }, { ballot: b(2, 'q'), value: 'x' }]).settled).toBe(false);
    expect(currentValueOf([{ ballot: b(2), value: 'x' }, null]).settled).toBe(false);
  });

  it('keeps a deleted value (null under a ballot) as the newest', () => {
    expect(currentValueOf([{ ballot: b(5), value: null }, { ballot: b(4), value: 'x' }])).toMatchObject({ value: null, ballot: b(5) });
  });
});
