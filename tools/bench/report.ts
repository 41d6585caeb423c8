import { GET_TARGET_RATIO, PUT_TARGET_RATIO, REPLICATED_PUT_TARGET_RATIO, RSS_TARGET_MB } from './bench-config';
import { PhaseResult } from './phase-result';
import { formatReplicaComparison, type KeyspacePhases } from './replica-comparison';
import { combineRounds, pairedRatio, type PairedRatio } from './rounds';
import { table } from './text-table';

/** One round of the throughput part: every phase once, each next to the phase it is judged against. */
export interface ThroughputRound {
  /** geokv with one replica per key: the figures the baselines are compared with. */
  single: KeyspacePhases;
  /** geokv with three replicas per key, measured in the same region and round. */
  replicated: KeyspacePhases;
  pgUpsert: PhaseResult;
  bareFastify: PhaseResult;
}

export interface BenchReport {
  rounds: readonly ThroughputRound[];
  /** App name → peak RSS (VmHWM) in bytes, undefined if never read. */
  peakRss: ReadonlyMap<string, number | undefined>;
}

/**
 * The table (each phase's rounds combined, see combineRounds), one replica against three, the ratios against
 * their targets (median of the rounds' paired ratios, see pairedRatio), and peak RSS per app against its target.
 */
export function formatReport(report: BenchReport): string {
  const { rounds } = report;
  const of = (pick: (round: ThroughputRound) => PhaseResult): PhaseResult[] => rounds.map(pick);
  const byPhase = [
    of((round) => round.single.put),
    of((round) => round.single.get),
    of((round) => round.replicated.put),
    of((round) => round.replicated.get),
    of((round) => round.pgUpsert),
    of((round) => round.bareFastify),
  ];
  const [singlePuts, singleGets, replicatedPuts, replicatedGets, upserts, bareGets] = byPhase;
  const phases = byPhase.map(combineRounds);
  const [singlePut, singleGet, replicatedPut, replicatedGet, pgUpsert, bareFastify] = phases;
  const header = ['phase', 'ok req/s', 'each round', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'timeouts', 'wrong body'];
  const rows = phases.map((phase, i) => [
    phase.name,
    phase.okPerSecond.toFixed(0),
    byPhase[i].map((round) => round.okPerSecond.toFixed(0)).join(' '),
    phase.p50Ms.toFixed(2),
    phase.p99Ms.toFixed(2),
    phase.non2xx === undefined ? '-' : String(phase.non2xx),
    String(phase.errors),
    String(phase.timeouts),
    String(phase.wrongBodies),
  ]);
  const lines = table([header, ...rows]);
  for (const phase of phases.filter((candidate) => candidate.notes !== '')) lines.push(`  ${phase.name}: ${phase.notes}`);

  lines.push(`  ${rounds.length} round(s); ok req/s is the rounds' mean, p50 their median, p99 the worst of them`);

  const replicas = { put: pairedRatio(replicatedPuts, singlePuts), get: pairedRatio(replicatedGets, singleGets) };
  const [single, replicated] = [rounds[0].single.keyspace, rounds[0].replicated.keyspace];
  lines.push('', ...formatReplicaComparison({ keyspace: single, put: singlePut, get: singleGet }, { keyspace: replicated, put: replicatedPut, get: replicatedGet }, replicas));

  lines.push('', 'ratios (median of the rounds\' ratios, each to the baseline measured beside it in its round)');
  lines.push(ratioLine(singlePut, pgUpsert, pairedRatio(singlePuts, upserts), PUT_TARGET_RATIO));
  lines.push(ratioLine(singleGet, bareFastify, pairedRatio(singleGets, bareGets), GET_TARGET_RATIO));
  lines.push(ratioLine(replicatedPut, singlePut, replicas.put, REPLICATED_PUT_TARGET_RATIO));

  lines.push('', ...formatCpuPerRequest(phases));

  lines.push('', `peak RSS (VmHWM), target < ${RSS_TARGET_MB} MB per app`);
  for (const [name, bytes] of report.peakRss) {
    const mb = bytes === undefined ? undefined : bytes / (1024 * 1024);
    const verdict = mb === undefined ? 'not measured' : mb < RSS_TARGET_MB ? 'met' : 'MISSED';
    lines.push(`  ${name.padEnd(20)} ${mb === undefined ? '?' : mb.toFixed(0).padStart(5)} MB  ${verdict}`);
  }

  const failures = phases.reduce((sum, phase) => sum + (phase.non2xx ?? 0) + phase.errors + phase.timeouts + phase.wrongBodies, 0);
  if (failures > 0) lines.push('', `WARNING: ${failures} failed requests/queries; the figures above include them.`);
  return lines.join('\n');
}

/** e.g. `geokv PUT N=3 / geokv PUT N=1   0.70x  (target >= 0.6x)  met  (rounds 0.66 0.70 0.74)`, labelled by the phases' names. */
function ratioLine(measured: PhaseResult, baseline: PhaseResult, ratio: PairedRatio, target: number): string {
  const verdict = ratio.median >= target ? 'met' : 'MISSED';
  const rounds = ratio.perRound.map((value) => value.toFixed(2)).join(' ');
  return `  ${`${measured.name} / ${baseline.name}`.padEnd(40)} ${ratio.median.toFixed(2)}x  (target >= ${target}x)  ${verdict}  (rounds ${rounds})`;
}

/**
 * CPU microseconds per successful request, by process group (rows) and phase (columns), over each measured
 * run: where a request's cost goes on the shared cores. Phases that were not metered are left out.
 */
export function formatCpuPerRequest(phases: readonly PhaseResult[]): string[] {
  const metered = phases.filter((phase) => phase.cpuMicrosPerOk !== undefined);
  if (metered.length === 0) return [];
  const groups = [...new Set(metered.flatMap((phase) => [...phase.cpuMicrosPerOk!.keys()]))];
  const cell = (phase: PhaseResult, group: string): string => {
    const micros = phase.cpuMicrosPerOk!.get(group);
    return micros === undefined ? '-' : micros.toFixed(0);
  };
  const total = (phase: PhaseResult): string => [...phase.cpuMicrosPerOk!.values()].reduce((sum, micros) => sum + micros, 0).toFixed(0);
  return [
    'CPU per successful request (µs of user + system time, from /proc, over each measured run)',
    ...table([
      ['process', ...metered.map((phase) => phase.name)],
      ...groups.map((group) => [group, ...metered.map((phase) => cell(phase, group))]),
      ['all of these', ...metered.map(total)],
    ]),
  ];
}
