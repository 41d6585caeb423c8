import { describeKeyspace, type BenchKeyspace } from './bench-keyspaces';
import { PhaseResult } from './phase-result';
import type { PairedRatio } from './rounds';
import { table } from './text-table';

/** geokv's PUT and GET phases against one keyspace. */
export interface KeyspacePhases {
  keyspace: BenchKeyspace;
  put: PhaseResult;
  get: PhaseResult;
}

/**
 * Two keyspaces side by side, e.g. one replica against three: ok/s and p99 of PUT and GET, and the second's
 * ok/s over the first's, as `ratios` gives it (the median of the rounds' ratios). Same region, same rounds,
 * so the machine's drift between runs cancels out.
 */
export function formatReplicaComparison(first: KeyspacePhases, second: KeyspacePhases, ratios: { put: PairedRatio; get: PairedRatio }): string[] {
  const a = first.keyspace.label;
  const b = second.keyspace.label;
  const row = (operation: string, one: PhaseResult, other: PhaseResult, ratio: PairedRatio): string[] => [
    operation,
    one.okPerSecond.toFixed(0),
    one.p99Ms.toFixed(2),
    other.okPerSecond.toFixed(0),
    other.p99Ms.toFixed(2),
    `${ratio.median.toFixed(2)}x`,
  ];
  return [
    `replicas: ${describeKeyspace(first.keyspace)} vs ${describeKeyspace(second.keyspace)}, same region and run`,
    ...table([
      ['op', `${a} ok/s`, `${a} p99 ms`, `${b} ok/s`, `${b} p99 ms`, `${b} / ${a}`],
      row('PUT', first.put, second.put, ratios.put),
      row('GET', first.get, second.get, ratios.get),
    ]),
  ];
}
