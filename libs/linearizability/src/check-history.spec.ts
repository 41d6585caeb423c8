import { checkHistory } from './check-history';
import { InvalidHistoryError } from './errors';
import type { HistoryOperation, RegisterValue } from './history';

// Builders: omit `ret` (and the outcome) for an operation whose answer never came.
const read = (value: RegisterValue, call: number, ret?: number): HistoryOperation => ({
  key: 'k',
  clientId: 'c',
  input: { kind: 'read' },
  call,
  ...(ret === undefined ? {} : { return: ret, output: { kind: 'read', value } }),
});
const write = (value: RegisterValue, call: number, ret?: number): HistoryOperation => ({
  key: 'k',
  clientId: 'c',
  input: { kind: 'write', value },
  call,
  ...(ret === undefined ? {} : { return: ret, output: { kind: 'write' } }),
});
const cas = (expected: RegisterValue, value: RegisterValue, ok: boolean | undefined, call: number, ret?: number): HistoryOperation => ({
  key: 'k',
  clientId: 'c',
  input: { kind: 'cas', expected, value },
  call,
  ...(ok === undefined || ret === undefined ? {} : { return: ret, output: { kind: 'cas', ok } }),
});
const onKey = (key: string, ops: HistoryOperation[]): HistoryOperation[] => ops.map((op) => ({ ...op, key }));

const verdict = (history: HistoryOperation[], initial?: RegisterValue) => checkHistory(history, { initial }).linearizable;

