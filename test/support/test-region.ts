import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startRedisServer,
  startRegion,
  Teardown,
  uniqueDatabasePrefix,
  type AppName,
  type AppProcess,
  type RedisServer,
  type RunningRegion,
} from '@geokv/test-support';

export interface TestRegionOptions {
  /** Names the temp dir, e.g. `kv-api`. */
  readonly suite: string;
  readonly storageNodes?: number;
  readonly appEnv?: Partial<Record<AppName, Record<string, string>>>;
}

/** One region of real processes with its own Redis and its own databases, owned by one test file. */
export interface TestRegion {
  readonly region: RunningRegion;
  readonly redis: RedisServer;
  readonly logDir: string;
  readonly gatewayUrl: string;
  /** Stops the apps, drops the databases, stops Redis and removes the logs; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts Redis and a region on fresh, uniquely named databases, so two runs on one machine cannot meet.
 * If anything fails to start, what did start is stopped again and the error (with log tails) is thrown:
 * a missing PostgreSQL or redis-server fails the suite, it never skips it.
 */
export async function startTestRegion(options: TestRegionOptions): Promise<TestRegion> {
  const teardown = new Teardown();
  const logDir = mkdtempSync(join(tmpdir(), `geokv-${options.suite}-`));
  teardown.add('remove logs', () => {
    if (process.env.GEOKV_KEEP_TEST_LOGS !== '1') rmSync(logDir, { recursive: true, force: true });
  });
  try {
    const redis = await startRedisServer({ logFile: join(logDir, 'redis.log') });
    teardown.add('stop redis', () => redis.stop());
    const region = await startRegion({
      region: 'us-east',
      storageNodes: options.storageNodes ?? 3,
      redisUrl: redis.url,
      databasePrefix: uniqueDatabasePrefix('us-east'),
      logDir,
      appEnv: options.appEnv,
    });
    teardown.add('drop databases', () => region.dropDatabases());
    teardown.add('stop region', () => region.stop());
    return { region, redis, logDir, gatewayUrl: region.gatewayUrl, stop: () => teardown.run() };
  } catch (error) {
    await teardown.run();
    throw error;
  }
}

/** The last lines of each app's log, for a failure message about processes. */
export function logTails(apps: readonly AppProcess[], lines = 25): string {
  return apps.map((app) => `----- ${app.name} (${app.logFile}) -----\n${app.logTail(lines)}`).join('\n');
}

/**
 * Runs `work`; if it throws (a failed expect included), rethrows with the apps' log tails appended, so a
 * failure about processes shows what the processes said.
 */
export async function explainWithLogs<T>(apps: readonly AppProcess[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const tails = logTails(apps);
    if (error instanceof Error) {
      error.message = `${error.message}\n\nLog tails:\n${tails}`;
      throw error;
    }
    throw new Error(`${String(error)}\n\nLog tails:\n${tails}`);
  }
}
