import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MultiRegionCluster, Teardown, uniqueDatabasePrefix } from '@geokv/test-support';
import { expectStatus, http, pollUntil } from './http';

export const THREE_REGIONS = ['us-east', 'eu-west', 'ap-south'] as const;

export interface TestRegions {
  readonly cluster: MultiRegionCluster;
  readonly logDir: string;
  gatewayUrl(region: string): string;
  /** Stops everything, drops the databases and removes the logs; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Three regions of real processes, each with its own Redis and databases, linked through the fault proxy.
 * A missing PostgreSQL or redis-server fails the suite loudly; it never skips it.
 */
export async function startTestRegions(suite: string, env: Record<string, string> = {}): Promise<TestRegions> {
  const teardown = new Teardown();
  const logDir = mkdtempSync(join(tmpdir(), `geokv-${suite}-`));
  teardown.add('remove logs', () => {
    if (process.env.GEOKV_KEEP_TEST_LOGS !== '1') rmSync(logDir, { recursive: true, force: true });
  });
  try {
    const cluster = await MultiRegionCluster.start({
      regions: THREE_REGIONS,
      databasePrefix: uniqueDatabasePrefix('mr'),
      logDir,
      storageNodes: 2,
      env: { LOG_LEVEL: 'info', ...env },
    });
    teardown.add('drop databases', () => cluster.dropDatabases());
    teardown.add('stop cluster', () => cluster.stop());
    return { cluster, logDir, gatewayUrl: (region) => cluster.region(region).gatewayUrl, stop: () => teardown.run() };
  } catch (error) {
    await teardown.run();
    throw error;
  }
}

/** Defines a keyspace through one region's gateway and waits until every region's gateway serves it. */
export async function defineKeyspaceEverywhere(regions: TestRegions, name: string, policy: object): Promise<void> {
  const created = await http(`${regions.gatewayUrl(THREE_REGIONS[0])}/v1/keyspaces/${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(policy),
  });
  expectStatus(created, 200);
  for (const region of THREE_REGIONS) {
    await pollUntil(() => http(`${regions.gatewayUrl(region)}/v1/keyspaces/${name}`), (result) => result.status === 200, {
      timeoutMs: 20_000,
      what: `keyspace ${name} in ${region}`,
    });
  }
}
