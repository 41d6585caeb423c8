import { setTimeout as sleep } from 'node:timers/promises';
import { Metric } from '@geokv/observability';
import type { MultiRegionCluster } from '@geokv/test-support';
import { benchValue, SYSTEM_WARMUP_SECONDS } from './bench-config';
import { MachineCpuMeter } from './machine-cpu';
import { CpuMeter, type MeteredProcess } from './process-cpu';
import { createKeyspace, waitForKeyspace, type BenchKeyspace } from './bench-keyspaces';
import { runPacedRequests } from './paced-requests';
import { bucketDelta, countOf, parseHistogramBuckets, quantileOf, type CumulativeBuckets } from './histogram';

export interface ReplicationBenchConfig {
  /** Writes per second, spread evenly over the regions. */
  readonly rate: number;
  /** Seconds of each lag phase. */
  readonly seconds: number;
  /** Seconds the partition lasts in the convergence phase. */
  readonly partitionSeconds: number;
  /** Delay injected on every link in the second lag phase. */
  readonly delayMs: number;
}

export interface LagResult {
  readonly name: string;
  readonly injectedDelayMs: number;
  readonly writesPerSecond: number;
  readonly failedWrites: number;
  /** Writes due while the region had MAX_IN_FLIGHT outstanding, never sent: the pace was more than it could take. */
  readonly notSent: number;
  /** Versions applied in peer regions during the phase. */
  readonly applied: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  /** While the writes were made: how busy the machine was (0 to 1), and cores used by each group of processes. */
  readonly cpu: PhaseCpu;
}

export interface PhaseCpu {
  readonly machineBusy: number;
  readonly coresByGroup: ReadonlyMap<string, number>;
}

export interface ConvergenceResult {
  readonly partitionSeconds: number;
  readonly writesDuringPartition: number;
  readonly failedWrites: number;
  readonly notSent: number;
  /** From the heal until every region reports nothing left to deliver to any peer. */
  readonly convergeMs: number;
  readonly keysChecked: number;
  readonly keysMissing: number;
  /** While the backlog drained: how busy the machine was, and the cores each group of processes used. */
  readonly cpu: PhaseCpu;
}

const CUT_OFF_REGION = 'eu-west';
/** A phase that asked for more than the cluster can take leaves a backlog; far longer than that to drain is a failure. */
const CATCH_UP_TIMEOUT_MS = 120_000;
/** The catalog reaches the peer regions asynchronously; far longer than that takes on loopback. */
const KEYSPACE_VISIBLE_TIMEOUT_MS = 30_000;

export interface ReplicationBenchResult {
  readonly keyspace: BenchKeyspace;
  readonly healthy: LagResult;
  readonly delayed: LagResult;
  readonly convergence: ConvergenceResult;
}

/**
 * The replication figures of the regions issue, on a running three-region cluster, every write to
 * `keyspace` (created here). `cpuOf` lists the processes whose CPU each lag phase reports.
 */
export async function runReplicationBench(
  cluster: MultiRegionCluster,
  config: ReplicationBenchConfig,
  keyspace: BenchKeyspace,
  cpuOf: () => MeteredProcess[],
): Promise<ReplicationBenchResult> {
  const regions = [...cluster.regions.values()];
  await createKeyspace(regions[0].gatewayUrl, keyspace);
  for (const region of regions) await waitForKeyspace(region.gatewayUrl, keyspace, KEYSPACE_VISIBLE_TIMEOUT_MS);
  // Unmeasured (its delays fall before the first phase's scrape): freshly started regions settle with work.
  await writeAtRate(cluster, keyspace, config.rate, SYSTEM_WARMUP_SECONDS, 'warm-up');
  await waitUntilDelivered(cluster, CATCH_UP_TIMEOUT_MS);
  const healthy = await lagPhase(cluster, config, keyspace, 'no injected delay', 0, cpuOf);
  cluster.proxy.setAll({ delayMs: config.delayMs, blackhole: false });
  let delayed: LagResult;
  try {
    delayed = await lagPhase(cluster, config, keyspace, `${config.delayMs} ms on every link`, config.delayMs, cpuOf);
  } finally {
    cluster.proxy.healAll();
  }
  await waitUntilDelivered(cluster, CATCH_UP_TIMEOUT_MS);
  const convergence = await convergencePhase(cluster, config, keyspace, cpuOf);
  return { keyspace, healthy, delayed, convergence };
}

async function lagPhase(
  cluster: MultiRegionCluster,
  config: ReplicationBenchConfig,
  keyspace: BenchKeyspace,
  name: string,
  injectedDelayMs: number,
  cpuOf: () => MeteredProcess[],
): Promise<LagResult> {
  const before = await scrapeDelays(cluster);
  const meter = startPhaseCpu(cpuOf);
  const startedAt = new Date();
  const load = await writeAtRate(cluster, keyspace, config.rate, config.seconds, `lag-${injectedDelayMs}`);
  const cpu = meter.read();
  const window = timeWindow(startedAt, new Date());
  await waitUntilDelivered(cluster, CATCH_UP_TIMEOUT_MS);
  const delta = bucketDelta(await scrapeDelays(cluster), before);
  const toMs = (seconds: number | null): number | null => (seconds === null ? null : seconds * 1000);
  console.log(`replication, ${name} (${window}): ${(load.ok / config.seconds).toFixed(0)} writes/s, ${countOf(delta)} versions applied in peers`);
  return {
    name,
    injectedDelayMs,
    writesPerSecond: load.ok / config.seconds,
    failedWrites: load.failed,
    notSent: load.notSent,
    applied: countOf(delta),
    p50Ms: toMs(quantileOf(delta, 0.5)),
    p99Ms: toMs(quantileOf(delta, 0.99)),
    cpu,
  };
}

