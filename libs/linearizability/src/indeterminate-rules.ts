import type { KeyOperation } from './key-history';
import { type ModelOp, OpKind } from './register-model';

/** Tells whether a failed CAS expecting a given state is among the current (determinate) candidates. */
export interface FailedCasProbe {
  hasFailedCasExpecting(state: number): boolean;
}

/**
 * Where the search lets an indeterminate (unanswered) operation take effect. Each one may take effect at
 * any point after its call or never, so placing them freely doubles the configurations to explore per
 * pending operation, which makes proving a violation in a long history hopeless. These rules restrict
 * placements to a canonical form that every linearization can be rewritten into without changing any
 * other operation's outcome, so they never change a verdict. Call a maximal run of consecutive
 * indeterminate operations in a linearization a chain; it takes the register from v to x.
 *
 * 1. Each must change the value: dropping one that does not changes nothing.
 * 2. A chain must be followed by a determinate operation that is valid after it and would be invalid
 *    before it (in v). If a blind write or nothing follows, drop the chain; if the follower is valid in
 *    v with the same effect (a failed CAS expecting neither v nor x, or anything when x = v), move it
 *    before the chain (nothing has to precede an operation that never returned).
 * 3. Within a chain and at its end, each operation must tell the value installed by the operation before
 *    it from the value before that (`distinguishes`); otherwise drop that one or move it after the next.
 *    Repeating 2 and 3 ends, since each step drops an indeterminate operation or moves one later.
 * 4. Interchangeable operations are used in call order: if a linearization uses some of them, giving
 *    the k-th use to the k-th called is also one (the k-th use comes after k calls). Operations with the
 *    same effect are interchangeable (writes of one value, CAS with the same expected and new values),
 *    and so are those installing values that no operation reads or expects (blind writes; CAS with the
 *    same expected value): after one, only failed CASes expecting other values and then a blind write
 *    can follow, and those fail with either value.
 */
export class IndeterminateRules {
  /** observers[v]: unplaced reads of v and CAS expecting v, which can follow an operation installing v. */
  private readonly observers: Int32Array;
  /** Interchangeable class of each indeterminate operation (rule 4), or -1. */
  private readonly classOf: Int32Array;
  /** Members of each class in call order, and how many of them are placed. */
  private readonly members: Int32Array[] = [];
  private readonly placedInClass: Int32Array;
  /** Whether a failed CAS expecting the current state is a candidate: -1 until computed. */
  private failedCasCandidate = -1;

  constructor(
    private readonly ops: readonly KeyOperation[],
    initialState: number,
    private readonly candidates: FailedCasProbe,
  ) {
    let valueCount = initialState + 1;
    for (const op of ops) valueCount = Math.max(valueCount, op.arg + 1, op.value + 1);
    this.observers = new Int32Array(valueCount);
    const expectedOrRead = new Uint8Array(valueCount);
    for (const op of ops) {
      if (observes(op)) this.observers[op.arg]++;
      if (op.kind !== OpKind.Write) expectedOrRead[op.arg] = 1;
    }
    this.classOf = new Int32Array(ops.length).fill(-1);
    const classIds = new Map<string, number>();
    const members: number[][] = [];
    ops.forEach((op, i) => {
      if (op.determinate) return;
      const expected = op.kind === OpKind.Write ? '' : op.arg;
      const value = expectedOrRead[op.value] === 1 ? op.value : 'unobserved';
      const classKey = `${expected}:${value}`;
      let id = classIds.get(classKey);
      if (id === undefined) {
        id = members.length;
        classIds.set(classKey, id);
        members.push([]);
      }
      this.classOf[i] = id;
      members[id].push(i);
    });
    this.members = members.map((list) => Int32Array.from(list));
    this.placedInClass = new Int32Array(members.length);
  }

  /**
   * Whether indeterminate operation `op`, valid in `state` with result `after`, may be placed now, given
   * the current candidates. Guarantees: false only when rules 1, 3 and 4 show that no canonical
   * linearization places it here; true is no promise that it leads anywhere.
   */
  mayPlace(op: number, state: number, after: number): boolean {
    if (after === state) return false;
    const id = this.classOf[op];
    if (id >= 0 && this.members[id][this.placedInClass[id]] !== op) return false;
    if (this.observers[after] > 0) return true;
    // Only a failed CAS expecting the current state could follow it: is one a candidate now?
    if (this.failedCasCandidate === -1) this.failedCasCandidate = this.candidates.hasFailedCasExpecting(state) ? 1 : 0;
    return this.failedCasCandidate === 1;
  }

  /** Records that `op` (determinate or not) was placed. */
  placed(op: number): void {
    this.update(op, 1);
  }

  /** Records that `op` was taken back; calls must mirror `placed` in LIFO order. */
  unplaced(op: number): void {
    this.update(op, -1);
  }

  private update(op: number, delta: 1 | -1): void {
    const model = this.ops[op];
    if (observes(model)) this.observers[model.arg] -= delta;
    const id = this.classOf[op];
    if (id >= 0) this.placedInClass[id] += delta;
    this.failedCasCandidate = -1;
  }
}

/**
 * Rules 2 and 3: whether `next`, valid in the current state, may directly follow an indeterminate
 * operation that changed the value from `before`, in a chain that started from `chainStart`.
 * Guarantees: false only if no canonical linearization has `next` here.
 */
export function mayFollowChain(next: KeyOperation, before: number, chainStart: number): boolean {
  if (!distinguishes(next, before)) return false;
  if (!next.determinate) return true;
  // Ends the chain: Read and CasOk are valid exactly when the value is their arg, failed CAS otherwise.
  return next.kind === OpKind.CasFailed ? next.arg === chainStart : next.arg !== chainStart;
}

/**
 * Rule 3: a read or successful CAS valid now observes the new value; an indeterminate CAS placed now (so
 * one that changes the value, rule 1) expects it. A failed CAS tells the values apart only if it expects
 * `before`; a blind write never does.
 */
function distinguishes(next: ModelOp, before: number): boolean {
  return next.kind !== OpKind.Write && (next.kind !== OpKind.CasFailed || next.arg === before);
}

/** Operations that can directly follow one installing their `arg`, per rule 3. */
function observes(op: ModelOp): boolean {
  return op.kind === OpKind.Read || op.kind === OpKind.CasOk || op.kind === OpKind.CasUnknown;
}