describe('checkHistory', () => {
  describe('accepts linearizable histories', () => {
    it('an empty history', () => {
      expect(checkHistory([])).toEqual({ linearizable: true, keys: 0, operations: 0 });
    });

    it('a sequential history of writes, deletes, reads and CAS, counting keys and operations', () => {
      const history = [
        read(null, 0, 1),
        write('a', 2, 3),
        read('a', 4, 5),
        cas('a', 'b', true, 6, 7),
        cas('a', 'c', false, 8, 9),
        write(null, 10, 11),
        cas(null, 'd', true, 12, 13), // If-None-Match: * on an absent key
        cas(null, 'e', false, 14, 15),
        read('d', 16, 17),
        ...onKey('other', [write('x', 0, 1), read('x', 2, 3)]),
      ];
      expect(checkHistory(history)).toEqual({ linearizable: true, keys: 2, operations: 11 });
    });

    it('overlapping operations whose only valid order differs from their call order', () => {
      // Only b, read b, a, read a works: the first read forces b before a although a was called first.
      const history = [write('a', 0, 10), write('b', 1, 10), read('b', 2, 3), read('a', 11, 12)];
      expect(verdict(history)).toBe(true);
    });

    it('two concurrent CAS with the same expectation when exactly one succeeds', () => {
      const history = [write('a', 0, 1), cas('a', 'b', false, 2, 6), cas('a', 'c', true, 3, 5), read('c', 7, 8)];
      expect(verdict(history)).toBe(true);
    });

    it('an unanswered write that took effect long after its call', () => {
      const history = [write('a', 0), write('b', 1, 2), read('b', 3, 4), read('a', 10, 11)];
      expect(verdict(history)).toBe(true);
    });

    it('an unanswered write that never took effect', () => {
      expect(verdict([write('a', 0), read(null, 5, 6), read(null, 7, 8)])).toBe(true);
    });

    it('an unanswered CAS that took effect, and one that did not', () => {
      expect(verdict([cas(null, 'a', undefined, 0), read(null, 1, 2), read('a', 3, 4)])).toBe(true);
      expect(verdict([cas(null, 'a', undefined, 0), read(null, 1, 2), read(null, 3, 4)])).toBe(true);
    });

    it('an unanswered write whose only trace is a CAS that failed because of it', () => {
      expect(verdict([write('a', 0, 1), write('x', 2), cas('a', 'b', false, 3, 4)])).toBe(true);
    });

    it('an unanswered delete observed by a later read', () => {
      expect(verdict([write('a', 0, 1), write(null, 2), read('a', 3, 4), read(null, 5, 6)])).toBe(true);
    });

    it('unanswered reads, which constrain nothing', () => {
      expect(checkHistory([read(null, 0), write('a', 1, 2), read(null, 3)])).toEqual({ linearizable: true, keys: 1, operations: 3 });
    });

    it('reads of the configured initial value', () => {
      expect(verdict([read('init', 0, 1), cas('init', 'b', true, 2, 3)], 'init')).toBe(true);
      expect(verdict([read('init', 0, 1)])).toBe(false);
    });

    it('a call at the very instant another operation returns counts as concurrent with it', () => {
      expect(verdict([write('a', 0, 5), read(null, 5, 6)])).toBe(true);
      expect(verdict([write('a', 0, 5), read(null, 5.001, 6)])).toBe(false);
    });
  });

  describe('rejects violations', () => {
    it('a stale read: an older value read after a newer write completed', () => {
      const result = checkHistory([write('a', 0, 1), write('b', 2, 3), read('a', 4, 5)]);
      expect(result).toMatchObject({ linearizable: false, key: 'k' });
    });

    it('a lost write: a completed write never observed, a later read returns the earlier value', () => {
      expect(verdict([write('a', 0, 1), read('a', 2, 3), write('b', 4, 5), read('a', 6, 7)])).toBe(false);
    });

    it('a double CAS success: two CAS with the same expected value both succeed', () => {
      expect(verdict([write('a', 0, 1), cas('a', 'b', true, 2, 5), cas('a', 'c', true, 3, 6)])).toBe(false);
      expect(verdict([cas(null, 'b', true, 2, 5), cas(null, 'c', true, 3, 6)])).toBe(false); // two If-None-Match creates
    });

    it('a read of a value nobody wrote', () => {
      expect(verdict([write('a', 0, 10), read('zzz', 1, 2)])).toBe(false);
    });

    it('a failed CAS that would have succeeded in every order', () => {
      expect(verdict([write('a', 0, 1), read('a', 2, 5), cas('a', 'b', false, 3, 4)])).toBe(false);
    });

    it('an unanswered write taking effect before its call', () => {
      expect(verdict([read('a', 0, 1), write('a', 2)])).toBe(false);
    });

    it('an unanswered write taking effect twice', () => {
      expect(verdict([write('b', 0), read('b', 3, 4), write('c', 5, 6), read('b', 7, 8)])).toBe(false);
    });

    it('names the failing key among several and explains where the search got stuck', () => {
      const history = [
        ...onKey('fine', [write('x', 0, 1), read('x', 2, 3)]),
        ...onKey('broken', [write('a', 0, 1), write('b', 2, 3), read('a', 4, 5)]),
      ];
      const result = checkHistory(history);
      expect(result).toMatchObject({ linearizable: false, key: 'broken' });
      const explanation = result.linearizable === false ? result.explanation : '';
      expect(explanation).toContain('key "broken"');
      expect(explanation).toContain('#4 client c: read = "a" [4, 5]'); // the read that cannot be placed
      expect(explanation).toContain('#3 client c: write("b") = ok [2, 3]'); // the last operation placed
      expect(explanation).toContain('value "b"');
    });

    it('mentions the unanswered operations that could have taken effect', () => {
      const result = checkHistory([write('a', 0, 1), cas('q', 'r', undefined, 2), read('zzz', 3, 4)]);
      expect(result.linearizable).toBe(false);
      expect(result.linearizable === false && result.explanation).toContain('#1 client c: cas("q" → "r") = ? [2, no answer]');
    });
  });

  describe('time budget', () => {
    /**
     * Exponential for WGL: 12 concurrent writes of distinct values and 12 concurrent reads of them can be
     * ordered in astronomically many ways, and a final impossible read is only reached after all of them.
     */
    const pathological = (key: string): HistoryOperation[] =>
      onKey(key, [
        ...Array.from({ length: 12 }, (_, i) => write(`v${i}`, 0, 100)),
        ...Array.from({ length: 12 }, (_, i) => read(`v${i}`, 0, 100)),
        read('impossible', 200, 201),
      ]);

    it('answers unknown instead of hanging, within about the budget', () => {
      const started = performance.now();
      const result = checkHistory(pathological('hard'), { timeBudgetMs: 300 });
      const elapsed = performance.now() - started;
      expect(result).toMatchObject({ linearizable: 'unknown', key: 'hard' });
      expect(result.linearizable === 'unknown' && result.reason).toContain('time budget of 300 ms');
      expect(elapsed).toBeLessThan(3_000);
    });

    it('still finds a violation in another key when one key is hopeless', () => {
      const history = [...pathological('a-hard'), ...onKey('b-broken', [write('a', 0, 1), write('b', 2, 3), read('a', 4, 5)])];
      expect(checkHistory(history, { timeBudgetMs: 500 })).toMatchObject({ linearizable: false, key: 'b-broken' });
    });

    it('rejects a negative or NaN budget', () => {
      expect(() => checkHistory([], { timeBudgetMs: -1 })).toThrow(RangeError);
      expect(() => checkHistory([], { timeBudgetMs: Number.NaN })).toThrow(RangeError);
    });
  });

  describe('malformed histories', () => {
    it.each<[string, HistoryOperation]>([
      ['a return before the call', { ...read('a', 5, 4) }],
      ['an output without a return', { key: 'k', clientId: 'c', input: { kind: 'read' }, call: 0, output: { kind: 'read', value: null } }],
      ['a return without an output', { key: 'k', clientId: 'c', input: { kind: 'read' }, call: 0, return: 1 }],
      ['an output of another kind', { key: 'k', clientId: 'c', input: { kind: 'write', value: 'a' }, call: 0, return: 1, output: { kind: 'cas', ok: true } }],
      ['a non-finite call time', { ...read('a', Number.NaN, 1) }],
    ])('throws InvalidHistoryError for %s, naming the operation', (_, bad) => {
      const history = [write('a', 0, 1), bad];
      expect(() => checkHistory(history)).toThrow(InvalidHistoryError);
      expect(() => checkHistory(history)).toThrow('operation #1');
    });
  });
});
