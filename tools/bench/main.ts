import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  AppProcess,
  createDatabase,
  databaseUrl,
  defaultAdminUrl,
  dropDatabase,
  freePort,
  MultiRegionCluster,
  RedisServer,
  repoRoot,
  RunningRegion,
  startRegion,
  Teardown,
  uniqueDatabasePrefix,
} from '@geokv/test-support';
import { readBenchConfig, SYSTEM_WARMUP_SECONDS, WARMUP_SECONDS, type BenchConfig } from './bench-config';
import { createKeyspace, SINGLE_REPLICA, THREE_REPLICAS, WARM_UP, type BenchKeyspace } from './bench-keyspaces';
import { runHttpLoad } from './http-load';
import { runJoinBench } from './join-bench';
import { formatJoinReport } from './join-report';
import { BenchKeys } from './kv-requests';
import { durabilitySettings, PgUpsertBaseline } from './pg-upsert-load';
import { PhaseResult } from './phase-result';
import { postgresBackendsOf, type MeteredProcess } from './process-cpu';
import { runReplicationBench } from './replication-bench';
import { formatReplicationReport } from './replication-report';
import { describeWakeupCost, measureWakeupCost } from './wakeup-cost';
import { formatReport, type ThroughputRound } from './report';
import { runStrongBench } from './strong-bench';
import { formatStrongReport } from './strong-report';
import { warmUp } from './warm-up';

// `npm run bench`: geokv's PUT and GET against their raw building blocks, with one replica and with three, a
// node joining a loaded region, replication across regions, and strong keyspaces against eventual ones
// across regions; on loopback, bounded in time.

/** Startup (three apps waiting for a ring) and cleanup, on top of the phases themselves. */
const OVERHEAD_BUDGET_MS = 180_000;
/** The join part's own region and fourth node starting, and requests still in flight at its deadline. */
const JOIN_OVERHEAD_SECONDS = 120;
/** The strong part's three regions starting, keyspaces reaching them, its warm-up, replication draining, reads verified. */
const STRONG_OVERHEAD_SECONDS = 300;
const teardown = new Teardown();
/** Values read back and compared after the GET phase. */
const VERIFIED_READS = 2_000;

async function main(): Promise<void> {
  const config = readBenchConfig();
  // Six phases per round (PUT and GET in two keyspaces, and the two baselines), each with a read-back or pause.
  const throughputMs = config.parts.includes('throughput')
    ? (6 * config.rounds * (WARMUP_SECONDS + config.seconds + 15) + 4 * (SYSTEM_WARMUP_SECONDS + WARMUP_SECONDS)) * 1000
    : 0;
  // Per keyspace (BENCH_REPLICATION_REPLICAS: N=3, then N=1): a warm-up, two lag phases and a partition, each followed by catching up.
  const replicationMs = config.parts.includes('replication')
    ? config.replication.replicas.length * (SYSTEM_WARMUP_SECONDS + 2 * (config.replication.seconds + 120) + config.replication.partitionSeconds + 240) * 1000
    : 0;
  const joinMs = config.parts.includes('join') ? (config.join.timeoutSeconds + JOIN_OVERHEAD_SECONDS) * 1000 : 0;
  // Twelve phases: PUT and GET, eventual and strong under load and strong at light load, with and without the delay.
  const strongMs = config.parts.includes('strong') ? (12 * (WARMUP_SECONDS + config.strong.seconds + 15) + STRONG_OVERHEAD_SECONDS) * 1000 : 0;
  armWatchdog(throughputMs + replicationMs + joinMs + strongMs + OVERHEAD_BUDGET_MS);
  const root = repoRoot();
  const prefix = uniqueDatabasePrefix('bench');
  const logDir = join(root, '.data', 'bench', prefix);
  console.log(`bench: ${config.parts.join(' + ')}; ${cpus().length} CPUs, node ${process.version}; logs in ${logDir}`);
  if (config.parts.includes('throughput')) await throughput(config, prefix, logDir);
  // Before replication, whose three regions run until the end and would share the machine with the join.
  if (config.parts.includes('join')) await nodeJoin(config, prefix, logDir);
  if (config.parts.includes('strong')) await strong(config, prefix, logDir);
  if (config.parts.includes('replication')) await replication(config, prefix, logDir);
}

