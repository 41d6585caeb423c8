import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import {
  AppProcess,
  createDatabase,
  databaseUrl,
  dropDatabase,
  freePort,
  startRedisServer,
  Teardown,
  uniqueDatabasePrefix,
  type RedisServer,
} from '@geokv/test-support';
import { StorageRpc } from './storage-rpc';

export interface LoneStorageNodeOptions {
  /** Names the temp dir, e.g. `storage-node-it`. */
  readonly suite: string;
  /** Extra environment for the storage node. */
  readonly nodeEnv?: Record<string, string>;
}

/** One storage node, with the membership it registers with, its own Redis and its own databases. */
export interface LoneStorageNode {
  readonly nodeId: string;
  readonly redis: RedisServer;
  readonly membership: AppProcess;
  readonly node: AppProcess;
  readonly shardUrl: string;
  /** A client of the node over the real transport, as the gateway speaks to it. */
  readonly rpc: StorageRpc;
  /** Stops everything, drops the databases and removes the logs; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts Redis, membership and storage node `n1` (in us-east) on fresh databases. If anything fails to
 * start, what did start is stopped again and the error is thrown: a missing PostgreSQL or redis-server
 * fails the suite, it never skips it.
 */
export async function startLoneStorageNode(options: LoneStorageNodeOptions): Promise<LoneStorageNode> {
  // The test's own transport client would log every (expected) reconnect to the console.
  Logger.overrideLogger(['error']);
  const nodeId = 'n1';
  const teardown = new Teardown();
  try {
    const logDir = mkdtempSync(join(tmpdir(), `geokv-${options.suite}-`));
    teardown.add('remove logs', () => {
      if (process.env.GEOKV_KEEP_TEST_LOGS !== '1') rmSync(logDir, { recursive: true, force: true });
    });
    const redis = await startRedisServer({ logFile: join(logDir, 'redis.log') });
    teardown.add('stop redis', () => redis.stop());

    const prefix = uniqueDatabasePrefix('it');
    const membershipDb = `${prefix}_membership`;
    const shardDb = `${prefix}_${nodeId}`;
    for (const name of [membershipDb, shardDb]) {
      await createDatabase(name);
      teardown.add(`drop ${name}`, () => dropDatabase(name));
    }
    const shardUrl = databaseUrl(shardDb);

    const common = { GEOKV_REGION: 'us-east', REDIS_URL: redis.url };
    const membership = await AppProcess.start({
      app: 'membership',
      name: 'membership',
      port: await freePort(),
      logFile: join(logDir, 'membership.log'),
      env: { ...common, DATABASE_URL: databaseUrl(membershipDb) },
    });
    teardown.add('stop membership', () => membership.stop());
    await membership.waitReady();

    const node = await AppProcess.start({
      app: 'storage-node',
      name: nodeId,
      port: await freePort(),
      logFile: join(logDir, `${nodeId}.log`),
      env: { ...common, DATABASE_URL: shardUrl, GEOKV_NODE_ID: nodeId, ...options.nodeEnv },
    });
    teardown.add('stop storage node', () => node.stop());
    await node.waitReady();

    const rpc = await StorageRpc.connect(redis.url);
    teardown.add('close rpc client', () => rpc.close());
    return { nodeId, redis, membership, node, shardUrl, rpc, stop: () => teardown.run() };
  } catch (error) {
    await teardown.run();
    throw error;
  }
}
