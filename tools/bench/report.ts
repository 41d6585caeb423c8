import { GET_TARGET_RATIO, PUT_TARGET_RATIO, REPLICATED_PUT_TARGET_RATIO, RSS_TARGET_MB } from './bench-config';
import { PhaseResult } from './phase-result';
import { formatReplicaComparison, throughputRatio, type KeyspacePhases } from './replica-comparison';
import { table } from './text-table';

export interface BenchReport {
  /** geokv with one replica per key: the figures the baselines are compared with. */
  single: KeyspacePhases;
  /** geokv with three replicas per key, measured in the same region and run. */
  replicated: KeyspacePhases;
  pgUpsert: PhaseResult;
  bareFastify: PhaseResult;
  /** App name → peak RSS (VmHWM) in bytes, undefined if never read. */
  peakRss: ReadonlyMap<string, number | undefined>;
}

/** The table, one replica against three, the ratios against their targets, and peak RSS per app against its target. */
export function formatReport(report: BenchReport): string {
  const { single, replicated } = report;
  const phases = [single.put, single.get, replicated.put, replicated.get, report.pgUpsert, report.bareFastify];
  const header = ['phase', 'ok req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'timeouts', 'wrong body'];
  const rows = phases.map((phase) => [
    phase.name,
    phase.okPerSecond.toFixed(0),
    phase.p50Ms.toFixed(2),
    phase.p99Ms.toFixed(2),
    phase.non2xx === undefined ? '-' : String(phase.non2xx),
    String(phase.errors),
    String(phase.timeouts),
    String(phase.wrongBodies),
  ]);
  const lines = table([header, ...rows]);
  for (const phase of phases.filter((candidate) => candidate.notes !== '')) lines.push(`  ${phase.name}: ${phase.notes}`);

  lines.push('', ...formatReplicaComparison(single, replicated));

  lines.push('', 'ratios');
  lines.push(ratioLine(single.put, report.pgUpsert, PUT_TARGET_RATIO));
  lines.push(ratioLine(single.get, report.bareFastify, GET_TARGET_RATIO));
  lines.push(ratioLine(replicated.put, single.put, REPLICATED_PUT_TARGET_RATIO));

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

/** e.g. `geokv PUT N=3 / geokv PUT N=1   0.70x  (target >= 0.6x)  met`, labelled by the phases' names. */
function ratioLine(measured: PhaseResult, baseline: PhaseResult, target: number): string {
  const ratio = throughputRatio(measured, baseline);
  const verdict = ratio >= target ? 'met' : 'MISSED';
  return `  ${`${measured.name} / ${baseline.name}`.padEnd(40)} ${ratio.toFixed(2)}x  (target >= ${target}x)  ${verdict}`;
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
