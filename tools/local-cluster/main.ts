import { join } from 'node:path';
import { AppProcess, assertPortFree, MissingBinaryError, repoRoot, RunningRegion, startRegion, Teardown } from '@geokv/test-support';
import { printBanner } from './banner';
import { assertBinariesInstalled, providePostgres, provideRedis } from './backing-services';
import { DATA_DIR, databasePrefix, RegionLayout, REGIONS } from './cluster-layout';

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

  const postgresUrl = await providePostgres(root, teardown);
  const regions: RunningRegion[] = [];
  for (const layout of REGIONS) {
    const redisUrl = await provideRedis(root, layout, teardown);
    console.log(`Starting region ${layout.region}...`);
    const region = await startRegion({
      region: layout.region,
      storageNodes: layout.storageNodes,
      redisUrl,
      databasePrefix: databasePrefix(layout.region),
      adminUrl: postgresUrl,
      reuseDatabases: true,
      logDir: join(root, DATA_DIR, 'logs'),
      gatewayPort: layout.gatewayPort,
      basePort: layout.basePort,
      env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
    });
    teardown.add(`region ${layout.region}`, () => region.stop());
    regions.push(region);
  }
  printBanner(root, regions, postgresUrl);
  for (const app of regions.flatMap((region) => region.apps())) reportUnexpectedExit(app);
}

async function assertAppPortsFree(layout: RegionLayout): Promise<void> {
  await assertPortFree(layout.gatewayPort, `${layout.region} gateway`);
  await assertPortFree(layout.basePort, `${layout.region} membership`);
  for (let i = 1; i <= layout.storageNodes; i++) await assertPortFree(layout.basePort + i, `${layout.region} storage node n${i}`);
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
