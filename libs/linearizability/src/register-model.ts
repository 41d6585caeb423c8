import type { RegisterInput, RegisterOutput, RegisterValue } from './history';

/**
 * The sequential specification of one key: a register with read, write (PUT/DELETE) and compare-and-set.
 * The search needs millions of steps, so values are interned to small integers and each operation is
 * compiled once, folding its recorded output into its kind; `step` is then a single switch on integers.
 */

/** Model states are value ids; this id always means null (the key is absent). */
export const ABSENT = 0;

/** Returned by `step` when an operation cannot take effect in a state. */
export const IMPOSSIBLE = -1;

/** Operation kinds with their outcome folded in. */
export const OpKind = {
  /** A read that returned `arg`. */
  Read: 0,
  /** A write of `value`, answered or not: a write that takes effect always sets the value. */
  Write: 1,
  /** A CAS `arg` → `value` that reported success. */
  CasOk: 2,
  /** A CAS with expected `arg` that reported failure. */
  CasFailed: 3,
  /** A CAS `arg` → `value` with no answer: if it takes effect it behaves as the register says. */
  CasUnknown: 4,
} as const;
export type OpKind = (typeof OpKind)[keyof typeof OpKind];

export interface ModelOp {
  readonly kind: OpKind;
  /** Value id a read returned, or a CAS's expected value id; ABSENT when unused. */
  readonly arg: number;
  /** Value id a write or CAS installs; ABSENT when unused. */
  readonly value: number;
}

/** Interns register values: null is always ABSENT (0), strings get 1, 2, … in first-seen order. */
export class ValueTable {
  private readonly ids = new Map<string, number>();
  private readonly values: RegisterValue[] = [null];

  /** Guarantees: equal values get equal ids, different values different ids. */
  idOf(value: RegisterValue): number {
    if (value === null) return ABSENT;
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
    }
    return id;
  }

  /** The value behind an id returned by idOf. */
  valueOf(id: number): RegisterValue {
    const value = this.values[id];
    if (value === undefined) throw new RangeError(`unknown value id ${id}`);
    return value;
  }
}

/**
 * Compiles an operation for `step`. `output` undefined means indeterminate. Returns undefined for an
 * indeterminate read: it has no effect on the register and constrains nothing, so it is dropped.
 * Assumes input and output kinds agree (validated by the caller).
 */
export function compileOp(input: RegisterInput, output: RegisterOutput | undefined, values: ValueTable): ModelOp | undefined {
  switch (input.kind) {
    case 'read':
      if (output?.kind !== 'read') return undefined;
      return { kind: OpKind.Read, arg: values.idOf(output.value), value: ABSENT };
    case 'write':
      return { kind: OpKind.Write, arg: ABSENT, value: values.idOf(input.value) };
    case 'cas': {
      const arg = values.idOf(input.expected);
      const value = values.idOf(input.value);
      if (output?.kind !== 'cas') return { kind: OpKind.CasUnknown, arg, value };
      return output.ok ? { kind: OpKind.CasOk, arg, value } : { kind: OpKind.CasFailed, arg, value: ABSENT };
    }
  }
}

/**
 * Applies `op` to `state`. Guarantees: returns IMPOSSIBLE exactly when the recorded outcome of `op`
 * cannot happen in `state` (a read of another value, a successful CAS whose expectation does not hold, a
 * failed CAS whose expectation does hold); otherwise returns the state after `op`.
 */
export function step(op: ModelOp, state: number): number {
  switch (op.kind) {
    case OpKind.Read:
      return state === op.arg ? state : IMPOSSIBLE;
    case OpKind.Write:
      return op.value;
    case OpKind.CasOk:
      return state === op.arg ? op.value : IMPOSSIBLE;
    case OpKind.CasFailed:
      return state === op.arg ? IMPOSSIBLE : state;
    case OpKind.CasUnknown:
      return state === op.arg ? op.value : state;
  }
}
