import { randomBytes } from 'node:crypto';
import { mapWithConcurrency } from '../support/concurrency';
import { http, pollUntil } from '../support/http';
import { explainWithLogs, startTestRegion, type TestRegion } from '../support/test-region';

/**
 * The region's Redis (the transport between the apps) is killed and restarted while clients write. Every
 * app must reconnect on its own; writes in between fail with 503, never a false acknowledgement; and
 * every acknowledged write stays readable.
 */
describe('Redis crash and restart under writes', () => {
  let cluster: TestRegion;

  beforeAll(async () => {
    cluster = await startTestRegion({ suite: 'redis-restart' });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('reconnects every app and keeps every acknowledged write', async () => {
    await explainWithLogs(cluster.region.apps(), async () => {
      const gateway = cluster.gatewayUrl;
      const acknowledged = new Map<string, Buffer>();
      let sequence = 0;
      const writeOne = async (): Promise<void> => {
        const key = `r-${sequence++}`;
        const value = randomBytes(64);
        const result = await http(`${gateway}/v1/kv/default/${key}`, { method: 'PUT', body: value, timeoutMs: 10_000 });
        if (result.status === 204) acknowledged.set(key, value);
        else expect(result.status).toBe(503);
      };
      const writeBurst = (count: number) => mapWithConcurrency(Array.from({ length: count }), 10, writeOne);

      await writeBurst(200);
      expect(acknowledged.size).toBe(200);

      cluster.redis.kill('SIGKILL');
      const during = await http(`${gateway}/v1/kv/default/during-outage`, { method: 'PUT', body: 'x', timeoutMs: 10_000 });
      expect(during.status).toBe(503);
      await cluster.redis.restart();

      // Recovered means every node acknowledges again: probe keys spread over the whole ring (bounded wait).
      const probeKeys = Array.from({ length: 30 }, (_, i) => `probe-${i}`);
      await pollUntil(
        () => Promise.all(probeKeys.map((key) => http(`${gateway}/v1/kv/default/${key}`, { method: 'PUT', body: 'x' }))),
        (results) => results.every((result) => result.status === 204),
        { timeoutMs: 30_000, intervalMs: 250, what: 'writes acknowledged on every node after Redis restarted' },
      );
      await writeBurst(200);
      expect(acknowledged.size).toBeGreaterThanOrEqual(400);

      for (const [key, value] of acknowledged) {
        const read = await http(`${gateway}/v1/kv/default/${key}`);
        expect({ key, status: read.status }).toEqual({ key, status: 200 });
        expect(read.body.equals(value)).toBe(true);
      }
      for (const app of cluster.region.apps()) {
        const ready = await pollUntil(
          () => http(`${app.httpUrl}/health/ready`),
          (result) => result.status === 200,
          { timeoutMs: 15_000, intervalMs: 250, what: `${app.name} ready again` },
        );
        expect(ready.status).toBe(200);
      }
    });
  }, 180_000);
});
