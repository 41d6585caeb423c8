import fc from 'fast-check';
import { bruteForceLinearizable } from './brute-force.fixtures';
import { checkHistory } from './check-history';
import type { HistoryOperation, RegisterValue } from './history';
import { planArbitrary, simulate } from './simulated-history.fixtures';

const verdict = (history: readonly HistoryOperation[], initial: RegisterValue = null): boolean | 'unknown' =>
  checkHistory(history, { initial, timeBudgetMs: 20_000 }).linearizable;

/** Small random histories over a tiny value domain, so that both verdicts are common. */
const value = fc.constantFrom<RegisterValue>('a', 'b', null);
const smallOperation: fc.Arbitrary<HistoryOperation> = fc
  .record({
    key: fc.constantFrom('x', 'x', 'x', 'y'),
    client: fc.integer({ min: 0, max: 3 }),
    kind: fc.constantFrom('read', 'write', 'cas'),
    written: fc.constantFrom<RegisterValue>('a', 'b', 'c', null),
    expected: value,
    read: fc.constantFrom<RegisterValue>('a', 'b', 'c', null),
    ok: fc.boolean(),
    call: fc.integer({ min: 0, max: 12 }),
    duration: fc.integer({ min: 0, max: 6 }),
    answered: fc.boolean().chain((b) => (b ? fc.constant(true) : fc.boolean())), // ~25% unanswered
  })
  .map((r): HistoryOperation => {
    const base = { key: r.key, clientId: `c${r.client}`, call: r.call };
    const answer = <T>(output: T) => (r.answered ? { return: r.call + r.duration, output } : {});
    if (r.kind === 'read') return { ...base, input: { kind: 'read' }, ...answer({ kind: 'read' as const, value: r.read }) };
    if (r.kind === 'write') return { ...base, input: { kind: 'write', value: r.written }, ...answer({ kind: 'write' as const }) };
    return { ...base, input: { kind: 'cas', expected: r.expected, value: r.written }, ...answer({ kind: 'cas' as const, ok: r.ok }) };
  });

describe('checkHistory properties', () => {
  it('agrees with a brute-force oracle on small random histories (both verdicts, many unanswered operations)', () => {
    const seen = { true: 0, false: 0 };
    fc.assert(
      fc.property(fc.array(smallOperation, { maxLength: 8 }), fc.constantFrom<RegisterValue>(null, 'a'), (history, initial) => {
        const expected = bruteForceLinearizable(history, initial);
        seen[`${expected}`]++;
        expect(verdict(history, initial)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
    // The generator must exercise both outcomes, or the agreement means little.
    expect(Math.min(seen.true, seen.false)).toBeGreaterThan(300);
  });

  it('passes every history of a simulated linearizable register (several clients and keys, unanswered operations)', () => {
    fc.assert(
      fc.property(planArbitrary(4, 2, 120), (plan) => {
        expect(verdict(simulate(plan))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('passes simulated histories that start from a non-null initial value', () => {
    fc.assert(
      fc.property(planArbitrary(3, 1, 40), (plan) => {
        expect(verdict(simulate(plan, 'init'), 'init')).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('fails a simulated history once one read returns a value that was never current during it', () => {
    fc.assert(
      fc.property(planArbitrary(4, 2, 80), fc.nat(), fc.constantFrom('future', 'stale', 'never'), (plan, pick, mode) => {
        const history = simulate(plan);
        const corrupted = corruptOneRead(history, pick, mode);
        fc.pre(corrupted !== undefined);
        const result = checkHistory(corrupted.history, { timeBudgetMs: 20_000 });
        expect(result).toMatchObject({ linearizable: false, key: corrupted.key });
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on the order of the history array, and checks keys independently', () => {
    fc.assert(
      fc.property(fc.array(smallOperation, { maxLength: 8 }), fc.array(smallOperation, { maxLength: 8 }), fc.nat(), (first, second, seed) => {
        const renamed = second.map((op) => ({ ...op, key: `other-${op.key}` }));
        const merged = shuffle([...first, ...renamed], seed);
        const expected = verdict(first) === true && verdict(renamed) === true;
        expect(verdict(merged)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * Makes one determinate read return a value it cannot have seen, so the history is surely not
 * linearizable (values written by the simulation are unique):
 * - future: a value first written by an operation called after the read returned;
 * - stale: a value whose (answered) write was followed, before the read was called, by an answered write
 *   that completed, so it was overwritten for good before the read began;
 * - never: a value nobody wrote.
 */
function corruptOneRead(
  history: readonly HistoryOperation[],
  pick: number,
  mode: 'future' | 'stale' | 'never',
): { history: HistoryOperation[]; key: string } | undefined {
  const reads = history.flatMap((op, index) => (op.input.kind === 'read' && op.return !== undefined ? [index] : []));
  if (reads.length === 0) return undefined;
  const index = reads[pick % reads.length];
  const read = history[index];
  const readReturn = read.return!;
  const sameKey = history.filter((op) => op.key === read.key);
  const installed = (op: HistoryOperation): RegisterValue | undefined => {
    if (op.input.kind === 'write') return op.input.value;
    if (op.input.kind === 'cas' && (op.output === undefined || (op.output.kind === 'cas' && op.output.ok))) return op.input.value;
    return undefined;
  };
  let value: string | undefined;
  if (mode === 'never') value = 'never-written';
  else if (mode === 'future') {
    const later = sameKey.find((op) => op.call > readReturn && typeof installed(op) === 'string');
    value = later === undefined ? undefined : (installed(later) as string);
  } else {
    // A completed write of v, then a completed write/successful CAS that started after it and finished
    // before the read started.
    const surelyWrites = (op: HistoryOperation): boolean =>
      op.return !== undefined && (op.input.kind === 'write' || (op.output?.kind === 'cas' && op.output.ok));
    const old = sameKey.find(
      (op) =>
        surelyWrites(op) &&
        typeof installed(op) === 'string' &&
        sameKey.some((newer) => surelyWrites(newer) && newer.call > op.return! && newer.return! < read.call && installed(newer) !== installed(op)),
    );
    value = old === undefined ? undefined : (installed(old) as string);
  }
  if (value === undefined) return undefined;
  const corrupted = history.map((op) => ({ ...op }));
  corrupted[index] = { ...read, output: { kind: 'read', value } };
  return { history: corrupted, key: read.key };
}

/** Deterministic Fisher-Yates driven by a seed (fast-check shrinks the seed). */
function shuffle<T>(items: T[], seed: number): T[] {
  let s = seed | 0;
  for (let i = items.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    const j = (s >>> 8) % (i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
