import { throughputRatio, type PhaseResult } from './phase-result';

/**
 * The throughput part measures each system in several short rounds, geokv's phases next to the baselines they
 * are judged against, instead of each once and minutes apart: this machine's speed drifts within minutes
 * (twelve runs in one hour put the same code's GET at 0.17–0.56× the bare server), so a baseline measured
 * later than the phase it judges moved the verdict as much as the code did.
 */

/** A phase's rounds as one row: mean throughput, median p50, worst p99, and every failure counted. */
export function combineRounds(rounds: readonly PhaseResult[]): PhaseResult {
  if (rounds.length === 0) throw new Error('combineRounds needs at least one round');
  const sum = (of: (round: PhaseResult) => number): number => rounds.reduce((total, round) => total + of(round), 0);
  const non2xx = rounds.every((round) => round.non2xx === undefined) ? undefined : sum((round) => round.non2xx ?? 0);
  return {
    name: rounds[0].name,
    okPerSecond: sum((round) => round.okPerSecond) / rounds.length,
    p50Ms: medianOf(rounds.map((round) => round.p50Ms)),
    p99Ms: Math.max(...rounds.map((round) => round.p99Ms)),
    non2xx,
    errors: sum((round) => round.errors),
    timeouts: sum((round) => round.timeouts),
    wrongBodies: sum((round) => round.wrongBodies),
    notes: rounds.flatMap((round, i) => (round.notes === '' ? [] : [`round ${i + 1}: ${round.notes}`])).join('; '),
    ...combinedCpu(rounds),
  };
}

/** A measured phase against its baseline, round by round; the verdict takes the median of the rounds' ratios. */
export interface PairedRatio {
  readonly median: number;
  readonly perRound: readonly number[];
}

/** `measured[i]`'s ok/s over `baseline[i]`'s for each round i; 0 for a round whose baseline did nothing. */
export function pairedRatio(measured: readonly PhaseResult[], baseline: readonly PhaseResult[]): PairedRatio {
  if (measured.length !== baseline.length || measured.length === 0) {
    throw new Error(`pairedRatio needs the same number of rounds on both sides, got ${measured.length} and ${baseline.length}`);
  }
  const perRound = measured.map((phase, i) => throughputRatio(phase, baseline[i]));
  return { median: medianOf(perRound), perRound };
}

export function medianOf(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * CPU per successful request over all rounds: each round's figure weighted by its requests (the rounds last
 * equally long, so by its throughput). Only where every round was metered.
 */
function combinedCpu(rounds: readonly PhaseResult[]): Pick<PhaseResult, 'cpuMicrosPerOk'> {
  if (rounds.some((round) => round.cpuMicrosPerOk === undefined)) return {};
  const requests = rounds.reduce((total, round) => total + round.okPerSecond, 0);
  const micros = new Map<string, number>();
  for (const round of rounds) {
    for (const [group, perOk] of round.cpuMicrosPerOk!) micros.set(group, (micros.get(group) ?? 0) + perOk * round.okPerSecond);
  }
  return { cpuMicrosPerOk: new Map([...micros].map(([group, total]) => [group, requests === 0 ? 0 : total / requests])) };
}
