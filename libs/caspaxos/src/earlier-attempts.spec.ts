import { EarlierAttempts } from './earlier-attempts';

const b = (counter: number, proposer = 'p') => ({ counter, proposer });
const write = (value: string) => ({ next: value, result: `wrote ${value}` });

describe('EarlierAttempts', () => {
  it('applies freely before any write was sent, and after re-proposals that changed nothing', () => {
    const attempts = new EarlierAttempts<string, string>();
    expect(attempts.decide({ value: 'x', ballot: b(9), settled: false })).toEqual({ kind: 'apply' });
    attempts.record(b(3), { next: 'x', result: 'read x' }, false);
    expect(attempts.mayHaveWritten).toBe(false);
    expect(attempts.decide({ value: 'y', ballot: b(9), settled: false })).toEqual({ kind: 'apply' });
  });

  it('finishes its own write when a prepare reveals it, by ballot or by the value it carries', () => {
    const attempts = new EarlierAttempts<string, string>((value) => (value === 'mine' ? 'own' : 'unknown'));
    attempts.record(b(3), write('mine'), true);
    expect(attempts.decide({ value: 'mine', ballot: b(3), settled: false })).toEqual({ kind: 'finish', result: 'wrote mine' });
    // Carried forward under another proposer's ballot (a read re-proposed it).
    expect(attempts.decide({ value: 'mine', ballot: b(7, 'q'), settled: true })).toEqual({ kind: 'finish', result: 'wrote mine' });
  });

  it('applies again only when everything revealed is older than its first write', () => {
    const attempts = new EarlierAttempts<string, string>();
    attempts.record(b(5), write('mine'), true);
    expect(attempts.mayHaveWritten).toBe(true);
    expect(attempts.decide({ value: 'old', ballot: b(4, 'z'), settled: false })).toEqual({ kind: 'apply' });
    expect(attempts.decide({ value: null, ballot: null, settled: true })).toEqual({ kind: 'apply' });
    // Something newer that is not its own: the write may have been chosen and built upon.
    expect(attempts.decide({ value: 'theirs', ballot: b(6, 'q'), settled: false })).toEqual({ kind: 'unknown' });
  });

  it('applies again over a newer value whose full lineage shows the write was never chosen', () => {
    const attempts = new EarlierAttempts<string, string>((value) => (value === 'theirs' ? 'absent' : 'unknown'));
    attempts.record(b(5), write('mine'), true);
    expect(attempts.decide({ value: 'theirs', ballot: b(6, 'q'), settled: false })).toEqual({ kind: 'apply' });
  });
});
