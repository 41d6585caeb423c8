import autocannon from 'autocannon';
import { PhaseResult } from './phase-result';
import { WARMUP_SECONDS } from './bench-config';
import type { FailureCodes } from './failure-codes';
import { CpuMeter, perRequestMicros, type MeteredProcess } from './process-cpu';

export interface HttpLoad {
  name: string;
  url: string;
  connections: number;
  seconds: number;
  /** Unmeasured seconds first; WARMUP_SECONDS unless given. */
  warmupSeconds?: number;
  requests?: autocannon.Request[];
  /** Counted by the caller's onResponse; read after the run. */
  wrongBodies?: () => number;
  /**
   * Filled by the requests' onResponse (see BenchKeys); reset when the measured run starts, so that it
   * counts what the status counts do, and then describes the failures in the result's notes.
   */
  failures?: FailureCodes;
  /** Processes whose CPU time over the measured run is reported per successful request; listed when it starts. */
  cpuOf?: () => readonly MeteredProcess[];
}

/** Seconds before a request counts as a timeout: far above any healthy latency here, well under a phase. */
const REQUEST_TIMEOUT_SECONDS = 5;

/** Runs autocannon against `url`: a discarded warm-up, then `seconds` measured. */
export async function runHttpLoad(load: HttpLoad): Promise<PhaseResult> {
  const running = autocannon({
    url: load.url,
    connections: load.connections,
    duration: load.seconds,
    timeout: REQUEST_TIMEOUT_SECONDS,
    requests: load.requests,
    warmup: { connections: load.connections, duration: load.warmupSeconds ?? WARMUP_SECONDS },
  });
  let cpu: CpuMeter | undefined;
  // Emitted for the measured run only: the warm-up reports to a tracker of its own.
  running.on('start', () => {
    load.failures?.reset();
    if (load.cpuOf === undefined) return;
    cpu = new CpuMeter(load.cpuOf());
    cpu.start();
  });
  const result = await running;
  const cpuSeconds = cpu?.read();
  return {
    name: load.name,
    okPerSecond: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    wrongBodies: load.wrongBodies?.() ?? 0,
    notes: load.failures?.describe() ?? describeStatuses(result.statusCodeStats),
    ...(cpuSeconds === undefined ? {} : { cpuMicrosPerOk: perRequestMicros(cpuSeconds, result['2xx']) }),
  };
}

/** Status codes other than 2xx, e.g. `503×12 404×3`. */
function describeStatuses(stats: Record<string, { count: number }>): string {
  return Object.entries(stats)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, { count }]) => `${code}×${count}`)
    .join(' ');
}
