import { describeOperation } from './explain';

describe('describeOperation', () => {
  it.each([
    [{ kind: 'read' as const }, { kind: 'read' as const, value: null }, 'read = absent [1, 2]'],
    [{ kind: 'write' as const, value: 'a' }, { kind: 'write' as const }, 'write("a") = ok [1, 2]'],
    [{ kind: 'write' as const, value: null }, { kind: 'write' as const }, 'delete = ok [1, 2]'],
    [{ kind: 'cas' as const, expected: null, value: 'b' }, { kind: 'cas' as const, ok: false }, 'cas(absent → "b") = failed [1, 2]'],
  ])('names the index, client, action, result and interval', (input, output, text) => {
    expect(describeOperation({ key: 'k', clientId: 'c7', input, call: 1, return: 2, output }, 3)).toBe(`#3 client c7: ${text}`);
  });

  it('marks an unanswered operation', () => {
    expect(describeOperation({ key: 'k', clientId: 'c', input: { kind: 'cas', expected: 'a', value: 'b' }, call: 1.5 }, 0)).toBe(
      '#0 client c: cas("a" → "b") = ? [1.5, no answer]',
    );
  });
});
