import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { AcknowledgedWrites } from '../support/acknowledged-writes';
import { http, jsonOf, pollUntil } from '../support/http';
import { explainWithLogs, startTestRegion, type TestRegion } from '../support/test-region';

/**
 * The region's Redis (the transport between the apps) is killed and restarted while clients write. Every
 * app must turn unready (503) and then reconnect on its own; writes in between fail with 503, never a
 * false acknowledgement; and every acknowledged write stays readable. A Redis that hangs first, and then
 * stays down for longer than ioredis holds a command, must not take any app down with it.
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
      const writes = new AcknowledgedWrites(gateway, 'r');
      await writes.burst(200);
      expect(writes.acknowledged.size).toBe(200);

      cluster.redis.kill('SIGKILL');
      const during = await http(`${gateway}/v1/kv/default/during-outage`, { method: 'PUT', body: 'x', timeoutMs: 10_000 });
      expect(during.status).toBe(503);
      // Every app turns unready with a 503 and Terminus's report naming Redis, as orchestrators expect.
      for (const app of cluster.region.apps()) {
        const unready = await http(`${app.httpUrl}/health/ready`, { timeoutMs: 10_000 });
        expect({ app: app.name, status: unready.status }).toEqual({ app: app.name, status: 503 });
        expect(jsonOf(unready)).toMatchObject({ status: 'error', error: { redis: { status: 'down' } } });
      }
      await cluster.redis.restart();

      await writes.waitUntilEveryNodeAcknowledges('writes acknowledged on every node after Redis restarted');
      await writes.burst(200);
      expect(writes.acknowledged.size).toBeGreaterThanOrEqual(400);
      await writes.expectAllReadable();
      for (const app of cluster.region.apps()) {
        const ready = await pollUntil(
          () => http(`${app.httpUrl}/health/ready`),
          (result) => result.status === 200,
          { timeoutMs: 15_000, intervalMs: 250, what: `${app.name} ready again` },
        );
        expect(ready.status).toBe(200);
      }
      // Every line of every app's log is JSON, the outage's included (log shippers parse each line).
      for (const app of cluster.region.apps()) {
        const plainLines = readFileSync(app.logFile, 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('{'));
        expect({ app: app.name, plainLines: plainLines.slice(0, 3) }).toEqual({ app: app.name, plainLines: [] });
      }
    });
  }, 180_000);

  it('outlives a Redis that hangs under requests and then stays down past ioredis giving up on them', async () => {
    await explainWithLogs(cluster.region.apps(), async () => {
      const gateway = cluster.gatewayUrl;
      const writes = new AcknowledgedWrites(gateway, 'h');
      await writes.burst(100);
      const apps = cluster.region.apps().map((app) => ({ app, pid: app.pid }));

      // A hung Redis takes every app's requests (the gateway's, the heartbeats, the outbox reads) and answers none.
      // A write that times out on its coordinator goes to the next one once: two GEOKV_RPC_TIMEOUT_MS (5 s), 503 after 10 s.
      cluster.redis.kill('SIGSTOP');
      const hung = await Promise.all(
        [1, 2, 3].map((i) => http(`${gateway}/v1/kv/default/hung-${i}`, { method: 'PUT', body: 'x', timeoutMs: 30_000 })),
      );
      expect(hung.map((response) => response.status)).toEqual([503, 503, 503]);
      cluster.redis.kill('SIGKILL');
      // ioredis gives up on a held command after 20 reconnection attempts, 500 ms apart; an app that left that
      // rejection unhandled died here.
      await sleep(12_000);
      for (const { app, pid } of apps) {
        expect({ app: app.name, running: app.isRunning, pid: app.pid }).toEqual({ app: app.name, running: true, pid });
      }
      // Each app retries both connections of its client and of its server every 500 ms; a line per attempt was
      // ~100 lines per app in those 12 s. Once per connection kind per 10 s is a handful.
      for (const { app } of apps) {
        const outageLines = readFileSync(app.logFile, 'utf8')
          .split('\n')
          .filter((line) => line.includes('Reconnecting to Redis') || line.includes('Redis connection error'));
        expect(`${app.name}: ${outageLines.length} lines`).toEqual(`${app.name}: ${Math.min(outageLines.length, 20)} lines`);
      }

      await cluster.redis.restart();
      await writes.waitUntilEveryNodeAcknowledges('writes acknowledged on every node after the long outage');
      await writes.burst(100);
      expect(writes.acknowledged.size).toBeGreaterThanOrEqual(200);
      await writes.expectAllReadable();
    });
  }, 180_000);
});
