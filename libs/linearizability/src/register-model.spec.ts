import { ABSENT, compileOp, IMPOSSIBLE, OpKind, step, ValueTable } from './register-model';

describe('ValueTable', () => {
  it('interns null as ABSENT and strings to stable distinct ids', () => {
    const values = new ValueTable();
    expect(values.idOf(null)).toBe(ABSENT);
    const a = values.idOf('a');
    expect(values.idOf('b')).not.toBe(a);
    expect(values.idOf('a')).toBe(a);
    expect(values.valueOf(a)).toBe('a');
    expect(values.valueOf(ABSENT)).toBeNull();
    expect(() => values.valueOf(99)).toThrow(RangeError);
  });
});

describe('compileOp and step', () => {
  const values = new ValueTable();
  const a = values.idOf('a');
  const b = values.idOf('b');

  it('a read succeeds only on the value it returned, and changes nothing', () => {
    const op = compileOp({ kind: 'read' }, { kind: 'read', value: 'a' }, values)!;
    expect(step(op, a)).toBe(a);
    expect(step(op, b)).toBe(IMPOSSIBLE);
  });

  it('drops an unanswered read', () => {
    expect(compileOp({ kind: 'read' }, undefined, values)).toBeUndefined();
  });

  it('a write, answered or not, always sets the value; a delete sets ABSENT', () => {
    expect(step(compileOp({ kind: 'write', value: 'b' }, { kind: 'write' }, values)!, a)).toBe(b);
    expect(step(compileOp({ kind: 'write', value: 'b' }, undefined, values)!, ABSENT)).toBe(b);
    expect(step(compileOp({ kind: 'write', value: null }, { kind: 'write' }, values)!, a)).toBe(ABSENT);
  });

  it('a successful CAS requires its expectation and installs its value', () => {
    const op = compileOp({ kind: 'cas', expected: 'a', value: 'b' }, { kind: 'cas', ok: true }, values)!;
    expect(op.kind).toBe(OpKind.CasOk);
    expect(step(op, a)).toBe(b);
    expect(step(op, ABSENT)).toBe(IMPOSSIBLE);
  });

  it('a failed CAS requires its expectation not to hold and changes nothing', () => {
    const op = compileOp({ kind: 'cas', expected: null, value: 'b' }, { kind: 'cas', ok: false }, values)!;
    expect(step(op, a)).toBe(a);
    expect(step(op, ABSENT)).toBe(IMPOSSIBLE);
  });

  it('an unanswered CAS installs its value when its expectation holds and is a no-op otherwise', () => {
    const op = compileOp({ kind: 'cas', expected: null, value: 'b' }, undefined, values)!;
    expect(op.kind).toBe(OpKind.CasUnknown);
    expect(step(op, ABSENT)).toBe(b);
    expect(step(op, a)).toBe(a);
  });
});