/**
 * geokv's PUT and GET in one region, with one replica per key and with three, against their raw building
 * blocks, in rounds: each round measures every phase once, each geokv phase right after the one it is judged
 * against (see rounds.ts). The region idles while the baselines run; its CPU then is reported with theirs.
 */
async function throughput(config: BenchConfig, prefix: string, logDir: string): Promise<void> {
  console.log(
    `throughput: ${config.rounds} rounds of ${config.seconds}s per phase after ${WARMUP_SECONDS}s warm-up, ${config.connections} connections; ` +
      `each system first gets ${SYSTEM_WARMUP_SECONDS}s more of unmeasured load`,
  );
  const adminUrl = defaultAdminUrl();
  const redis = await RedisServer.start();
  teardown.add('redis', () => redis.stop());
  const region = await startBenchRegion(adminUrl, prefix, logDir, redis.url);
  const rawDb = `${prefix}_raw`;
  await createDatabase(rawDb, adminUrl);
  teardown.add('raw database', () => dropDatabase(rawDb, adminUrl));
  console.log(`PostgreSQL ${await durabilitySettings(databaseUrl(rawDb, adminUrl))}`);
  const pgUpsert = await PgUpsertBaseline.open(databaseUrl(rawDb, adminUrl), config.connections);
  teardown.add('raw database pool', () => pgUpsert.close());
  const fastify = await startBareFastify(logDir);

  // Where each request's CPU goes: listed when a measured run starts, so that the connections the warm-up
  // opened are among the PostgreSQL backends.
  const regionProcesses = (group?: string): MeteredProcess[] => [
    ...region.apps().map((app) => ({ group: group ?? appGroup(app.name), pid: app.pid })),
    ...postgresBackendsOf(region.databaseNames, group),
    { group: group ?? 'Redis', pid: redis.pid },
  ];
  const cpuOf = (): MeteredProcess[] => [...regionProcesses(), { group: LOAD_GENERATOR, pid: process.pid }];
  const upsertCpuOf = (): MeteredProcess[] => [...postgresBackendsOf([rawDb]), { group: LOAD_GENERATOR, pid: process.pid }, ...regionProcesses(IDLE_REGION)];
  const fastifyCpuOf = (): MeteredProcess[] => [{ group: 'bare Fastify', pid: fastify.pid }, { group: LOAD_GENERATOR, pid: process.pid }, ...regionProcesses(IDLE_REGION)];
  await createKeyspace(region.gatewayUrl, WARM_UP);
  await warmUp(region.gatewayUrl, WARM_UP, config.connections, SYSTEM_WARMUP_SECONDS);
  await createKeyspace(region.gatewayUrl, SINGLE_REPLICA);
  await createKeyspace(region.gatewayUrl, THREE_REPLICAS);
  const singleKeys = new BenchKeys(SINGLE_REPLICA.name);
  const replicatedKeys = new BenchKeys(THREE_REPLICAS.name);

  const rounds: ThroughputRound[] = [];
  for (let round = 1; round <= config.rounds; round++) {
    console.log(`throughput: round ${round} of ${config.rounds}`);
    // The baselines' first round is their first load too, as geokv's warm-up above was for the region.
    const baselineWarmup = round === 1 ? SYSTEM_WARMUP_SECONDS + WARMUP_SECONDS : WARMUP_SECONDS;
    const upsert = await phase(pgUpsert.run(config.seconds, baselineWarmup, upsertCpuOf));
    const singlePut = await phase(putPhase(config, region.gatewayUrl, SINGLE_REPLICA, singleKeys, cpuOf));
    const replicatedPut = await phase(putPhase(config, region.gatewayUrl, THREE_REPLICAS, replicatedKeys, cpuOf));
    const bareFastify = await phase(runHttpLoad({
      name: 'bare Fastify GET /', url: fastify.httpUrl, connections: config.connections, seconds: config.seconds,
      warmupSeconds: baselineWarmup, cpuOf: fastifyCpuOf,
    }));
    const singleGet = await phase(getPhase(config, region.gatewayUrl, SINGLE_REPLICA, singleKeys, cpuOf));
    const replicatedGet = await phase(getPhase(config, region.gatewayUrl, THREE_REPLICAS, replicatedKeys, cpuOf));
    rounds.push({
      single: { keyspace: SINGLE_REPLICA, put: singlePut, get: singleGet },
      replicated: { keyspace: THREE_REPLICAS, put: replicatedPut, get: replicatedGet },
      pgUpsert: upsert,
      bareFastify,
    });
  }
  const peakRss = new Map(region.apps().map((app) => [app.name, app.peakRssBytes()]));
  await fastify.stop();
  await region.stop();

  console.log(`\n${formatReport({ rounds, peakRss })}\n`);
}

