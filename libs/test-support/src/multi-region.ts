import { join } from 'node:path';
import { FaultProxy } from '@geokv/fault-proxy';
import { nodePoolWithin, readServerConnections } from './connection-budget';
import { defaultAdminUrl } from './postgres-admin';
import { RedisServer } from './redis-server';
import { startRegion, type RegionOptions, type RunningRegion } from './region';

/** membership.module.ts's pool: every region's membership holds up to this many connections. */
const MEMBERSHIP_POOL = 4;
const DEFAULT_STORAGE_NODES = 3;

export interface MultiRegionOptions {
  /** e.g. ['us-east', 'eu-west', 'ap-south']. */
  readonly regions: readonly string[];
  /** Databases are `<databasePrefix>_<region>_…` (the region's dashes as underscores). */
  readonly databasePrefix: string;
  readonly logDir: string;
  readonly storageNodes?: number;
  readonly adminUrl?: string;
  /** Extra env for every app of every region. */
  readonly env?: Record<string, string>;
  /** Per region: fixed ports, reused databases, a Redis of its own (npm start). */
  readonly perRegion?: (region: string) => Partial<RegionOptions> & { redis?: RedisServer };
}

/**
 * Several regions on one machine, each with its own Redis process, PostgreSQL databases and apps. Every
 * region reaches every other region's Redis only through the fault proxy's link for that direction, so a
 * test can delay, cut or reset each direction.
 */
export class MultiRegionCluster {
  private constructor(
    readonly regions: ReadonlyMap<string, RunningRegion>,
    readonly redis: ReadonlyMap<string, RedisServer>,
    readonly proxy: FaultProxy,
    /** The Redis servers this cluster started (not those handed in through perRegion), which stop() stops. */
    private readonly ownRedis: readonly RedisServer[],
  ) {}

  static async start(options: MultiRegionOptions): Promise<MultiRegionCluster> {
    const redis = new Map<string, RedisServer>();
    const ownRedis: RedisServer[] = [];
    const proxy = new FaultProxy();
    const regions = new Map<string, RunningRegion>();
    try {
      for (const region of options.regions) {
        let server = options.perRegion?.(region).redis;
        if (server === undefined) {
          server = await RedisServer.start({ logFile: join(options.logDir, `${region}-redis.log`) });
          ownRedis.push(server);
        }
        redis.set(region, server);
      }
      for (const from of options.regions) {
        for (const to of options.regions) {
          if (from !== to) await proxy.addLink(from, to, { host: '127.0.0.1', port: redis.get(to)!.port });
        }
      }
      const nodeEnv = await nodePoolEnv(options);
      await Promise.all(
        options.regions.map(async (region) => {
          const { redis: _own, ...overrides } = options.perRegion?.(region) ?? {};
          const peers = options.regions
            .filter((peer) => peer !== region)
            .map((peer) => `${peer}=redis://127.0.0.1:${proxy.link(region, peer).listen.port}`)
            .join(',');
          const started = await startRegion({
            region,
            storageNodes: options.storageNodes,
            redisUrl: redis.get(region)!.url,
            databasePrefix: `${options.databasePrefix}_${region.replace(/-/g, '_')}`,
            adminUrl: options.adminUrl,
            logDir: options.logDir,
            env: options.env,
            peers,
            ...overrides,
            appEnv: { ...overrides.appEnv, 'storage-node': { ...nodeEnv, ...overrides.appEnv?.['storage-node'] } },
          });
          regions.set(region, started);
        }),
      );
      return new MultiRegionCluster(regions, redis, proxy, ownRedis);
    } catch (error) {
      await Promise.allSettled([...regions.values()].map(async (region) => {
        await region.stop();
        await region.dropDatabases();
      }));
      await proxy.close();
      await Promise.allSettled(ownRedis.map((server) => server.stop()));
      throw error;
    }
  }

  region(name: string): RunningRegion {
    const region = this.regions.get(name);
    if (region === undefined) throw new Error(`no region ${name}`);
    return region;
  }

  /** Stops every app, then the proxy and the Redis servers it started; databases stay (see dropDatabases). */
  async stop(): Promise<void> {
    await Promise.all([...this.regions.values()].map((region) => region.stop()));
    await this.proxy.close();
    await Promise.all(this.ownRedis.map((server) => server.stop()));
  }

  async dropDatabases(): Promise<void> {
    for (const region of this.regions.values()) await region.dropDatabases();
  }
}

/**
 * Every region's databases live on one server here, so the storage nodes' pools are sized to fit its
 * max_connections together (unless the caller sets GEOKV_PG_POOL_SIZE): a full pool refused by the server
 * fails writes.
 */
async function nodePoolEnv(options: MultiRegionOptions): Promise<Record<string, string>> {
  if (options.env?.GEOKV_PG_POOL_SIZE !== undefined) return {};
  const storageNodes = options.regions.reduce(
    (sum, region) => sum + (options.perRegion?.(region).storageNodes ?? options.storageNodes ?? DEFAULT_STORAGE_NODES),
    0,
  );
  const server = await readServerConnections(options.adminUrl ?? defaultAdminUrl());
  const pool = nodePoolWithin(server, { storageNodes, fixedConnections: options.regions.length * MEMBERSHIP_POOL });
  return { GEOKV_PG_POOL_SIZE: String(pool) };
}
