import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertPortFree,
  assertPostgresReachable,
  PostgresCluster,
  postgresBinary,
  RedisServer,
  redactUrl,
  redisServerBinary,
  Teardown,
} from '@geokv/test-support';
import { postgresUrlProblem, withoutCredentials } from '@geokv/config';
import { DATA_DIR, OWN_POSTGRES_PORT, RegionLayout } from './cluster-layout';

/** Throws MissingBinaryError (naming the package) before anything starts, for each server we would provision. */
export function assertBinariesInstalled(): void {
  if (!given('DATABASE_URL')) {
    postgresBinary('initdb');
    postgresBinary('pg_ctl');
  }
  redisServerBinary();
}

function given(name: string): boolean {
  return (process.env[name] ?? '') !== '';
}

/**
 * The PostgreSQL server to create databases on: DATABASE_URL's server if set (its databases are kept),
 * otherwise our own cluster under .data/pg, reused across runs.
 */
export async function providePostgres(root: string, teardown: Teardown): Promise<string> {
  const url = process.env.DATABASE_URL;
  if (url !== undefined && url !== '') {
    // Checked as the apps will check it, before anything starts: they would each refuse it later.
    const problem = postgresUrlProblem(url);
    if (problem !== null) throw new Error(`DATABASE_URL ${problem} (got ${JSON.stringify(withoutCredentials(url))})`);
    await assertPostgresReachable(url);
    console.log(`PostgreSQL: using DATABASE_URL ${redactUrl(url)}`);
    return url;
  }
  const dir = join(root, DATA_DIR, 'pg');
  // A postmaster.pid means our own cluster may still be up from a killed run; PostgresCluster.start restarts it.
  if (!existsSync(join(dir, 'postmaster.pid'))) await assertPortFree(OWN_POSTGRES_PORT, 'local PostgreSQL');
  console.log(`PostgreSQL: starting our own cluster in ${dir} on port ${OWN_POSTGRES_PORT}`);
  const cluster = await PostgresCluster.start({ dir, port: OWN_POSTGRES_PORT });
  teardown.add('PostgreSQL', () => cluster.stop());
  return cluster.url;
}

/**
 * The region's own redis-server under .data/redis-<region>, append-only so data survives. Each region
 * needs a Redis of its own (node ids and channels repeat from region to region), so REDIS_URL is not used.
 */
export async function provideRedis(root: string, layout: RegionLayout, teardown: Teardown): Promise<RedisServer> {
  if (given('REDIS_URL')) console.log(`Redis (${layout.region}): REDIS_URL is ignored; every region of the local cluster runs its own Redis`);
  await assertPortFree(layout.redisPort, `redis for ${layout.region}`);
  const redis = await RedisServer.start({
    port: layout.redisPort,
    appendOnly: true,
    dir: join(root, DATA_DIR, `redis-${layout.region}`),
    logFile: join(root, DATA_DIR, 'logs', `${layout.region}-redis.log`),
  });
  teardown.add(`redis ${layout.region}`, () => redis.stop());
  console.log(`Redis (${layout.region}): started ${redis.url} (pid ${redis.pid})`);
  return redis;
}