function putPhase(config: BenchConfig, gatewayUrl: string, keyspace: BenchKeyspace, keys: BenchKeys, cpuOf: () => MeteredProcess[]): Promise<PhaseResult> {
  return runHttpLoad({ name: `geokv PUT ${keyspace.label}`, url: gatewayUrl, connections: config.connections, seconds: config.seconds, requests: keys.putRequests(), cpuOf });
}

/** A GET phase over the keys stored so far, then a read-back of stored values; its wrong bodies are this round's. */
async function getPhase(config: BenchConfig, gatewayUrl: string, keyspace: BenchKeyspace, keys: BenchKeys, cpuOf: () => MeteredProcess[]): Promise<PhaseResult> {
  const wrongBefore = keys.wrongBodies;
  const load = await runHttpLoad({
    name: `geokv GET ${keyspace.label}`, url: gatewayUrl, connections: config.connections, seconds: config.seconds,
    requests: keys.prebuiltGetRequests(), cpuOf,
  });
  await keys.verifySample(gatewayUrl, VERIFIED_READS);
  const wrong = keys.wrongBodies - wrongBefore;
  console.log(`${load.name}: read back ${VERIFIED_READS} stored values after the phase, ${wrong} wrong`);
  return { ...load, wrongBodies: wrong };
}

/** A fourth storage node joins a loaded three-node region: how long the rebalance takes and what it moves. */
async function nodeJoin(config: BenchConfig, prefix: string, logDir: string): Promise<void> {
  console.log(`join: starting a 3-node region; ${config.join.keys} keys, at most ${config.join.timeoutSeconds} s once it is up`);
  const redis = await RedisServer.start();
  teardown.add('join redis', () => redis.stop());
  // Its own databases and log directory: the throughput region's are still there (dropped in teardown).
  const joinPrefix = `${prefix}_join`;
  const region = await startBenchRegion(defaultAdminUrl(), joinPrefix, join(logDir, 'join'), redis.url);
  const result = await runJoinBench(region, joinPrefix, config.join);
  // The next part gets an idle machine; teardown still drops the databases, n4's included.
  await region.stop();
  console.log(`\n${formatJoinReport(result)}\n`);
}

/** Three regions linked through the fault proxy: replication lag, with and without delay, and convergence. */
async function replication(config: BenchConfig, prefix: string, logDir: string): Promise<void> {
  // On an idle machine, before the regions start: the baseline the lag phases' CPU is read against.
  const fastify = await startBareFastify(logDir);
  const wakeupCost = await measureWakeupCost(fastify.httpUrl, fastify.pid);
  await fastify.stop();
  console.log(`replication baseline: ${describeWakeupCost(wakeupCost)}`);
  console.log(`replication: starting three regions, ${config.replication.storageNodes} storage nodes each...`);
  const cluster = await MultiRegionCluster.start({
    regions: ['us-east', 'eu-west', 'ap-south'],
    databasePrefix: `${prefix}_mr`,
    storageNodes: config.replication.storageNodes,
    logDir,
    env: { LOG_LEVEL: 'warn' },
  });
  teardown.add('three-region databases', () => cluster.dropDatabases());
  teardown.add('three regions', () => cluster.stop());
  // In-region replicas multiply the work of every write (nine commits with N=3 in three regions, three with
  // N=1) on the same two cores; the N=1 keyspace measures the path between regions with less of that load.
  for (const keyspace of config.replication.replicas.map((replicas) => (replicas === 3 ? THREE_REPLICAS : SINGLE_REPLICA))) {
    const result = await runReplicationBench(cluster, config.replication, keyspace, () => clusterProcesses(cluster));
    console.log(`\n${formatReplicationReport(result, config.replication)}\n  ${describeWakeupCost(wakeupCost)}`);
  }
}

