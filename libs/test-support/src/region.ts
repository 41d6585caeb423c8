import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AppName, AppProcess, DEFAULT_READY_TIMEOUT_MS } from './app-process';
import { createDatabase, databaseUrl, defaultAdminUrl, dropDatabase, ensureDatabase } from './postgres-admin';
import { freePort } from './free-port';

export interface RegionOptions {
  /** e.g. `us-east`; passed as GEOKV_REGION. */
  region: string;
  /** Storage nodes n1..nN; default 3. */
  storageNodes?: number;
  /** The region's Redis (the caller starts it, so it can also crash or restart it). */
  redisUrl: string;
  /** Databases are `<prefix>_membership`, `<prefix>_n1`, ...; see uniqueDatabasePrefix(). */
  databasePrefix: string;
  /** Server on which the databases are created; default defaultAdminUrl(). */
  adminUrl?: string;
  /** Keep databases that already exist (npm start, so data survives) instead of creating fresh ones. */
  reuseDatabases?: boolean;
  /** Log files are `<logDir>/<region>-<name>.log`. */
  logDir: string;
  /** Default: a free port. */
  gatewayPort?: number;
  /** Membership on basePort, storage node i on basePort + i, the replicator on basePort + 50. Default: free ports. */
  basePort?: number;
  /**
   * Start the region's replicator, shipping to these peers: GEOKV_PEERS, e.g. `eu-west=redis://…`. Without
   * it the region runs alone, with no replicator.
   */
  peers?: string;
  /** Extra env for every app (LOG_LEVEL, GEOKV_PEERS, ...). */
  env?: Record<string, string>;
  /** Extra env per app, applied over `env`. */
  appEnv?: Partial<Record<AppName, Record<string, string>>>;
  /** Per app; default 30 s. */
  readyTimeoutMs?: number;
}

export interface StorageNode {
  id: string;
  process: AppProcess;
  databaseName: string;
  databaseUrl: string;
}

/** The replicator's port is basePort + 50 when basePort is given. */
export const REPLICATOR_PORT_OFFSET = 50;

