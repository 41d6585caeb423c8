import type { HistoryOperation } from './history';
import { splitByKey } from './key-history';
import { searchKey } from './wgl-search';

const LIMITS = { maxEntries: 1 << 20, maxWords: 1 << 22, deadline: Infinity, now: () => 0 };

function search(history: HistoryOperation[], limits = LIMITS) {
  const [key] = splitByKey(history, null);
  return searchKey(key.operations, key.initialState, limits);
}

const write = (value: string, call: number, ret: number): HistoryOperation => ({
  key: 'k',
  clientId: 'c',
  input: { kind: 'write', value },
  call,
  return: ret,
  output: { kind: 'write' },
});
const read = (value: string | null, call: number, ret: number): HistoryOperation => ({
  key: 'k',
  clientId: 'c',
  input: { kind: 'read' },
  call,
  return: ret,
  output: { kind: 'read', value },
});

/** Many concurrent writes and reads of their values, then an impossible read: exponential to refute. */
const hard = [
  ...Array.from({ length: 10 }, (_, i) => write(`v${i}`, 0, 100)),
  ...Array.from({ length: 10 }, (_, i) => read(`v${i}`, 0, 100)),
  read('impossible', 200, 201),
];

describe('searchKey', () => {
  it('succeeds at once when nothing is determinate', () => {
    const history: HistoryOperation[] = [{ key: 'k', clientId: 'c', input: { kind: 'write', value: 'a' }, call: 0 }];
    expect(search(history)).toEqual({ kind: 'linearizable', states: 0 });
  });

  it('runs iteratively, without recursion, on a long sequential history', () => {
    const history = Array.from({ length: 50_000 }, (_, i) => (i % 2 === 0 ? write(`v${i}`, i, i + 0.5) : read(`v${i - 1}`, i, i + 0.5)));
    expect(search(history).kind).toBe('linearizable');
  });

  it('reports the deepest dead end of a violation', () => {
    const outcome = search([write('a', 0, 1), write('b', 2, 3), read('a', 4, 5)]);
    expect(outcome).toMatchObject({ kind: 'violation', failure: { placedCount: 2, blocked: 2, window: [2], windowSize: 1 } });
  });

  it('gives up when the clock passes the deadline', () => {
    let clock = 0;
    const outcome = search(hard, { ...LIMITS, deadline: 10, now: () => clock++ });
    expect(outcome).toMatchObject({ kind: 'exhausted', cause: 'time' });
  });

  it('gives up when the memo reaches its limits', () => {
    expect(search(hard, { ...LIMITS, maxEntries: 1000 })).toMatchObject({ kind: 'exhausted', cause: 'memory', states: 1000 });
    expect(search(hard, { ...LIMITS, maxWords: 1000 })).toMatchObject({ kind: 'exhausted', cause: 'memory' });
  });
});
