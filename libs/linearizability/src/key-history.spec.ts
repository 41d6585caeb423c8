import type { HistoryOperation } from './history';
import { splitByKey } from './key-history';
import { ABSENT, OpKind } from './register-model';

const op = (key: string, call: number, extra: Partial<HistoryOperation> = {}): HistoryOperation => ({
  key,
  clientId: 'c',
  input: { kind: 'write', value: `${key}@${call}` },
  call,
  return: call + 1,
  output: { kind: 'write' },
  ...extra,
});

describe('splitByKey', () => {
  it('groups by key (keys sorted) and sorts each key by call time, ties by position', () => {
    const keys = splitByKey([op('b', 5), op('a', 3), op('b', 1), op('a', 3), op('a', 0)], null);
    expect(keys.map((k) => k.key)).toEqual(['a', 'b']);
    expect(keys[0].operations.map((o) => o.source)).toEqual([4, 1, 3]);
    expect(keys[1].operations.map((o) => o.source)).toEqual([2, 0]);
  });

  it('drops unanswered reads but counts them as recorded', () => {
    const [k] = splitByKey([op('k', 0), { key: 'k', clientId: 'c', input: { kind: 'read' }, call: 1 }], null);
    expect(k.operations).toHaveLength(1);
    expect(k.recorded).toBe(2);
  });

  it('marks unanswered operations indeterminate with an infinite return', () => {
    const [k] = splitByKey([{ key: 'k', clientId: 'c', input: { kind: 'cas', expected: null, value: 'v' }, call: 2 }], null);
    expect(k.operations[0]).toMatchObject({ determinate: false, ret: Infinity, kind: OpKind.CasUnknown, arg: ABSENT });
  });

  it('interns the initial value per key', () => {
    const [k] = splitByKey([op('k', 0)], 'init');
    expect(k.values.valueOf(k.initialState)).toBe('init');
  });
});
