import { join } from 'node:path';
import { startControlServer } from '@geokv/fault-proxy';
import {
  AppProcess,
  assertPortFree,
  MissingBinaryError,
  MultiRegionCluster,
  RedisServer,
  REPLICATOR_PORT_OFFSET,
  repoRoot,
  Teardown,
} from '@geokv/test-support';
import { printBanner } from './banner';
import { assertBinariesInstalled, providePostgres, provideRedis } from './backing-services';
import { DATA_DIR, DATABASE_PREFIX, PROXY_CONTROL_PORT, RegionLayout, REGIONS } from './cluster-layout';

// `npm start`: every region of the local cluster, with its PostgreSQL databases and Redis, until Ctrl-C.

const teardown = new Teardown();
let stopping = false;

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  // The terminal went away: same as Ctrl-C, or our detached children would outlive it.
  process.on('SIGHUP', () => void shutdown('SIGHUP', 0));
  const root = repoRoot();
  assertBinariesInstalled();
  for (const layout of REGIONS) await assertAppPortsFree(layout);
  await assertPortFree(PROXY_CONTROL_PORT, 'fault proxy control API');

  const postgresUrl = await providePostgres(root, teardown);
  const redis = new Map<string, RedisServer>();
  for (const layout of REGIONS) redis.set(layout.region, await provideRedis(root, layout, teardown));
  console.log(`Starting regions ${REGIONS.map((layout) => layout.region).join(', ')}...`);
  const logDir = join(root, DATA_DIR, 'logs');
  const cluster = await MultiRegionCluster.start({
    regions: REGIONS.map((layout) => layout.region),
    databasePrefix: DATABASE_PREFIX,
    adminUrl: postgresUrl,
    logDir,
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
    perRegion: (region) => {
      const layout = REGIONS.find((candidate) => candidate.region === region)!;
      return {
        redis: redis.get(region),
        storageNodes: layout.storageNodes,
        gatewayPort: layout.gatewayPort,
        basePort: layout.basePort,
        reuseDatabases: true,
      };
    },
  });
  teardown.add('regions', () => cluster.stop());
  const control = await startControlServer(cluster.proxy, PROXY_CONTROL_PORT);
  teardown.add('fault proxy control API', () => new Promise<void>((resolve) => control.close(() => resolve())));
  const regions = REGIONS.map((layout) => cluster.region(layout.region));
  printBanner(root, regions, postgresUrl, `http://127.0.0.1:${PROXY_CONTROL_PORT}`);
  for (const app of regions.flatMap((region) => region.apps())) reportUnexpectedExit(app);
}

async function assertAppPortsFree(layout: RegionLayout): Promise<void> {
  await assertPortFree(layout.gatewayPort, `${layout.region} gateway`);
  await assertPortFree(layout.basePort, `${layout.region} membership`);
  for (let i = 1; i <= layout.storageNodes; i++) await assertPortFree(layout.basePort + i, `${layout.region} storage node n${i}`);
  await assertPortFree(layout.basePort + REPLICATOR_PORT_OFFSET, `${layout.region} replicator`);
}

/** An app that dies while the cluster runs is reported, not restarted: the developer should see the crash. */
function reportUnexpectedExit(app: AppProcess): void {
  void app.exited.then((status) => {
    if (!stopping) console.error(`${app.name} exited (code ${status.code}, signal ${status.signal}); see ${app.logFile}`);
  });
}

async function shutdown(reason: string, exitCode: number): Promise<void> {
  if (stopping) {
    // A second Ctrl-C: stop waiting. The exit hook still SIGKILLs our children by PID.
    console.error(`${reason} again: exiting without waiting for a clean stop`);
    process.exit(130);
  }
  stopping = true;
  console.log(`\n${reason}: stopping everything this started...`);
  try {
    await teardown.run();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    exitCode = 1;
  }
  process.exit(exitCode);
}

main().catch((error: unknown) => {
  if (error instanceof MissingBinaryError) console.error(error.message);
  else console.error('npm start failed:', error instanceof Error ? error.message : error);
  void shutdown('startup failed', 1);
});
