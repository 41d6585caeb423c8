import fc from 'fast-check';
import type { Change } from './change';
import { combineChanges, outcomePerOperation } from './combined-change';
import type { ProposalOutcome } from './proposer';

const append = (suffix: string): Change<string, string | null> => (current) => ({ next: `${current ?? ''}${suffix}`, result: current });
const read: Change<string, string | null> = (current) => ({ next: current, result: current });

describe('combineChanges', () => {
  it('applies the changes in order, each to the value the one before left, and answers every result', () => {
    const combined = combineChanges([append('a'), read, append('b'), read]);
    expect(combined('x')).toEqual({ next: 'xab', result: ['x', 'xa', 'xa', 'xab'] });
    expect(combined(null)).toEqual({ next: 'ab', result: [null, 'a', 'a', 'ab'] });
  });

  it('returns the very value it was given when no change alters it, so a settled value needs no accept', () => {
    const current = 'settled';
    expect(combineChanges([read, read])(current).next).toBe(current);
    expect(combineChanges<string, string | null>([])(current)).toEqual({ next: current, result: [] });
  });

  it('ends where applying the changes one by one ends (property)', () => {
    fc.assert(
      fc.property(fc.option(fc.string()), fc.array(fc.option(fc.string({ maxLength: 3 }))), (start, suffixes) => {
        const changes = suffixes.map((suffix) => (suffix === null ? read : append(suffix)));
        let value = start;
        for (const change of changes) value = change(value).next;
        expect(combineChanges(changes)(start).next).toBe(value);
      }),
    );
  });
});

describe('outcomePerOperation', () => {
  it("hands each operation its own result from a round that was chosen, and every operation the round's failure", () => {
    expect(outcomePerOperation({ kind: 'done', result: ['x', 'xa'] }, 2)).toEqual([
      { kind: 'done', result: 'x' },
      { kind: 'done', result: 'xa' },
    ]);
    const failed: ProposalOutcome<string[]> = { kind: 'failed', reason: 'no-quorum', mayHaveApplied: true };
    expect(outcomePerOperation(failed, 3)).toEqual([failed, failed, failed]);
  });
});