/** Strong and eventual keyspaces across three regions, from one region's gateway, with and without delay on the links. */
async function strong(config: BenchConfig, prefix: string, logDir: string): Promise<void> {
  console.log(`strong: starting three regions; ${config.strong.seconds}s per phase, ${config.strong.connections} connections, then ${config.strong.delayMs} ms on every link`);
  const cluster = await MultiRegionCluster.start({
    regions: ['us-east', 'eu-west', 'ap-south'],
    databasePrefix: `${prefix}_st`,
    // Its own directory: the replication part's three regions write logs of the same names.
    logDir: join(logDir, 'strong'),
    env: { LOG_LEVEL: 'warn' },
  });
  teardown.add('strong databases', () => cluster.dropDatabases());
  teardown.add('strong regions', () => cluster.stop());
  const result = await runStrongBench(cluster, config.strong);
  // The replication part gets an idle machine; a second stop() in teardown finds nothing left to stop.
  await cluster.stop();
  console.log(`\n${formatStrongReport(result)}\n`);
}

/** The load generator runs in this process (autocannon), on the same two cores as what it loads. */
const LOAD_GENERATOR = 'load generator';
/** The throughput part's region, idle while a baseline runs beside it. */
const IDLE_REGION = 'geokv region, idle';

/** Every process of a multi-region cluster, by kind, and this one (the paced writers and the fault proxy). */
function clusterProcesses(cluster: MultiRegionCluster): MeteredProcess[] {
  const regions = [...cluster.regions.values()];
  return [
    ...regions.flatMap((region) => region.apps()).map((app) => ({ group: appGroup(app.name), pid: app.pid })),
    ...postgresBackendsOf(regions.flatMap((region) => region.databaseNames)),
    ...[...cluster.redis.values()].map((server) => ({ group: 'Redis', pid: server.pid })),
    { group: 'bench (writers, proxy)', pid: process.pid },
  ];
}

/** `us-east/n2` → `storage nodes`, `us-east/gateway` → `gateway`: the report sums a region's nodes. */
function appGroup(appName: string): string {
  const app = appName.slice(appName.indexOf('/') + 1);
  return /^n[0-9]+$/.test(app) ? 'storage nodes' : app;
}

async function startBenchRegion(adminUrl: string, prefix: string, logDir: string, redisUrl: string): Promise<RunningRegion> {
  const region = await startRegion({ region: 'us-east', storageNodes: 3, redisUrl, databasePrefix: prefix, adminUrl, logDir, env: { LOG_LEVEL: 'warn' } });
  // Added in this order so teardown (LIFO) stops the apps before dropping their databases.
  teardown.add('region databases', () => region.dropDatabases());
  teardown.add('region', () => region.stop());
  return region;
}

async function startBareFastify(logDir: string): Promise<AppProcess> {
  const app = await AppProcess.start({
    name: 'bare-fastify',
    script: join(__dirname, 'bare-fastify-server.js'),
    port: await freePort(),
    logFile: join(logDir, 'bare-fastify.log'),
    readyPath: '/',
  });
  teardown.add('bare fastify', () => app.stop());
  await app.waitReady(10_000);
  return app;
}

async function phase(running: Promise<PhaseResult>): Promise<PhaseResult> {
  const result = await running;
  console.log(`${result.name}: ${result.okPerSecond.toFixed(0)} ok/s, p99 ${result.p99Ms.toFixed(2)} ms, ` +
    `${(result.non2xx ?? 0) + result.errors + result.timeouts} failed`);
  return result;
}

/** However the apps misbehave, the bench ends: after `ms` it cleans up and exits non-zero. */
function armWatchdog(ms: number): void {
  setTimeout(() => void finish(new Error(`bench exceeded its ${ms / 1000}s budget`)), ms).unref();
}

let finishing = false;

async function finish(error: unknown): Promise<void> {
  if (finishing) return;
  finishing = true;
  if (error !== undefined) console.error('bench failed:', error instanceof Error ? error.message : error);
  let exitCode = error === undefined ? 0 : 1;
  try {
    await teardown.run();
  } catch (cleanupError) {
    console.error(cleanupError instanceof Error ? cleanupError.message : cleanupError);
    exitCode = 1;
  }
  process.exit(exitCode);
}

process.on('SIGINT', () => void finish(new Error('interrupted')));
process.on('SIGTERM', () => void finish(new Error('terminated')));
main().then(() => finish(undefined), finish);
