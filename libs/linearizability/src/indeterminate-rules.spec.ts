import { IndeterminateRules, mayFollowChain } from './indeterminate-rules';
import type { KeyOperation } from './key-history';
import { type ModelOp, OpKind } from './register-model';

// Value ids: 0 absent, 1 "a", 2 "b", 3 "x" (read by nobody), 4 "y" (read by nobody).
const keyOp = (model: ModelOp, call: number, determinate: boolean): KeyOperation => ({
  ...model,
  source: call,
  call,
  ret: determinate ? call + 1 : Infinity,
  determinate,
});
const noFailedCas = { hasFailedCasExpecting: () => false };
const failedCasOn = (state: number) => ({ hasFailedCasExpecting: (s: number) => s === state });

describe('mayFollowChain', () => {
  const read = (value: number) => keyOp({ kind: OpKind.Read, arg: value, value: 0 }, 0, true);
  const failedCas = (expected: number) => keyOp({ kind: OpKind.CasFailed, arg: expected, value: 0 }, 0, true);
  const write = (value: number, determinate: boolean) => keyOp({ kind: OpKind.Write, arg: 0, value }, 0, determinate);

  it('never lets a blind write follow an indeterminate operation', () => {
    expect(mayFollowChain(write(2, true), 1, 1)).toBe(false);
    expect(mayFollowChain(write(2, false), 1, 1)).toBe(false);
  });

  it('lets a read of the new value end a chain unless the chain came back to where it started', () => {
    expect(mayFollowChain(read(2), 1, 1)).toBe(true);
    expect(mayFollowChain(read(2), 1, 2)).toBe(false);
  });

  it('lets a failed CAS follow only if it expects the value before the chain', () => {
    expect(mayFollowChain(failedCas(1), 1, 1)).toBe(true);
    expect(mayFollowChain(failedCas(0), 1, 1)).toBe(false);
  });
});

describe('IndeterminateRules.mayPlace', () => {
  const ops = [
    keyOp({ kind: OpKind.Write, arg: 0, value: 3 }, 0, false), // 0: writes x, nobody reads it
    keyOp({ kind: OpKind.Write, arg: 0, value: 4 }, 1, false), // 1: writes y, nobody reads it
    keyOp({ kind: OpKind.Write, arg: 0, value: 2 }, 2, false), // 2: writes b
    keyOp({ kind: OpKind.Read, arg: 2, value: 0 }, 3, true), // 3: reads b
    keyOp({ kind: OpKind.CasFailed, arg: 1, value: 0 }, 4, true), // 4: failed CAS expecting a
  ];

  it('refuses a placement that would not change the value', () => {
    expect(new IndeterminateRules(ops, 0, noFailedCas).mayPlace(2, 2, 2)).toBe(false);
  });

  it('allows an operation whose value someone still observes', () => {
    expect(new IndeterminateRules(ops, 0, noFailedCas).mayPlace(2, 1, 2)).toBe(true);
  });

  it('allows an unobserved value only to explain a failed CAS that is a candidate now', () => {
    expect(new IndeterminateRules(ops, 0, noFailedCas).mayPlace(0, 1, 3)).toBe(false);
    expect(new IndeterminateRules(ops, 0, failedCasOn(1)).mayPlace(0, 1, 3)).toBe(true);
  });

  it('uses interchangeable operations in call order, and frees them again when taken back', () => {
    const rules = new IndeterminateRules(ops, 0, failedCasOn(1));
    expect(rules.mayPlace(1, 1, 4)).toBe(false); // op 0 was called first and is unused
    rules.placed(0);
    expect(rules.mayPlace(1, 1, 4)).toBe(true);
    rules.unplaced(0);
    expect(rules.mayPlace(1, 1, 4)).toBe(false);
  });

  it('stops counting an observer once it is placed', () => {
    const rules = new IndeterminateRules(ops, 0, noFailedCas);
    rules.placed(3);
    expect(rules.mayPlace(2, 1, 2)).toBe(false);
  });
});