/** A database prefix no other run uses, e.g. `geokv_t3f9a1c2_us_east`. */
export function uniqueDatabasePrefix(region: string): string {
  return `geokv_t${randomBytes(4).toString('hex')}_${region.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
}

/** One region's apps, running and ready. */
export class RunningRegion {
  private readonly nodes: StorageNode[];
  private readonly databases: string[];

  constructor(
    readonly region: string,
    readonly redisUrl: string,
    readonly adminUrl: string,
    readonly membership: AppProcess,
    storageNodes: readonly StorageNode[],
    readonly gateway: AppProcess,
    databaseNames: readonly string[],
    /** null for a region started without peers. */
    readonly replicator: AppProcess | null = null,
    private readonly launchNode: ((id: string, databaseName: string) => Promise<StorageNode>) | null = null,
  ) {
    this.nodes = [...storageNodes];
    this.databases = [...databaseNames];
  }

  get storageNodes(): readonly StorageNode[] {
    return this.nodes;
  }

  get databaseNames(): readonly string[] {
    return this.databases;
  }

  /**
   * Starts one more storage node on a fresh database. It registers as a standby: POST /v1/admin/nodes
   * joins it to the ring.
   */
  async addStorageNode(id: string, prefix: string): Promise<StorageNode> {
    if (this.launchNode === null) throw new Error('this region cannot start more storage nodes');
    const databaseName = `${prefix}_${id}`;
    await createDatabase(databaseName, this.adminUrl);
    this.databases.push(databaseName);
    const node = await this.launchNode(id, databaseName);
    this.nodes.push(node);
    return node;
  }

  get gatewayUrl(): string {
    return this.gateway.httpUrl;
  }

  /** The storage node with this id (`n1`...); throws for an unknown id. */
  storageNode(id: string): StorageNode {
    const node = this.storageNodes.find((candidate) => candidate.id === id);
    if (node === undefined) throw new Error(`region ${this.region} has no storage node ${id}`);
    return node;
  }

  /** Every app process, in start order. */
  apps(): AppProcess[] {
    const apps = [this.membership, ...this.storageNodes.map((node) => node.process), this.gateway];
    return this.replicator === null ? apps : [...apps, this.replicator];
  }

  /** Stops every app by PID, in reverse start order so none logs errors about a peer that left first. */
  async stop(): Promise<void> {
    if (this.replicator !== null) await stopAll([this.replicator]);
    await stopAll([this.gateway]);
    await stopAll(this.nodes.map((node) => node.process));
    await stopAll([this.membership]);
  }

  async dropDatabases(): Promise<void> {
    for (const name of this.databases) await dropDatabase(name, this.adminUrl);
  }
}

/**
 * Creates the region's databases, starts membership, then the storage nodes, then the gateway, waiting
 * for each to be ready. On failure it stops what it started (and drops databases it created) and throws.
 */
export async function startRegion(options: RegionOptions): Promise<RunningRegion> {
  const adminUrl = options.adminUrl ?? defaultAdminUrl();
  const nodeIds = Array.from({ length: options.storageNodes ?? 3 }, (_, i) => `n${i + 1}`);
  const names = { membership: `${options.databasePrefix}_membership`, nodes: nodeIds.map((id) => `${options.databasePrefix}_${id}`) };
  const allNames = [names.membership, ...names.nodes];
  const started: AppProcess[] = [];
  const created: string[] = [];
  try {
    for (const name of allNames) {
      if (options.reuseDatabases === true) {
        if (await ensureDatabase(name, adminUrl)) created.push(name);
      } else {
        await createDatabase(name, adminUrl);
        created.push(name);
      }
    }
    const launch = launcher(options, started);
    const timeout = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;

    // The nodes a region starts with are its seeds: they join the ring as soon as they register.
    const membership = await launch('membership', 'membership', options.basePort, {
      DATABASE_URL: databaseUrl(names.membership, adminUrl),
      GEOKV_SEED_NODES: nodeIds.join(','),
    });
    await membership.waitReady(timeout);

    const launchNode = async (id: string, databaseName: string, port?: number): Promise<StorageNode> => {
      const url = databaseUrl(databaseName, adminUrl);
      const node = await launch('storage-node', id, port, { GEOKV_NODE_ID: id, DATABASE_URL: url });
      await node.waitReady(timeout);
      return { id, process: node, databaseName, databaseUrl: url };
    };
    const storageNodes = await Promise.all(
      nodeIds.map((id, i) => launchNode(id, names.nodes[i], options.basePort === undefined ? undefined : options.basePort + i + 1)),
    );

    // The gateway proposes strong operations to the peers' acceptors over the same links as the replicator.
    const gateway = await launch('gateway', 'gateway', options.gatewayPort, options.peers === undefined ? {} : { GEOKV_PEERS: options.peers });
    await gateway.waitReady(timeout);
    // A gateway given admin keys answers the admin API only with one.
    const adminKey = (options.env?.GEOKV_ADMIN_API_KEYS ?? options.appEnv?.gateway?.GEOKV_ADMIN_API_KEYS)?.split(',')[0];
    await waitForMembers(gateway.httpUrl, nodeIds.length, timeout, adminKey);

    let replicator: AppProcess | null = null;
    if (options.peers !== undefined) {
      const port = options.basePort === undefined ? undefined : options.basePort + REPLICATOR_PORT_OFFSET;
      replicator = await launch('replicator', 'replicator', port, { GEOKV_PEERS: options.peers });
      await replicator.waitReady(timeout);
    }
    return new RunningRegion(options.region, options.redisUrl, adminUrl, membership, storageNodes, gateway, allNames, replicator, (id, name) =>
      launchNode(id, name),
    );
  } catch (error) {
    await stopAll(started.reverse());
    // Best effort: the startup error is the one worth reporting, and a failed drop must not replace it.
    await Promise.allSettled(created.map((name) => dropDatabase(name, adminUrl)));
    throw error;
  }
}

type Launch = (app: AppName, name: string, port: number | undefined, env: Record<string, string>) => Promise<AppProcess>;

function launcher(options: RegionOptions, started: AppProcess[]): Launch {
  return async (app, name, port, env) => {
    const appProcess = await AppProcess.start({
      app,
      name: `${options.region}/${name}`,
      port: port ?? (await freePort()),
      logFile: join(options.logDir, `${options.region}-${name}.log`),
      env: {
        GEOKV_REGION: options.region,
        REDIS_URL: options.redisUrl,
        ...options.env,
        ...options.appEnv?.[app],
        ...env,
      },
    });
    started.push(appProcess);
    return appProcess;
  };
}

/** Waits until the ring has `count` members, as the gateway's admin API reports it. */
async function waitForMembers(gatewayUrl: string, count: number, timeoutMs: number, adminKey?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const headers: Record<string, string> = adminKey === undefined ? {} : { authorization: `Bearer ${adminKey}` };
  let members = 0;
  while (Date.now() < deadline) {
    const response = await fetch(`${gatewayUrl}/v1/admin/ring`, { headers }).catch(() => null);
    if (response?.ok) {
      members = ((await response.json()) as { members: string[] }).members.length;
      if (members >= count) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the ring has ${members} of ${count} members after ${timeoutMs} ms`);
}

async function stopAll(processes: readonly AppProcess[]): Promise<void> {
  await Promise.all(processes.map((app) => app.stop()));
}
