import { GET_TARGET_RATIO, PUT_TARGET_RATIO, RSS_TARGET_MB } from './bench-config';
import { PhaseResult } from './phase-result';

export interface BenchReport {
  put: PhaseResult;
  get: PhaseResult;
  pgUpsert: PhaseResult;
  bareFastify: PhaseResult;
  /** App name → peak RSS (VmHWM) in bytes, undefined if never read. */
  peakRss: ReadonlyMap<string, number | undefined>;
}

/** The table, the two ratios against their targets, and peak RSS per app against its target. */
export function formatReport(report: BenchReport): string {
  const phases = [report.put, report.get, report.pgUpsert, report.bareFastify];
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

  lines.push('', 'ratios');
  lines.push(ratioLine('geokv PUT / raw PostgreSQL upsert', report.put, report.pgUpsert, PUT_TARGET_RATIO));
  lines.push(ratioLine('geokv GET / bare Fastify', report.get, report.bareFastify, GET_TARGET_RATIO));

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

function ratioLine(label: string, measured: PhaseResult, baseline: PhaseResult, target: number): string {
  const ratio = baseline.okPerSecond > 0 ? measured.okPerSecond / baseline.okPerSecond : 0;
  const verdict = ratio >= target ? 'met' : 'MISSED';
  return `  ${label.padEnd(36)} ${ratio.toFixed(2)}x  (target >= ${target}x)  ${verdict}`;
}

export function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const render = (row: string[]): string =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  return [render(rows[0]), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(render)];
}
