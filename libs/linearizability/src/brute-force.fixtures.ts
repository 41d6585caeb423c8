import type { HistoryOperation, RegisterValue } from './history';

/**
 * A deliberately naive oracle for tiny histories: tries every order of every key's operations that
 * respects real time (an operation may go next unless another unplaced one returned strictly before it
 * was called), letting indeterminate operations take effect anywhere after their call or never. It
 * shares no code with the checker. Exponential: keep histories to about 8 operations per key.
 */
export function bruteForceLinearizable(history: readonly HistoryOperation[], initial: RegisterValue = null): boolean {
  const byKey = new Map<string, HistoryOperation[]>();
  for (const op of history) byKey.set(op.key, [...(byKey.get(op.key) ?? []), op]);
  return [...byKey.values()].every((ops) => search(ops, initial));
}

function search(remaining: readonly HistoryOperation[], state: RegisterValue): boolean {
  if (remaining.every((op) => op.return === undefined)) return true;
  return remaining.some((op) => {
    const blocked = remaining.some((other) => other !== op && other.return !== undefined && other.return < op.call);
    if (blocked) return false;
    const next = apply(op, state);
    return next !== undefined && search(remaining.filter((other) => other !== op), next.state);
  });
}

/** The register's sequential specification: the state after `op`, or undefined if its output is impossible. */
function apply(op: HistoryOperation, state: RegisterValue): { state: RegisterValue } | undefined {
  const { input, output } = op;
  if (input.kind === 'read') {
    if (output === undefined) return { state };
    return output.kind === 'read' && output.value === state ? { state } : undefined;
  }
  if (input.kind === 'write') return { state: input.value };
  const matches = state === input.expected;
  if (output === undefined) return { state: matches ? input.value : state };
  if (output.kind !== 'cas' || output.ok !== matches) return undefined;
  return { state: matches ? input.value : state };
}