async function convergencePhase(
  cluster: MultiRegionCluster,
  config: ReplicationBenchConfig,
  keyspace: BenchKeyspace,
  cpuOf: () => MeteredProcess[],
): Promise<ConvergenceResult> {
  cluster.proxy.isolate(CUT_OFF_REGION);
  const cutAt = new Date();
  let load: Awaited<ReturnType<typeof writeAtRate>>;
  try {
    load = await writeAtRate(cluster, keyspace, config.rate, config.partitionSeconds, 'partition');
  } finally {
    cluster.proxy.healAll();
  }
  const healedAt = performance.now();
  const meter = startPhaseCpu(cpuOf);
  await waitUntilDelivered(cluster, CATCH_UP_TIMEOUT_MS);
  const convergeMs = performance.now() - healedAt;
  const cpu = meter.read();
  console.log(`replication: converged ${convergeMs.toFixed(0)} ms after a ${config.partitionSeconds} s partition healed (cut off and converged ${timeWindow(cutAt, new Date())})`);

  let missing = 0;
  for (const { path, value } of load.sample) {
    for (const region of cluster.regions.values()) {
      const response = await fetch(`${region.gatewayUrl}${path}`, { signal: AbortSignal.timeout(5_000) });
      if ((await response.text()) !== value) missing++;
    }
  }
  return {
    partitionSeconds: config.partitionSeconds,
    writesDuringPartition: load.ok,
    failedWrites: load.failed,
    notSent: load.notSent,
    convergeMs,
    keysChecked: load.sample.length * cluster.regions.size,
    keysMissing: missing,
    cpu,
  };
}

/**
 * `05:23:01–05:24:01 UTC`: when a phase ran, to line its figures up with what the machine's other logs
 * (PostgreSQL's checkpoints, say) record at the same time.
 */
function timeWindow(from: Date, to: Date): string {
  const clock = (at: Date): string => at.toISOString().slice(11, 19);
  return `${clock(from)}–${clock(to)} UTC`;
}

/** Starts metering the machine and `cpuOf`'s processes; `read` gives what they used since, in cores. */
function startPhaseCpu(cpuOf: () => MeteredProcess[]): { read(): PhaseCpu } {
  const processes = new CpuMeter(cpuOf());
  const machine = new MachineCpuMeter();
  processes.start();
  machine.start();
  const startedAt = performance.now();
  return {
    read: () => {
      const seconds = (performance.now() - startedAt) / 1000;
      return {
        machineBusy: machine.read(),
        coresByGroup: new Map([...processes.read()].map(([group, used]) => [group, used / seconds])),
      };
    },
  };
}

/**
 * Open-loop writes at an even pace: `rate` per second in all, split evenly over the regions' gateways, each
 * to a fresh key. Returns the acknowledged, failed and never-sent counts and a sample of acknowledged
 * writes to check afterwards.
 */
async function writeAtRate(cluster: MultiRegionCluster, keyspace: BenchKeyspace, rate: number, seconds: number, label: string) {
  const regions = [...cluster.regions.values()];
  const sample: { region: string; path: string; value: string }[] = [];
  const results = await Promise.all(
    regions.map((region) => {
      const pathOf = (i: number): string => `/v1/kv/${keyspace.name}/${label}-${region.region}-${i}`;
      return runPacedRequests({
        url: region.gatewayUrl,
        ratePerSecond: rate / regions.length,
        seconds,
        requestOf: (i) => ({ method: 'PUT', path: pathOf(i), body: benchValue(i) }),
        onResponse: (i, status) => {
          if (status === 204 && i % 100 === 0) sample.push({ region: region.region, path: pathOf(i), value: benchValue(i) });
        },
      });
    }),
  );
  return {
    ok: results.reduce((sum, result) => sum + result.ok, 0),
    failed: results.reduce((sum, result) => sum + result.failed, 0),
    notSent: results.reduce((sum, result) => sum + result.notSent, 0),
    sample,
  };
}

/** Waits until every region reports, for every peer, nothing left to deliver. */
export async function waitUntilDelivered(cluster: MultiRegionCluster, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const backlogs = await Promise.all(
      [...cluster.regions.values()].map(async (region) => {
        const response = await fetch(`${region.gatewayUrl}/v1/admin/replication`, { signal: AbortSignal.timeout(5_000) });
        const status = (await response.json()) as { peers: { backlog: number }[] };
        return status.peers.reduce((sum, peer) => sum + peer.backlog, 0);
      }),
    );
    if (backlogs.every((backlog) => backlog === 0)) return;
    if (performance.now() > deadline) throw new Error(`replication did not catch up within ${timeoutMs / 1000} s (backlogs ${backlogs.join(', ')})`);
    await sleep(25);
  }
}

/** The replication-delay histogram summed over every region's replicator (which observes each applied shipment). */
async function scrapeDelays(cluster: MultiRegionCluster): Promise<CumulativeBuckets> {
  const buckets: CumulativeBuckets = new Map();
  for (const region of cluster.regions.values()) {
    if (region.replicator === null) throw new Error(`${region.region} runs no replicator`);
    const response = await fetch(`${region.replicator.httpUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
    parseHistogramBuckets(await response.text(), Metric.replicationDelay, buckets);
  }
  return buckets;
}
