import { InvalidHistoryError } from './errors';
import type { HistoryOperation, RegisterOutput, RegisterValue } from './history';
import { compileOp, type ModelOp, ValueTable } from './register-model';

/** One operation of a key's sub-history, compiled for the search. */
export interface KeyOperation extends ModelOp {
  /** Position in the caller's history array, so explanations point at the caller's data. */
  readonly source: number;
  readonly call: number;
  /** Infinity when indeterminate: such an operation may take effect at any time after its call. */
  readonly ret: number;
  readonly determinate: boolean;
}

/** The sub-history of one key, ready to search. */
export interface KeyHistory {
  readonly key: string;
  /** Sorted by call time, ties by source position; the search relies on this order. */
  readonly operations: readonly KeyOperation[];
  readonly values: ValueTable;
  readonly initialState: number;
  /** Operations of this key in the input, including the dropped indeterminate reads. */
  readonly recorded: number;
}

/**
 * Splits a history by key (P-compositionality: the history is linearizable iff every key's is).
 * Guarantees: keys come out sorted, each key's operations sorted by (call, source); indeterminate reads
 * are dropped (they neither change nor observe anything that must hold); every other operation is kept.
 * @throws InvalidHistoryError when an operation is malformed.
 */
export function splitByKey(history: readonly HistoryOperation[], initial: RegisterValue): KeyHistory[] {
  const byKey = new Map<string, { ops: KeyOperation[]; values: ValueTable; recorded: number }>();
  history.forEach((op, index) => {
    assertWellFormed(op, index);
    let group = byKey.get(op.key);
    if (group === undefined) {
      group = { ops: [], values: new ValueTable(), recorded: 0 };
      byKey.set(op.key, group);
    }
    group.recorded++;
    const model = compileOp(op.input, op.output, group.values);
    if (model === undefined) return;
    const determinate = op.return !== undefined;
    group.ops.push({ ...model, source: index, call: op.call, ret: op.return ?? Infinity, determinate });
  });
  return [...byKey.keys()].sort().map((key) => {
    const { ops, values, recorded } = byKey.get(key)!;
    ops.sort((a, b) => a.call - b.call || a.source - b.source);
    return { key, operations: ops, values, initialState: values.idOf(initial), recorded };
  });
}

function assertWellFormed(op: HistoryOperation, index: number): void {
  const fail = (reason: string): never => {
    throw new InvalidHistoryError(index, reason);
  };
  if (typeof op.key !== 'string') fail('key must be a string');
  if (!Number.isFinite(op.call)) fail(`call must be a finite number, got ${op.call}`);
  const input = op.input;
  if (input.kind === 'write') assertValue(input.value, 'value', fail);
  else if (input.kind === 'cas') {
    assertValue(input.expected, 'expected', fail);
    assertValue(input.value, 'value', fail);
  } else if (input.kind !== 'read') fail(`unknown input kind ${JSON.stringify((input as { kind: unknown }).kind)}`);
  if (op.return === undefined) {
    if (op.output !== undefined) fail('an output without a return time');
    return;
  }
  if (!Number.isFinite(op.return)) fail(`return must be a finite number or absent, got ${op.return}`);
  if (op.return < op.call) fail(`returned at ${op.return}, before its call at ${op.call}`);
  if (op.output === undefined) fail('a return time without an output');
  const output: RegisterOutput = op.output!;
  if (output.kind !== input.kind) fail(`a ${input.kind} answered as a ${output.kind}`);
  if (output.kind === 'read') assertValue(output.value, 'read value', fail);
  if (output.kind === 'cas' && typeof output.ok !== 'boolean') fail('cas output ok must be a boolean');
}

function assertValue(value: unknown, what: string, fail: (reason: string) => never): void {
  if (value !== null && typeof value !== 'string') fail(`${what} must be a string or null`);
}
