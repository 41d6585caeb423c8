/** What one measured phase produced; every failure is counted, because a benchmark of errors measures nothing. */
export interface PhaseResult {
  name: string;
  /** Successful operations per second (2xx only for HTTP). */
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** HTTP responses outside 2xx; undefined where there is no HTTP. */
  non2xx: number | undefined;
  /** Connection errors, failed queries. */
  errors: number;
  timeouts: number;
  /** 2xx responses whose body was not the value stored under that key (warm-up included: any is a bug). */
  wrongBodies: number;
  /** e.g. `503×12 404×3`, or the first error message; '' when there is nothing to say. */
  notes: string;
  /** Process group → CPU microseconds per successful request over the measured run, where it was metered. */
  cpuMicrosPerOk?: ReadonlyMap<string, number>;
}

/** Median and 99th percentile (nearest rank) of latencies in ms; sorts `latencies` in place. */
export function latencyPercentiles(latencies: number[]): { p50Ms: number; p99Ms: number } {
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.max(0, Math.ceil(q * latencies.length) - 1)] ?? 0;
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** `measured`'s ok/s over `baseline`'s; 0 when the baseline did nothing, which no target accepts. */
export function throughputRatio(measured: PhaseResult, baseline: PhaseResult): number {
  return baseline.okPerSecond > 0 ? measured.okPerSecond / baseline.okPerSecond : 0;
}
