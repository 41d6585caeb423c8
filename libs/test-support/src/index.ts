// Public API of @geokv/test-support: real processes for integration and cluster tests, `npm start` and the bench.
export { AppProcess, DEFAULT_READY_TIMEOUT_MS, nodeFlagsFor } from './app-process';
export type { AppName, AppProcessOptions } from './app-process';
export { MissingBinaryError, postgresBinary, redisServerBinary } from './binaries';
export type { PostgresProgram } from './binaries';
export { assertPortFree, freePort, isPortFree } from './free-port';
export { readLogTail } from './log-tail';
export type { ExitStatus } from './managed-child';
export {
  assertDatabaseName,
  assertPostgresReachable,
  createDatabase,
  databaseExists,
  databaseUrl,
  DEFAULT_ADMIN_URL,
  defaultAdminUrl,
  dropDatabase,
  ensureDatabase,
  redactUrl,
  withAdmin,
} from './postgres-admin';
export { PostgresCluster, startPostgresCluster } from './postgres-cluster';
export type { PostgresClusterOptions } from './postgres-cluster';
export { answersPing, RedisServer, startRedisServer } from './redis-server';
export type { RedisServerOptions } from './redis-server';
export { MultiRegionCluster } from './multi-region';
export type { MultiRegionOptions } from './multi-region';
export { REPLICATOR_PORT_OFFSET, RunningRegion, startRegion, uniqueDatabasePrefix } from './region';
export type { RegionOptions, StorageNode } from './region';
export { repoRoot } from './repo-root';
export { Teardown } from './teardown';
