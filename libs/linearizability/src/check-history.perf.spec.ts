import { checkHistory } from './check-history';
import { randomPlan, seededRandom, simulate } from './simulated-history.fixtures';

/**
 * The checker must keep up with cluster tests: 10,000 operations from 5 clients in a few seconds. The
 * assertion allows 10 s so that a loaded 2-core CI machine does not flake; the measured time is printed.
 */
describe('checkHistory on 10,000 operations', () => {
  const cases = [
    { name: '5 clients, 3 keys', keys: 3, seed: 1 },
    { name: '5 clients, 1 hot key', keys: 1, seed: 2 },
  ];

  it.each(cases)('passes a linearizable history ($name) within 10 s', ({ keys, seed }) => {
    const plan = randomPlan(seededRandom(seed), { operations: 10_000, clients: 5, keys, indeterminateRate: 0.015 });
    const history = simulate(plan);
    const indeterminate = history.filter((op) => op.return === undefined).length;
    expect(indeterminate).toBeGreaterThan(40);

    const started = performance.now();
    const result = checkHistory(history, { timeBudgetMs: 60_000 });
    const elapsed = performance.now() - started;

    process.stdout.write(`10,000 operations on ${keys} key(s), ${indeterminate} indeterminate: ${elapsed.toFixed(0)} ms\n`);
    expect(result).toEqual({ linearizable: true, keys, operations: 10_000 });
    expect(elapsed).toBeLessThan(10_000);
  });

  it('finds a read of a never-written value planted near the end of the 3-key history within 10 s', () => {
    const history = simulate(randomPlan(seededRandom(1), { operations: 10_000, clients: 5, keys: 3, indeterminateRate: 0.015 }));
    const index = history.findIndex((op, i) => i > 9_500 && op.input.kind === 'read' && op.output !== undefined);
    const planted = history.map((op, i) => (i === index ? { ...op, output: { kind: 'read' as const, value: 'never-written' } } : op));

    const started = performance.now();
    const result = checkHistory(planted, { timeBudgetMs: 60_000 });
    const elapsed = performance.now() - started;

    process.stdout.write(`violation in 10,000 operations on 3 keys found in ${elapsed.toFixed(0)} ms\n`);
    expect(result).toMatchObject({ linearizable: false, key: history[index].key });
    expect(elapsed).toBeLessThan(10_000);
  });
});
