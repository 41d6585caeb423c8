import { randomBytes } from 'node:crypto';
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
import { mapWithConcurrency } from '../support/concurrency';
import { http, pollUntil } from '../support/http';
import { explainWithLogs } from '../support/test-region';

/**
 * The region's PostgreSQL crashes (`pg_ctl -m immediate`) while clients keep writing, and comes back.
 * Writes during the outage must fail with 503, never a false acknowledgement; every acknowledged write,
 * before, during and after the outage, must be readable afterwards with its exact bytes.
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
      const gateway = region.gatewayUrl;
      const acknowledged = new Map<string, Buffer>();
      const statuses = new Map<number, number>();
      let sequence = 0;

      const writeOne = async (): Promise<void> => {
        const key = `k-${sequence++}`;
        const value = randomBytes(64);
        const result = await http(`${gateway}/v1/kv/default/${key}`, { method: 'PUT', body: value, timeoutMs: 10_000 });
        statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
        if (result.status === 204) acknowledged.set(key, value);
        else expect(result.status).toBe(503);
      };
      const writeBurst = (count: number) => mapWithConcurrency(Array.from({ length: count }), 10, writeOne);

      await writeBurst(200);
      expect(acknowledged.size).toBe(200);

      await postgres.crash();
      await writeBurst(60);
      const readiness = await http(`${region.storageNodes[0].process.httpUrl}/health/ready`);
      expect(readiness.status).toBe(503);

      await postgres.restart();
      // The pools reconnect on their own; wait until writes are acknowledged again (bounded).
      // Recovered means every node acknowledges again: probe keys spread over the whole ring (bounded wait).
      const probeKeys = Array.from({ length: 30 }, (_, i) => `probe-${i}`);
      await pollUntil(
        () => Promise.all(probeKeys.map((key) => http(`${gateway}/v1/kv/default/${key}`, { method: 'PUT', body: 'x' }))),
        (results) => results.every((result) => result.status === 204),
        { timeoutMs: 30_000, intervalMs: 250, what: 'writes acknowledged on every node after PostgreSQL restarted' },
      );
      await writeBurst(200);

      expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
      for (const [key, value] of acknowledged) {
        const read = await http(`${gateway}/v1/kv/default/${key}`);
        expect({ key, status: read.status }).toEqual({ key, status: 200 });
        expect(read.body.equals(value)).toBe(true);
      }
      expect(acknowledged.size).toBeGreaterThanOrEqual(400);
    });
  }, 180_000);
});
