import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  PostgresCluster,
  startRedisServer,
  startRegion,
  Teardown,
  uniqueDatabasePrefix,
  type RunningRegion,
} from '@geokv/test-support';
import { AcknowledgedWrites } from '../support/acknowledged-writes';
import { expectApiError, http } from '../support/http';
import { explainWithLogs } from '../support/test-region';

/**
 * The region's PostgreSQL crashes (`pg_ctl -m immediate`) while clients keep writing, and comes back.
 * Writes during the outage must fail with 503, never a false acknowledgement, and reads and listings that
 * need the database with a 503 that says it is unavailable; every acknowledged write, before, during and
 * after the outage, must be readable afterwards with its exact bytes.
 */
describe('PostgreSQL crash and restart under writes', () => {
  const teardown = new Teardown();
  let postgres: PostgresCluster;
  let region: RunningRegion;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'geokv-pg-restart-'));
    // mkdtemp makes it 0700; as root, PostgreSQL runs as user postgres and must reach its data dir inside.
    chmodSync(dir, 0o755);
    teardown.add('remove temp dir', () => rmSync(dir, { recursive: true, force: true }));
    postgres = await PostgresCluster.start({ dir: join(dir, 'pg'), port: await freePort() });
    teardown.add('stop postgres', () => postgres.stop());
    const redis = await startRedisServer({ logFile: join(dir, 'redis.log') });
    teardown.add('stop redis', () => redis.stop());
    region = await startRegion({
      region: 'us-east',
      storageNodes: 3,
      redisUrl: redis.url,
      adminUrl: postgres.url,
      databasePrefix: uniqueDatabasePrefix('us-east'),
      logDir: dir,
    });
    teardown.add('stop region', () => region.stop());
  }, 120_000);

  afterAll(() => teardown.run(), 90_000);

  it('acknowledges nothing it cannot keep, and keeps everything it acknowledged', async () => {
    await explainWithLogs(region.apps(), async () => {
      const writes = new AcknowledgedWrites(region.gatewayUrl, 'k');
      await writes.burst(200);
      expect(writes.acknowledged.size).toBe(200);

      await postgres.crash();
      await writes.burst(60);
      expect(writes.acknowledged.size).toBeLessThan(260);
      const readiness = await http(`${region.storageNodes[0].process.httpUrl}/health/ready`);
      expect(readiness.status).toBe(503);
      // What needs the database, which is down, answers a 503 to retry that says so, never a 500.
      for (let i = 0; i < 10; i++) {
        const read = expectApiError(await http(`${region.gatewayUrl}/v1/kv/default/never-written-${i}`), 503);
        expect(read.message).toMatch(/database is unavailable/);
      }
      expectApiError(await http(`${region.gatewayUrl}/v1/kv/default?prefix=k-`), 503, 'STORAGE_UNAVAILABLE');

      await postgres.restart();
      // The pools reconnect on their own.
      await writes.waitUntilEveryNodeAcknowledges('writes acknowledged on every node after PostgreSQL restarted');
      await writes.burst(200);
      expect(writes.acknowledged.size).toBeGreaterThanOrEqual(400);
      await writes.expectAllReadable();
    });
  }, 180_000);
});
