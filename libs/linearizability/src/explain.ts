import type { HistoryOperation, RegisterValue } from './history';
import type { KeyHistory } from './key-history';
import type { FailureSnapshot } from './wgl-search';

/**
 * Turns the deepest dead end of a failed search into text a person can check against the history:
 * where the longest consistent prefix ends, the register value there, the operation that returned before
 * it could be placed, and the window of operations that could have gone next. Operations are named by
 * their position in the caller's history array (#n).
 */
export function explainViolation(keyHistory: KeyHistory, failure: FailureSnapshot, history: readonly HistoryOperation[]): string {
  const ops = keyHistory.operations;
  const describe = (op: number): string => describeOperation(history[ops[op].source], ops[op].source);
  const value = (id: number): string => showValue(keyHistory.values.valueOf(id));
  const blocked = ops[failure.blocked];
  const lines = [
    `key ${JSON.stringify(keyHistory.key)}: no linearization of its ${ops.length} operations exists.`,
    failure.placedCount === 0
      ? `No operation can be placed first (initial value ${value(keyHistory.initialState)}).`
      : `The longest consistent prefix places ${failure.placedCount} of them${failure.placedCount > failure.lastPlaced.length ? ', ending with' : ''}:`,
    ...failure.lastPlaced.map(({ op, stateAfter }) => `  ${describe(op)}    → value ${value(stateAfter)}`),
    `With the value ${value(failure.state)}, ${describe(failure.blocked)} must take effect before it returns at ${blocked.ret},`,
    `but no order of the ${failure.windowSize} operation(s) called by then and not yet placed gets there:`,
    ...failure.window.map((op) => `  ${describe(op)}`),
  ];
  if (failure.windowSize > failure.window.length) lines.push(`  … and ${failure.windowSize - failure.window.length} more`);
  if (failure.indeterminateCount > 0) {
    lines.push(`nor does letting any of the ${failure.indeterminateCount} unanswered operation(s) called by then take effect:`);
    lines.push(...failure.indeterminate.map((op) => `  ${describe(op)}`));
    const hidden = failure.indeterminateCount - failure.indeterminate.length;
    if (hidden > 0) lines.push(`  … and ${hidden} more`);
  }
  return lines.join('\n');
}

/** One line per operation, e.g. `#12 client c1: cas("a" → "b") = ok [10.5, 11.25]`. */
export function describeOperation(op: HistoryOperation, index: number): string {
  const input = op.input;
  const action =
    input.kind === 'read'
      ? 'read'
      : input.kind === 'write'
        ? input.value === null
          ? 'delete'
          : `write(${showValue(input.value)})`
        : `cas(${showValue(input.expected)} → ${showValue(input.value)})`;
  const output = op.output;
  const result =
    output === undefined ? '?' : output.kind === 'read' ? showValue(output.value) : output.kind === 'write' ? 'ok' : output.ok ? 'ok' : 'failed';
  const interval = op.return === undefined ? `[${op.call}, no answer]` : `[${op.call}, ${op.return}]`;
  return `#${index} client ${op.clientId}: ${action} = ${result} ${interval}`;
}

function showValue(value: RegisterValue): string {
  return value === null ? 'absent' : JSON.stringify(value);
}
